"""Site-wide pages that are not part of the page tree, and the files search engines and browsers
ask every site for: robots.txt, the sitemap and the favicon."""

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from wagtail.contrib.sitemaps import Sitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Page

from geography.postcodes import is_postcode_query
from priorities import my_area
from priorities.models import WardPage
from priorities.selectors import borough_names_of_wards

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class SearchResult:
    page: Page
    title: str  # a ward's with its borough ("Abbey, Merton"), since two wards may share a name


def search(request):
    """Search every published page (wards with their priorities and updates, boroughs, content).
    A postcode goes to the postcode lookup instead: that is what a resident typing one wants."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    if is_postcode_query(query):
        return redirect(f"{reverse('find_your_team')}?{urlencode({'postcode': query})}")
    results, found = None, []
    if query:
        # A phrase needs both its quotes: SQLite's full-text search cannot read a lone one ('knife"').
        terms = (query.replace('"', " ") if query.count('"') % 2 else query).strip()
        matches = Page.objects.live().public().specific().search(terms) if terms else Page.objects.none()
        paginator = Paginator(matches, RESULTS_PER_PAGE)
        try:
            results = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            results = paginator.page(1)
        pages = list(results)
        boroughs = borough_names_of_wards(page.ward_id for page in pages if isinstance(page, WardPage))
        found = [
            SearchResult(page, f"{page.title}, {boroughs[page.ward_id]}" if isinstance(page, WardPage) else page.title)
            for page in pages
        ]
    return TemplateResponse(request, "home/search.html", {"query": query, "results": results, "found": found})


@dataclass(frozen=True)
class SiteCookie:
    name: str
    purpose: str
    lifetime: str


UNTIL_BROWSER_CLOSES = "Until you close your browser"


def lifetime_in_words(seconds: int) -> str:
    days = seconds // (24 * 60 * 60)
    if days >= 360:
        count, unit = round(days / 365), "year"
    elif days >= 7 and days % 7 == 0:
        count, unit = days // 7, "week"
    elif days:
        count, unit = days, "day"
    else:
        count, unit = max(seconds // 3600, 1), "hour"
    return f"{count} {unit}{'s' if count != 1 else ''}"


def site_cookies() -> tuple[list[SiteCookie], list[SiteCookie]]:
    """(everyone's, officers') cookies: every cookie the site sets, named and timed from the
    settings and code that set them."""
    session_age = lifetime_in_words(settings.SESSION_COOKIE_AGE)
    csrf = SiteCookie(
        settings.CSRF_COOKIE_NAME,
        "Stops other websites sending a form in your name. Set when you open a form that changes something, "
        "such as a survey, joining a ward panel or confirming a newsletter.",
        lifetime_in_words(settings.CSRF_COOKIE_AGE),
    )
    everyone = [
        SiteCookie(
            my_area.COOKIE,
            "Remembers the ward you chose, so that the home page starts with your team. Set only if you ask "
            "the site to remember your area, and removed when you ask it to forget.",
            lifetime_in_words(my_area.MAX_AGE),
        ),
        csrf,
        SiteCookie(
            settings.SESSION_COOKIE_NAME,
            "After you answer a survey, lets you answer the optional questions about you on the next page. "
            "Removed once you have answered them.",
            session_age,
        ),
    ]
    officers = [
        SiteCookie(
            settings.SESSION_COOKIE_NAME,
            "Keeps you signed in to the admin.",
            f"{UNTIL_BROWSER_CLOSES}, or {session_age} if you ask to be remembered",
        ),
        csrf,
        SiteCookie(
            CookieStorage.cookie_name,
            "Shows you a message once after you do something, such as 'Page published'.",
            f"{UNTIL_BROWSER_CLOSES}, or less: removed once the message is shown",
        ),
        SiteCookie(
            "wagtail_sidebar_collapsed",
            "Remembers whether you folded away the admin's menu. Set by the admin's own script.",
            UNTIL_BROWSER_CLOSES,
        ),
    ]
    return everyone, officers


def privacy(request):
    """The privacy notice. Its retention periods are the settings the deleting tasks read, and its
    cookies are named and timed from the settings that set them, so the notice and what actually
    happens cannot drift apart."""
    everyone_cookies, officer_cookies = site_cookies()
    context = {
        "everyone_cookies": everyone_cookies,
        "officer_cookies": officer_cookies,
        "controller": settings.SN_DATA_CONTROLLER,
        "contact_email": settings.SN_PRIVACY_CONTACT_EMAIL,
        "subscriber_unconfirmed_days": settings.SN_SUBSCRIBER_UNCONFIRMED_DAYS,
        "subscriber_retention_days": settings.SN_SUBSCRIBER_RETENTION_DAYS,
        "panel_member_retention_days": settings.SN_PANEL_MEMBER_RETENTION_DAYS,
        "survey_retention_days": settings.SN_SURVEY_RETENTION_DAYS,
        "equality_retention_days": settings.SN_EQUALITY_RETENTION_DAYS,
        "proposal_retention_days": settings.SN_PROPOSAL_RETENTION_DAYS,
    }
    return TemplateResponse(request, "home/privacy.html", context)


# Addresses search engines have no business reading: sign-in, APIs, forms and one person's links.
ROBOTS_DISALLOWED = [
    "/admin/",
    "/api/",
    "/documents/",
    "/find-your-team/?",
    "/my-area/",
    "/newsletters/",
    "/propose-a-neighbourhood/",
    "/search/",
    "/surveys/",
    "/ward-panels/",
]


def robots_txt(request):
    lines = ["User-agent: *", "Allow: /", *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


class PublicPagesSitemap(Sitemap):
    """Wagtail's sitemap of every live public page, with each address on the host the sitemap was
    read from: right from the first run, before anyone gives the Wagtail site its real host name."""

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            url["location"] = self.request.build_absolute_uri(urlsplit(url["location"]).path)
        return urls


def sitemap(request):
    return wagtail_sitemap(request, sitemaps={"pages": PublicPagesSitemap})


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; the icon itself is a static file with a
    hashed name, cached for a year."""
    return redirect(static("favicon.svg"))
