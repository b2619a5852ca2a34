import re
from io import StringIO

from django.core.management import call_command
from wagtail.models import Collection, Page, Site

from geography.services import geography_import
from home.models import HomePage
from home.services import page_tree_build
from priorities.models import BoroughIndexPage, BoroughPage, WardPage


def test_it_builds_a_page_for_every_met_borough_and_ward_only(db, codepoint_folder):
    geography_import(source=codepoint_folder)

    report = page_tree_build()

    assert (report.borough_pages_created, report.ward_pages_created) == (2, 5)
    assert sorted(BoroughPage.objects.values_list("title", flat=True)) == ["Southwark", "Westminster"]
    assert not WardPage.objects.filter(ward__borough__code="E09000001").exists()  # City of London Police
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage
    assert BoroughIndexPage.objects.get().url == "/boroughs/"


def test_pages_have_readable_addresses(db, codepoint_folder):
    geography_import(source=codepoint_folder)
    page_tree_build()

    st_james = WardPage.objects.get(ward__code="E05013806")
    assert st_james.url == "/westminster/st-jamess/"
    assert BoroughPage.objects.get(borough__code="E09000028").url == "/southwark/"


def wagtails_new_install():
    """The tree Wagtail's migrations leave: a root, a "Welcome to Wagtail" page, a site."""
    if not Page.objects.filter(depth=2, content_type__model="page").exists():
        Page.objects.all().delete()
        welcome = Page.add_root(instance=Page(title="Root", slug="root")).add_child(
            instance=Page(title="Welcome to your new Wagtail site!", slug="home")
        )
        Site.objects.all().delete()
        Site.objects.create(hostname="localhost", root_page=welcome, is_default_site=True)


def test_wagtails_placeholder_welcome_page_is_replaced(db):
    wagtails_new_install()

    page_tree_build()

    assert not Page.objects.filter(depth=2, content_type__model="page").exists()
    assert HomePage.objects.count() == 1


def test_running_it_again_creates_nothing_and_keeps_what_editors_wrote(db, codepoint_folder):
    geography_import(source=codepoint_folder)
    page_tree_build()
    ward_page = WardPage.objects.get(ward__code="E05013806")
    ward_page.title = "St James's and the Palace"
    ward_page.introduction = "<p>Written by the team.</p>"
    ward_page.save_revision().publish()
    WardPage.objects.get(ward__code="E05013807").delete()  # a page someone removed is made again

    again = page_tree_build()

    assert (again.borough_pages_created, again.ward_pages_created) == (0, 1)
    assert WardPage.objects.count() == 5
    kept = WardPage.objects.get(ward__code="E05013806")
    assert (kept.title, kept.introduction) == ("St James's and the Palace", "<p>Written by the team.</p>")
    assert HomePage.objects.count() == 1 and BoroughIndexPage.objects.count() == 1


def test_the_site_gets_its_name_once_and_keeps_an_editors(db, settings):
    wagtails_new_install()  # a site without a name
    settings.WAGTAIL_SITE_NAME = "Safer Neighbourhoods (staging)"

    page_tree_build()

    site = Site.objects.get(is_default_site=True)
    assert site.site_name == "Safer Neighbourhoods (staging)"
    site.site_name = "Met Safer Neighbourhoods"  # an editor's, in Settings -> Sites
    site.save()
    page_tree_build()
    assert Site.objects.get(is_default_site=True).site_name == "Met Safer Neighbourhoods"


def test_the_command_says_what_it_made(db, codepoint_folder):
    geography_import(source=codepoint_folder)
    out = StringIO()

    call_command("build_page_tree", stdout=out)

    assert "2 borough and 5 ward pages created" in out.getvalue()


def test_borough_and_index_pages_list_their_wards(client, sample_london):
    borough = client.get("/southwark/").content.decode()
    index = client.get("/boroughs/").content.decode()

    assert 'href="/southwark/peckham/"' in borough and 'href="/southwark/rye-lane/"' in borough
    assert 'href="/westminster/"' in index and 'href="/southwark/"' in index


def test_the_admin_home_is_headed_with_the_sites_name(client, officers):
    """Wagtail's first migration makes a site with no name, so its admin home read "localhost"."""
    client.force_login(officers[0])

    home = client.get("/admin/").content.decode()

    assert re.search(r"<h1[^>]*>\s*Safer Neighbourhoods\s*</h1>", home)
    assert re.search(r"Pages\s*<span[^>]*>created in Safer Neighbourhoods</span>", home)


def test_the_site_follows_the_public_address_so_emails_link_to_it(db, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://sn.example.org"

    page_tree_build()

    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("sn.example.org", 443, "https://sn.example.org")
    assert HomePage.objects.get().full_url == "https://sn.example.org/"


def test_an_existing_localhost_site_is_moved_to_the_public_address(db, settings):
    wagtails_new_install()  # Wagtail's own first site: localhost, port 80
    page_tree_build()
    settings.WAGTAILADMIN_BASE_URL = "http://sn.example.org:8080/"

    page_tree_build()

    site = Site.objects.get()
    assert (site.hostname, site.port, site.is_default_site) == ("sn.example.org", 8080, True)


def test_an_emptied_database_gets_its_photo_collections_too(db, codepoint_folder):
    Collection.objects.all().delete()  # as tests that commit leave it: no root collection either
    geography_import(source=codepoint_folder)

    page_tree_build()

    boroughs = Collection.get_first_root_node().get_children()
    assert list(boroughs.values_list("name", flat=True)) == ["Southwark", "Westminster"]
