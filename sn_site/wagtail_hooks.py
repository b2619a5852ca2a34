"""Site-wide admin and serving hooks."""

from wagtail import hooks

from .page_cache import mark_cacheable


@hooks.register("before_serve_page")
def allow_page_caching(page, request, serve_args, serve_kwargs):
    # Only live pages served through the tree reach here; previews go another way.
    mark_cacheable(request)
