import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import User
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.middleware import http as http_middleware
from django.middleware.csrf import CsrfViewMiddleware
from django.test.utils import CaptureQueriesContext

from priorities.models import WardPage


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.SN_PAGE_CACHE_SECONDS = 300


def test_an_anonymous_visitor_gets_the_page_from_the_cache_the_second_time(client, sample_london):
    first = client.get("/southwark/rye-lane/")
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/southwark/rye-lane/")

    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert len(queries) <= 1  # the cache's own bookkeeping at most; no page queries
    assert second["X-Frame-Options"] == "DENY" and second["X-Content-Type-Options"] == "nosniff"


def test_a_cached_page_is_found_in_one_round_trip_to_the_cache(client, sample_london, monkeypatch):
    """The page and the token of the generation it must belong to are read together: with Redis,
    each read is a round trip across the network on nearly every request."""
    client.get("/southwark/rye-lane/")
    reads, inside = [], []  # the local-memory cache's get_many calls its own get: count the outer call

    def counted(name):
        original = getattr(LocMemCache, name)

        def read(self, *args, **kwargs):
            if not inside:
                reads.append(name)
            inside.append(name)
            try:
                return original(self, *args, **kwargs)
            finally:
                inside.pop()

        return read

    for name in ("get", "get_many", "has_key"):
        monkeypatch.setattr(LocMemCache, name, counted(name))

    response = client.get("/southwark/rye-lane/")

    assert response["X-Page-Cache"] == "hit"
    assert reads == ["get_many"]


def test_a_cached_page_is_answered_before_sessions_sign_in_and_csrf_with_every_security_header(
    client, sample_london, monkeypatch
):
    """What only signed-in or posting requests need is not paid for by an anonymous page from the
    cache; the headers every response must carry still come."""
    fresh = client.get("/southwark/rye-lane/")
    below = []
    for middleware in (SessionMiddleware, AuthenticationMiddleware, CsrfViewMiddleware):
        monkeypatch.setattr(
            middleware, "process_request", lambda self, request, name=middleware.__name__: below.append(name)
        )

    cached = client.get("/southwark/rye-lane/")

    assert cached["X-Page-Cache"] == "hit" and below == []
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy"):
        assert cached[header] == fresh[header], header
    assert cached["Permissions-Policy"] == fresh["Permissions-Policy"]
    assert int(cached["Content-Length"]) == len(cached.content) == len(fresh.content)


def test_a_cached_page_keeps_its_etag_and_is_not_hashed_again(client, sample_london, monkeypatch):
    fresh = client.get("/southwark/rye-lane/")
    hashed = []
    monkeypatch.setattr(http_middleware, "set_response_etag", lambda response: hashed.append(response))

    cached = client.get("/southwark/rye-lane/")
    unchanged = client.get("/southwark/rye-lane/", headers={"If-None-Match": fresh["ETag"]})

    assert cached["ETag"] == fresh["ETag"] and cached.content == fresh.content
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert hashed == []


def test_publishing_the_page_purges_it_at_once(client, sample_london, django_capture_on_commit_callbacks):
    client.get("/southwark/rye-lane/")
    page = WardPage.objects.get(ward__code="E05011113")
    page.introduction = "<p>Freshly published.</p>"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    response = client.get("/southwark/rye-lane/")

    assert response["X-Page-Cache"] == "miss"
    assert "Freshly published." in response.content.decode()


def test_publishing_a_ward_purges_its_borough_page_too(client, sample_london, django_capture_on_commit_callbacks):
    client.get("/southwark/")
    page = WardPage.objects.get(ward__code="E05011113")
    page.title = "Rye Lane and Peckham Rye"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    assert "Rye Lane and Peckham Rye" in client.get("/southwark/").content.decode()


def test_signed_in_editors_never_see_or_fill_the_cache(client, sample_london):
    client.force_login(User.objects.create_superuser("admin", password="a-long-test-password"))

    for _ in range(2):
        assert "X-Page-Cache" not in client.get("/southwark/rye-lane/")


def test_other_responses_are_not_cached(client, sample_london):
    for url in ("/find-your-team/?postcode=SE15", "/api/v1/lookup/?q=SE15", "/search/?q=rye", "/no-such-page/"):
        client.get(url)
        assert "X-Page-Cache" not in client.get(url), url


def test_the_home_page_is_cached_apart_for_visitors_who_remembered_their_area(client, sample_london):
    plain = client.get("/")
    client.post("/my-area/", {"ward": "E05011113"})

    remembered = client.get("/")

    assert remembered["X-Page-Cache"] == "miss"
    assert "Your team:" in remembered.content.decode() and "Your team:" not in plain.content.decode()
