"""The site's own pages: the root, the home page and the site that serves it, with the borough
and ward pages the teams app builds below them."""

from django.conf import settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site, WorkflowPage

from priorities.services import PageTreeReport, team_pages_build
from sn_site.links import site_address
from sn_site.progress import Progress, no_progress

from .models import HomePage


def page_tree_build(*, progress: Progress = no_progress) -> PageTreeReport:
    """Make sure the home page, the borough index, a page for every Met borough and a page for
    every ward in them exist. Only missing pages are created: nothing editors wrote is changed.
    """
    with transaction.atomic():
        return team_pages_build(home=_home_page(), progress=progress)


def _root_page() -> Page:
    """The tree's root and default locale, as Wagtail's migrations make them (for an emptied database)."""
    if not Locale.objects.exists():
        Locale.objects.create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    return Page.add_root(instance=Page(title="Root", slug="root"))


def _home_page() -> HomePage:
    """The site's home page, replacing Wagtail's placeholder welcome page on a new install."""
    home = HomePage.objects.first()
    site = Site.objects.filter(is_default_site=True).first()
    if home is None:
        root = Page.get_first_root_node() or _root_page()
        placeholder = site.root_page.specific if site else None
        if placeholder is not None and type(placeholder) is Page:
            placeholder.delete()
            root.refresh_from_db()
        # Moderation is each borough's choice (sergeant approval), not Wagtail's site-wide default.
        WorkflowPage.objects.filter(page=root, workflow__name="Moderators approval").delete()
        home = root.add_child(
            instance=HomePage(
                title="Safer Neighbourhoods",
                slug="home",
                introduction=(
                    "<p>Find your local Safer Neighbourhoods Team: who they are, what they are working on "
                    "because residents asked, and when to come and meet them.</p>"
                ),
            )
        )
    hostname, port = site_address()
    if site is None:
        Site.objects.create(
            hostname=hostname, port=port, root_page=home, is_default_site=True, site_name=settings.WAGTAIL_SITE_NAME
        )
    elif (site.root_page_id, site.hostname, site.port) != (home.pk, hostname, port) or not site.site_name:
        site.root_page = home
        # Wagtail's own first site is localhost:80, so links in its emails (workflow notifications)
        # would point there.
        site.hostname, site.port = hostname, port
        # Wagtail's own first site has no name, and the admin would be headed with its hostname.
        site.site_name = site.site_name or settings.WAGTAIL_SITE_NAME
        site.save()
    return home
