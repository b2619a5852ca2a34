"""The furniture every public page shares: times, the meta description, breadcrumbs and the street
map's tile server."""

from urllib.parse import urlsplit

from django import template
from django.conf import settings
from wagtail.models import Page

from sn_site.formats import clock_time, plain_summary
from sn_site.page_cache import kept_until_published

register = template.Library()

SITE_DESCRIPTION = (
    "Find your local Safer Neighbourhoods Team in London: who they are, what they are working on because "
    "residents asked, and when to meet them."
)


@register.filter(expects_localtime=True)
def clock(moment) -> str:
    """{{ event.starts_at|clock }}: 6:30pm, 6pm, midday, midnight."""
    return clock_time(moment) if moment else ""


@register.filter
def summary(text: str) -> str:
    """{{ survey.introduction|summary }}: one line of plain text, short enough for a description."""
    return plain_summary(text)


@register.simple_tag
def meta_description(page=None) -> str:
    """A page's search description, else its introduction as plain text, else its page type's own
    description; the site's description for anything else."""
    if not isinstance(page, Page):
        return SITE_DESCRIPTION
    return (
        page.search_description
        or plain_summary(getattr(page, "introduction", ""))
        or getattr(page, "default_description", "")
        or SITE_DESCRIPTION
    )


@register.simple_tag
def map_tiles() -> dict | None:
    """{% map_tiles as tiles %}: the street map's tile server (its URL template, host name,
    attribution and closest zoom), or None where none is configured and pages show only the maps
    they draw."""
    if not settings.SN_MAP_TILES_URL:
        return None
    return {
        "url": settings.SN_MAP_TILES_URL,
        "host": urlsplit(settings.SN_MAP_TILES_URL).hostname.removeprefix("{s}."),
        "attribution": settings.SN_MAP_TILES_ATTRIBUTION,
        "max_zoom": settings.SN_MAP_TILES_MAX_ZOOM,
    }


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, current=None, parent=None):
    """The trail from the home page to here, the same on every page. A page in the tree needs no
    arguments; a page beside it names itself (`current`) and, if it belongs to a page, that page
    (`parent`, else the `page` it is rendered with)."""
    page = context.get("page") if isinstance(context.get("page"), Page) else None
    if current is None and page is not None:
        if page.depth <= 2:
            return {"crumbs": [], "current": "Home"}
        crumbs, current = _trail_to(page)[:-1], page.title
    else:
        parent = parent or page
        crumbs = _trail_to(parent) if parent is not None else [("Home", "/")]
    return {"crumbs": crumbs, "current": current}


def _trail_to(page: Page) -> list[tuple[str, str]]:
    """(title, address) of the home page and each page down to this one, kept in the cache until
    anything is published, so that a page pays no query for it."""

    def build():
        pages = page.get_ancestors(inclusive=True).filter(depth__gte=2)
        return [("Home" if crumb.depth == 2 else crumb.title, crumb.url) for crumb in pages]

    if page.pk is None:  # the preview of a page not saved yet
        return build()
    return kept_until_published(f"breadcrumbs:{page.pk}", build)
