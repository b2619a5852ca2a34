"""A cache of whole published pages for anonymous visitors.

Most visitors are anonymous and read the same ward pages, so a page is rendered once and then
served from the cache until something is published (any publish, unpublish, move or delete starts
the cache afresh, in every process sharing it) or SN_PAGE_CACHE_SECONDS pass (upcoming meetings
move into the past). Signed-in editors, previews and anything that sets a cookie are never cached.
"""

import functools
import hashlib

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import set_response_etag
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from .cache import generation_forget, keep, kept, read_kept

CACHEABLE = "_sn_page_cacheable"
# The generation of everything built from published pages: pages, breadcrumbs, the API's answers.
PAGES_GENERATION = "page-cache"
# Cookies a page may differ by for anonymous visitors (an app adds its own with vary_on_cookie).
_vary_on_cookies: list[str] = []


def vary_on_cookie(name: str) -> None:
    """Pages differ for anonymous visitors who have this cookie (the home page for a remembered
    area): each value gets its own cached copy. Called by the app that sets the cookie."""
    if name not in _vary_on_cookies:
        _vary_on_cookies.append(name)


def page_cache_forget() -> None:
    generation_forget(PAGES_GENERATION)


def kept_until_published(name: str, build, timeout: int = 3600):
    """What build() returns, kept in the cache until anything is published (or `timeout` seconds
    pass, for changes no signal tells of): for things built from pages that every page shows."""
    return kept(name, build, generations_of=[PAGES_GENERATION], timeout=timeout)


def mark_cacheable(request) -> None:
    """Called as Wagtail serves a live page: this response may be cached."""
    setattr(request, CACHEABLE, True)


@functools.lru_cache(maxsize=4096)
def _served_by_wagtail(path_info: str, urlconf: str) -> bool:
    """Whether Wagtail serves this address (and not one of the site's own views): resolved once
    per address in each process, as the middleware looks before Django resolves it."""
    try:
        return resolve(path_info, urlconf).url_name == "wagtail_serve"
    except Resolver404:
        return False


def _key(request) -> str | None:
    """The cache key for a request Wagtail will serve as a page, or None if it may not be cached."""
    if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    if not _served_by_wagtail(request.path_info, settings.ROOT_URLCONF):
        return None
    cookies = ":".join(request.COOKIES.get(name, "") for name in _vary_on_cookies)
    address = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}:{cookies}".encode()).hexdigest()
    return f"page:{address}"


class AnonymousPageCacheMiddleware:
    """Answers an anonymous visitor's request for a page from the cache, before the middleware
    below it (sessions, CSRF, authentication, two-factor, lock-outs, form limits), which only
    signed-in or posting requests need; the middleware above it (security headers, ETags) still
    sees every response. On a miss it stores what Wagtail rendered, on the way out.

    A page is kept with the token of the pages' generation it was rendered in, and read together
    with the current token in one round trip: it is served only if the two match. It is kept with
    its ETag too, so a page served from the cache is not hashed again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _key(request) if settings.SN_PAGE_CACHE_SECONDS else None
        if key is None:
            return self.get_response(request)
        hit, token = read_kept(key, [PAGES_GENERATION])
        if hit is not None:
            content, content_type, etag = hit
            response = HttpResponse(content, content_type=content_type)
            response["Content-Length"] = str(len(content))
            response["ETag"] = etag
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (
            getattr(request, CACHEABLE, False)
            and response.status_code == 200
            and not response.cookies
            and not getattr(response, "streaming", False)
        ):
            set_response_etag(response)
            page = (response.content, response["Content-Type"], response["ETag"])
            keep(key, token, page, timeout=settings.SN_PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response


def _forget_after_commit(sender, **kwargs) -> None:
    transaction.on_commit(page_cache_forget)


def connect() -> None:
    """Any page published, unpublished, moved or deleted can change what other pages show (lists
    of wards, the home page), so each starts the whole page cache afresh."""
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_forget_after_commit, dispatch_uid=f"page-cache-{id(signal)}")
    # Only for pages: a receiver for every model would slow every bulk delete (imports) to a crawl.
    for model in apps.get_models():
        if issubclass(model, Page):
            post_delete.connect(_forget_after_commit, sender=model, dispatch_uid=f"page-cache-delete-{model.__name__}")
