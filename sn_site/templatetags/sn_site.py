"""The furniture every public page shares: times, the meta description, breadcrumbs and the
footer's links to the site's own content pages."""

from django import template
from django.core.cache import cache
from wagtail.models import Page

from sn_site.formats import clock_time, plain_summary
from sn_site.models import ContentPage
from sn_site.page_cache import page_cache_generation

register = template.Library()

SITE_DESCRIPTION = (
    "Find your local Safer Neighbourhoods Team in London: who they are, what they are working on because "
    "residents asked, and when to meet them."
)
# The footer's links, by the slug of the content page each goes to (wherever editors have moved it).
FOOTER_PAGES = {"accessibility": "Accessibility statement", "our-promises": "Our promises"}
FOOTER_LINKS_SECONDS = 3600


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


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, current=None, parent=None):
    """The trail from the home page to here, the same on every page. A page in the tree needs no
    arguments; a page beside it names itself (`current`) and, if it belongs to a page, that page
    (`parent`, else the `page` it is rendered with)."""
    page = context.get("page") if isinstance(context.get("page"), Page) else None
    if current is None and page is not None:
        trail = list(page.get_ancestors().filter(depth__gte=2)) if page.depth > 2 else []
        current = page.title if page.depth > 2 else "Home"
    else:
        parent = parent or page
        trail = list(parent.get_ancestors(inclusive=True).filter(depth__gte=2)) if parent is not None else []
    crumbs = [("Home" if crumb.depth == 2 else crumb.title, crumb.url) for crumb in trail]
    if not trail and current != "Home":
        crumbs = [("Home", "/")]
    return {"crumbs": crumbs, "current": current}


@register.simple_tag
def footer_links() -> list[tuple[str, str]]:
    """(label, address) of the accessibility statement and "Our promises", found by their slugs so
    that editors may move them. Looked up once until anything is published (the page cache's
    generation), so pages pay a cache read for them, not a query."""
    key = f"footer-links:{page_cache_generation()}"
    links = cache.get(key)
    if links is None:
        found = {}
        for page in ContentPage.objects.live().public().filter(slug__in=FOOTER_PAGES).order_by("depth", "path"):
            found.setdefault(page.slug, page.url)  # the shallowest, if two pages share a slug
        links = [(label, found[slug]) for slug, label in FOOTER_PAGES.items() if slug in found]
        cache.set(key, links, timeout=FOOTER_LINKS_SECONDS)
    return links
