"""The footer's links to the site's own content pages."""

from django import template

from sn_site.page_cache import kept_until_published

from ..models import ContentPage

register = template.Library()

# The footer's links, by the slug of the content page each goes to (wherever editors have moved it).
FOOTER_PAGES = {"accessibility": "Accessibility statement", "our-promises": "Our promises"}


@register.simple_tag
def footer_links() -> list[tuple[str, str]]:
    """(label, address) of the accessibility statement and "Our promises", found by their slugs so
    that editors may move them. Looked up once until anything is published (the page cache's
    generation), so pages pay a cache read for them, not a query."""

    def build():
        found = {}
        for page in ContentPage.objects.live().public().filter(slug__in=FOOTER_PAGES).order_by("depth", "path"):
            found.setdefault(page.slug, page.url)  # the shallowest, if two pages share a slug
        return [(label, found[slug]) for slug, label in FOOTER_PAGES.items() if slug in found]

    return kept_until_published("footer-links", build)
