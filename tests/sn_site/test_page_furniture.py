"""What every page shares (issue 12): its title, meta description and breadcrumbs, the footer's
links, times written one way, forms that say where they go, HEAD answered wherever GET is, and
the favicon, robots.txt and sitemap."""

import datetime
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own sitemap
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from home.demo import content_pages_ensure
from home.models import ContentPage
from newsletters.emails import issue_render
from newsletters.models import NewsletterPage, Subscriber, Subscription
from newsletters.services import send_start
from newsletters.tokens import confirm_token, preferences_token, unsubscribe_token
from priorities.models import BoroughEvent, BoroughPage, Event, WardPage
from sn_site.formats import clock_time
from ward_panels.models import PanelMember, WardPanel
from ward_panels.services import invitations_send
from ward_panels.tokens import join_token, leave_token

RYE_LANE, SOUTHWARK = "E05011113", "E09000028"
# A summer evening, London time (British Summer Time, an hour ahead of UTC).
EVENING = timezone.make_aware(datetime.datetime(timezone.now().year + 1, 6, 4, 18, 30))


@pytest.fixture
def site(sample_london, add_priority, make_survey):
    """The sample London with its content pages, a ward with a priority and a newsletter, and an
    open survey."""
    content_pages_ensure()
    rye_lane = WardPage.objects.get(ward_id=RYE_LANE)
    add_priority(rye_lane, updates=[(3, "Speed checks on three mornings.")])
    newsletter = NewsletterPage(title="June newsletter", summary="Speeding, and a new PCSO.")
    rye_lane.add_child(instance=newsletter)
    newsletter.save_revision().publish()
    return {"rye_lane": rye_lane, "newsletter": newsletter, "survey": make_survey(audience="open")}


def page_paths(site) -> dict[str, str]:
    """One address of each kind of public page."""
    rye_lane = site["rye_lane"]
    return {
        "home": "/",
        "borough index": "/boroughs/",
        "borough": rye_lane.get_parent().url,
        "ward": rye_lane.url,
        "past priorities": rye_lane.url + "past-priorities/",
        "newsletter": site["newsletter"].url,
        "content": "/our-promises/",
        "find your team": "/find-your-team/",
        "search": "/search/?q=speeding",
        "privacy": "/privacy/",
        "survey": f"/surveys/{site['survey'].pk}/",
        "join": f"/ward-panels/{RYE_LANE}/join/",
    }


class Tags(HTMLParser):
    """The start tags of a page, with their attributes, and the text inside the breadcrumb."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.crumbs: list[tuple[str, str | None, bool]] = []  # (text, link, is current)
        self._in_breadcrumb = False
        self._item = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "nav" and attributes.get("aria-label") == "Breadcrumb":
            self._in_breadcrumb = True
        elif self._in_breadcrumb and tag == "li":
            self._item = ["", None, attributes.get("aria-current") == "page"]
        elif self._item is not None and tag == "a":
            self._item[1] = attributes.get("href")

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_breadcrumb = False
        elif tag == "li" and self._item is not None:
            self.crumbs.append((self._item[0].strip(), self._item[1], self._item[2]))
            self._item = None

    def handle_data(self, data):
        if self._item is not None:
            self._item[0] += data

    def all(self, tag: str, **attributes) -> list[dict]:
        return [
            attrs for name, attrs in self.tags if name == tag and all(attrs.get(k) == v for k, v in attributes.items())
        ]


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


# The title and the meta description -----------------------------------------------------------------


def test_the_home_page_title_names_the_site_once(client, site):
    assert title_of(client.get("/").content.decode()) == "Safer Neighbourhoods"
    assert title_of(client.get(site["rye_lane"].url).content.decode()) == "Rye Lane | Safer Neighbourhoods"


def test_every_kind_of_page_has_a_meta_description(client, site):
    for kind, path in page_paths(site).items():
        descriptions = Tags(client.get(path).content.decode()).all("meta", name="description")
        assert len(descriptions) == 1, kind
        assert len(descriptions[0]["content"]) > 20, kind


def test_the_description_is_the_search_description_else_the_introduction_else_the_page_types(client, site):
    rye_lane = site["rye_lane"]

    def description(path):
        return Tags(client.get(path).content.decode()).all("meta", name="description")[0]["content"]

    assert "Rye Lane" in description(rye_lane.url)  # no introduction: the ward page's own words
    assert "Safer Neighbourhoods Team" in description(rye_lane.url)

    rye_lane.introduction = "<p>We are the Rye Lane team.</p><p>Come and <b>meet us</b> &amp; say hello.</p>"
    rye_lane.save_revision().publish()
    assert description(rye_lane.url) == "We are the Rye Lane team. Come and meet us & say hello."

    rye_lane.introduction = "<p>" + "Long words here. " * 30 + "</p>"
    rye_lane.save_revision().publish()
    trimmed = description(rye_lane.url)
    assert len(trimmed) <= 160 and trimmed.endswith("…")
    assert ("Long words here. " * 30).startswith(trimmed.removesuffix("…") + " ")  # cut between words

    rye_lane.search_description = "The police team for Rye Lane, Peckham."
    rye_lane.save_revision().publish()
    assert description(rye_lane.url) == "The police team for Rye Lane, Peckham."

    assert description(site["newsletter"].url) == "Speeding, and a new PCSO."
    assert "Southwark" in description("/southwark/")
    assert "the cookies it sets" in description("/privacy/")
    assert description(f"/surveys/{site['survey'].pk}/").startswith("Five questions, about three minutes.")


# Breadcrumbs ---------------------------------------------------------------------------------------


def test_breadcrumbs_are_the_same_on_every_kind_of_page(client, site):
    expected = {
        "home": [("Home", None, True)],
        "borough index": [("Home", "/", False), ("All boroughs and wards", None, True)],
        "borough": [("Home", "/", False), ("Southwark", None, True)],
        "ward": [("Home", "/", False), ("Southwark", "/southwark/", False), ("Rye Lane", None, True)],
        "past priorities": [
            ("Home", "/", False),
            ("Southwark", "/southwark/", False),
            ("Rye Lane", "/southwark/rye-lane/", False),
            ("Past priorities", None, True),
        ],
        "newsletter": [
            ("Home", "/", False),
            ("Southwark", "/southwark/", False),
            ("Rye Lane", "/southwark/rye-lane/", False),
            ("June newsletter", None, True),
        ],
        "content": [("Home", "/", False), ("Our promises to Londoners", None, True)],
        "find your team": [("Home", "/", False), ("Find your team", None, True)],
        "search": [("Home", "/", False), ("Search", None, True)],
        "privacy": [("Home", "/", False), ("Privacy notice", None, True)],
        "survey": [("Home", "/", False), ("What should we work on?", None, True)],
        "join": [
            ("Home", "/", False),
            ("Southwark", "/southwark/", False),
            ("Rye Lane", "/southwark/rye-lane/", False),
            ("Join the ward panel", None, True),
        ],
    }
    for kind, path in page_paths(site).items():
        tags = Tags(client.get(path).content.decode())
        assert len(tags.all("nav", **{"aria-label": "Breadcrumb", "class": "breadcrumb"})) == 1, kind
        assert tags.crumbs == expected[kind], kind


def test_breadcrumbs_follow_a_renamed_page(client, site, django_capture_on_commit_callbacks):
    rye_lane = site["rye_lane"]
    client.get(rye_lane.url)
    with django_capture_on_commit_callbacks(execute=True):  # an editor renames the borough page
        southwark = rye_lane.get_parent().specific
        southwark.title = "Southwark borough"
        southwark.save_revision().publish()

    crumbs = Tags(client.get(rye_lane.url).content.decode()).crumbs

    assert crumbs[1] == ("Southwark borough", "/southwark/", False)


# The footer ------------------------------------------------------------------------------------------


def footer_links(html: str) -> dict[str, str]:
    footer = html[html.index('<footer class="site-footer">') :]
    return {text: href for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', footer)}


def test_the_footer_links_the_accessibility_statement_and_our_promises_wherever_they_are(
    client, site, django_capture_on_commit_callbacks
):
    links = footer_links(client.get("/privacy/").content.decode())
    assert links["Accessibility statement"] == "/accessibility/"
    assert links["Our promises"] == "/our-promises/"
    assert client.get(links["Accessibility statement"]).status_code == 200

    statement = ContentPage.objects.get(slug="accessibility")
    with django_capture_on_commit_callbacks(execute=True):  # an editor moves it under "Our promises"
        statement.move(ContentPage.objects.get(slug="our-promises"), pos="last-child")

    moved = footer_links(client.get(site["rye_lane"].url).content.decode())
    assert moved["Accessibility statement"] == "/our-promises/accessibility/"


def test_the_footer_costs_no_query_once_found(client, site, django_assert_num_queries):
    client.get("/privacy/")
    with django_assert_num_queries(0):
        html = client.get("/privacy/").content.decode()
    assert footer_links(html)["Our promises"] == "/our-promises/"


# Times ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "written"),
    [(18, 30, "6:30pm"), (18, 0, "6pm"), (9, 5, "9:05am"), (12, 0, "midday"), (0, 0, "midnight"), (12, 30, "12:30pm")],
)
def test_times_are_written_the_gov_uk_way_in_london_time(hour, minute, written):
    london = timezone.make_aware(datetime.datetime(2030, 7, 1, hour, minute))
    assert clock_time(london.astimezone(datetime.UTC)) == written


def test_pages_and_emails_write_meeting_times_one_way(client, site, settings, make_survey):
    rye_lane = site["rye_lane"]
    ends = EVENING + datetime.timedelta(hours=1, minutes=30)
    Event.objects.create(ward_page=rye_lane, title="Ward panel", kind="ward_panel", starts_at=EVENING, ends_at=ends)
    southwark = BoroughPage.objects.get(borough_id=SOUTHWARK)
    BoroughEvent.objects.create(borough_page=southwark, title="Borough meeting", starts_at=EVENING, ends_at=ends)
    day = EVENING.strftime("%A %-d %B")
    make_survey(audience="open", closes_at=EVENING)  # listed on the ward page with its closing time

    ward_page = client.get(rye_lane.url).content.decode()
    assert f"{day} {EVENING.year}, 6:30pm</time> to <time" in ward_page  # the events list
    assert "6:30pm to 8pm" in re.sub(r"<[^>]+>", "", ward_page)
    assert f"It next meets on {day} {EVENING.year}, 6:30pm at" in re.sub(r"<[^>]+>", "", ward_page)
    assert f"Open until {day} {EVENING.year}, 6:30pm." in re.sub(r"<[^>]+>", "", ward_page)
    assert not re.search(r"\b[ap]\.m\.", ward_page)  # Django's own "6:30 p.m." nowhere
    assert "6:30pm to 8pm" in re.sub(r"<[^>]+>", "", client.get("/southwark/").content.decode())

    assert f"{day}, 6:30pm to 8pm" in issue_render(site["newsletter"]).text

    survey_page = client.get(f"/surveys/{make_survey(audience='open', closes_at=EVENING).pk}/").content.decode()
    assert "at 6:30pm. Questions" in re.sub(r"\s+", " ", survey_page)
    survey = make_survey(closes_at=EVENING)
    panel = WardPanel.objects.create(ward_id=RYE_LANE)
    PanelMember.objects.create(
        panel=panel, name="Ann", email="ann@example.org", confirmed_at=timezone.now(), consent_given_at=timezone.now()
    )
    invitations_send(survey=survey)
    assert f"The survey closes on {EVENING.day} June {EVENING.year} at 6:30pm." in mail.outbox[-1].body

    officer = Client()
    officer.force_login(User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password"))
    not_open_yet = make_survey(opens_at=EVENING, closes_at=EVENING + datetime.timedelta(days=7))
    admin_page = officer.get(reverse("ward_panels_admin:send", args=[not_open_yet.pk])).content.decode()
    assert f"({EVENING.day} June {EVENING.year}, 6:30pm to " in admin_page


# Forms ---------------------------------------------------------------------------------------------


def unsubscribe_link_for(site) -> tuple[Subscriber, str]:
    """A subscriber to Rye Lane's newsletter and the one-click unsubscribe address of their copy."""
    subscriber = Subscriber.objects.create(email="ann@example.org", confirmed_at=timezone.now())
    Subscription.objects.create(subscriber=subscriber, ward_id=RYE_LANE, confirmed_at=timezone.now())
    delivery = send_start(newsletter=site["newsletter"]).deliveries.get(subscriber=subscriber)
    token = unsubscribe_token(subscriber_id=subscriber.pk, subscription_id=delivery.subscription_id, area_code=RYE_LANE)
    return subscriber, f"/newsletters/unsubscribe/{token}/"


def test_every_form_says_where_it_goes(client, site, survey_page_form):
    survey = site["survey"]
    subscriber, unsubscribe = unsubscribe_link_for(site)
    answered = client.post(f"/surveys/{survey.pk}/", {**survey_page_form(survey, ""), "email": "bob@example.org"})
    assert answered.status_code == 302
    panel, _ = WardPanel.objects.get_or_create(ward_id=RYE_LANE)
    joining = PanelMember.objects.create(panel=panel, name="Ann", email="ann.joining@example.org")
    paths = [
        *page_paths(site).values(),
        answered["Location"],  # the thank-you page with its optional questions
        f"/my-area/?ward={RYE_LANE}",
        unsubscribe,
        f"/newsletters/preferences/{preferences_token(subscriber.pk)}/",
        f"/newsletters/confirm/{confirm_token(subscriber.pk)}/",  # each asks first
        f"/ward-panels/join/{join_token(joining.pk)}/",
        "/southwark/?category=1",
    ]
    posted_to = set()
    for path in paths:
        for form in Tags(client.get(path).content.decode()).all("form"):
            action = form.get("action")
            assert action, (path, form)
            assert resolve(urlsplit(action).path), (path, action)
            if form.get("method") == "post":
                posted_to.add(resolve(urlsplit(action).path).url_name)
    assert posted_to == {"survey", "thanks", "join", "join_confirm", "confirm", "preferences", "unsubscribe"} | {
        "subscribe",
        "remember_my_area",
    }


# HEAD ----------------------------------------------------------------------------------------------

PROJECT_APPS = ("sn_site", "priorities", "newsletters", "ward_panels")
SAMPLE_ARGUMENTS = {
    "code": RYE_LANE,
    "ward_code": RYE_LANE,
    "pk": "1",
    "page_id": "1",
    "send_id": "1",
    "token": "not-a-real-token",
    "force": "metropolitan",
    "neighbourhood": RYE_LANE,
}


def every_url() -> list[str]:
    """An address for each URL pattern outside the admin, and for each of the project's own admin
    views, with made-up arguments (a 404 for HEAD is as good as for GET; a 405 is not)."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            route = prefix + str(pattern.pattern)
            view = getattr(pattern.callback, "view_class", None) or pattern.callback
            ours = (getattr(view, "__module__", "") or "").split(".")[0] in PROJECT_APPS
            if route.startswith("^") or "(?P" in route or (route.startswith("admin/") and not ours):
                continue
            found.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_ARGUMENTS.get(m.group(1), "1"), route))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_url_answers_head_as_it_answers_get(site):
    rye_lane = site["rye_lane"]
    officer = User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password")
    paths = every_url() + [
        path for path in page_paths(site).values() if not path.startswith(("/find", "/search", "/privacy"))
    ]
    paths += [rye_lane.url + "calendar/", rye_lane.url + "updates/", "/southwark/calendar/", "/southwark/updates/"]
    assert "/robots.txt" in paths and "/sitemap.xml" in paths and "/api/v1/boroughs/" in paths
    anonymous, admin = Client(), Client()
    admin.force_login(officer)
    for client in (anonymous, admin):
        for path in paths:
            got, head = client.get(path), client.head(path)
            assert head.status_code == got.status_code, path
            assert head.content == b"", path


def test_head_changes_nothing(client, site):
    subscriber, unsubscribe = unsubscribe_link_for(site)

    member = PanelMember.objects.create(
        panel=WardPanel.objects.create(ward_id=RYE_LANE), name="Bo", email="bo@example.org"
    )

    assert client.head(unsubscribe).status_code == 200
    assert client.head(f"/my-area/?ward={RYE_LANE}").status_code == 200
    assert client.head(f"/ward-panels/leave/{leave_token(member.pk)}/").status_code == 200

    assert subscriber.subscriptions.filter(ward_id=RYE_LANE).exists()  # still subscribed
    assert "sn_my_area" not in client.cookies
    member.refresh_from_db()
    assert member.left_on is None  # still on the panel


# Favicon, robots.txt and the sitemap ---------------------------------------------------------------

QUERIES_FOR_THE_SITEMAP = 12


def test_the_favicon_is_served_and_linked_from_every_page(client, site):
    icon = client.get("/favicon.ico", follow=True)
    assert icon.status_code == 200 and icon["Content-Type"] in ("image/svg+xml", "image/x-icon")
    linked = Tags(client.get("/privacy/").content.decode()).all("link", rel="icon")
    assert len(linked) == 1 and client.get(linked[0]["href"]).status_code == 200


def test_robots_txt_lets_search_engines_read_the_public_site_and_finds_the_sitemap(client, site):
    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    for private in ("/admin/", "/api/", "/newsletters/", "/surveys/", "/ward-panels/", "/my-area/"):
        assert f"Disallow: {private}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_the_sitemap_lists_the_live_public_pages_with_full_addresses(client, site):
    hidden = WardPage.objects.get(ward_id="E05011110")  # Peckham, unpublished by its editors
    hidden.unpublish()
    assert hidden.url.endswith("/peckham/")
    client.get("/sitemap.xml")
    with CaptureQueriesContext(connection) as few:
        client.get("/sitemap.xml")
    for n in range(3):
        issue = NewsletterPage(title=f"Issue {n}", summary="News.")
        site["rye_lane"].add_child(instance=issue)
        issue.save_revision().publish()

    with CaptureQueriesContext(connection) as more:
        sitemap = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    addresses = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]

    assert "http://testserver/" in addresses
    assert "http://testserver/southwark/rye-lane/" in addresses
    assert "http://testserver/accessibility/" in addresses
    assert "http://testserver" + site["newsletter"].url in addresses
    assert "http://testserver" + hidden.url not in addresses
    assert all(address.startswith("http://testserver/") for address in addresses)
    assert "http://testserver/southwark/rye-lane/issue-2/" in addresses
    assert len(more) == len(few) <= QUERIES_FOR_THE_SITEMAP  # a query a page type, not a page
