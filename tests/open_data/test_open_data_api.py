"""The open data API (/api/v1/): boroughs, wards, teams, priorities and meetings as the pages
show them; filters, pages, conditional requests, CORS, throttling, caching and the schema."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from geography.models import Ward
from priorities.models import Priority, PriorityCategory, WardPage
from sn_site.page_cache import page_cache_forget
from sn_site.throttles import AnonymousRateLimit

V1 = "/api/v1/"
RYE_LANE, PECKHAM, ST_JAMESS, CHEAP = "E05011113", "E05011110", "E05013806", "E05009298"


@pytest.fixture
def rye_lane(sample_london, add_event, add_member, add_priority):
    page = WardPage.objects.get(ward__code=RYE_LANE)
    page.email = "ryelane.snt@met.police.uk"
    page.save()
    add_member(page, 1)
    add_event(page, 5, kind="ward_panel", title="Ward panel")
    add_event(page, -5, title="Last week")
    add_priority(page, updates=[(3, "Speed checks on three mornings."), (20, "14 drivers warned.")])
    add_priority(page, title="Old problem", status=Priority.Status.RESOLVED, updates=[(1, "Speed humps.")])
    return page


def published(page, when):
    WardPage.objects.filter(pk=page.pk).update(last_published_at=when)


def test_a_ward_says_everything_its_team_page_shows(client, rye_lane):
    ward = client.get(f"{V1}wards/{RYE_LANE}/").json()

    assert (ward["code"], ward["name"], ward["borough"]["name"]) == (RYE_LANE, "Rye Lane", "Southwark")
    assert ward["url"] == "http://testserver/southwark/rye-lane/"
    assert ward["contact"]["email"] == "ryelane.snt@met.police.uk" and ward["contact"]["telephone"] is None
    assert [member["name"] for member in ward["team"]] == ["PC Officer 1"]
    assert ward["team"][0]["photo"]["alt"] == "Officer 1 smiling"
    assert ward["team"][0]["photo"]["url"].startswith("http://testserver/")
    assert [priority["title"] for priority in ward["priorities"]] == ["Speeding on Rye Lane"]  # active only
    assert [update["we_did"] for update in ward["priorities"][0]["updates"]] == [
        "14 drivers warned.",
        "Speed checks on three mornings.",
    ]
    assert [event["title"] for event in ward["events"]] == ["Ward panel"]
    assert ward["ward_panel"]["next_meeting"]["title"] == "Ward panel"
    assert ward["feeds"]["calendar"] == "http://testserver/southwark/rye-lane/calendar/"
    assert ward["outline"]["type"] in {"Polygon", "MultiPolygon"}
    assert ward["outline"] == rye_lane.ward.outline


def test_a_city_ward_points_to_the_city_of_london_police(client, sample_london):
    ward = client.get(f"{V1}wards/{CHEAP}/").json()

    assert ward["police_force"] == "city-of-london"
    assert ward["url"] == "https://www.cityoflondon.police.uk/"
    assert ward["team"] == [] and ward["priorities"] == []
    assert client.get(f"{V1}wards/{CHEAP}/team/").json() == []


def test_a_wards_priorities_keep_the_whole_history(client, rye_lane):
    every = client.get(f"{V1}wards/{RYE_LANE}/priorities/").json()
    past = client.get(f"{V1}wards/{RYE_LANE}/priorities/", {"status": "resolved"}).json()

    assert {p["title"] for p in every} == {"Speeding on Rye Lane", "Old problem"}
    assert [(p["title"], p["outcome"], len(p["updates"])) for p in past] == [("Old problem", "Speed humps went in.", 1)]


def test_team_and_events_lists(client, rye_lane):
    team = client.get(f"{V1}wards/{RYE_LANE}/team/").json()
    events = client.get(f"{V1}wards/{RYE_LANE}/events/").json()

    assert [(m["name"], m["role"], m["role_name"]) for m in team] == [("PC Officer 1", "pc", "Police Constable")]
    assert [(e["title"], e["kind"]) for e in events] == [("Ward panel", "ward_panel")]
    assert datetime.datetime.fromisoformat(events[0]["starts_at"]) > timezone.now()


def test_boroughs_list_every_london_borough_with_its_page(client, sample_london):
    boroughs = client.get(f"{V1}boroughs/").json()
    southwark = client.get(f"{V1}boroughs/E09000028/").json()

    by_code = {b["code"]: b for b in boroughs["results"]}
    assert by_code["E09000028"]["url"] == "http://testserver/southwark/"
    assert by_code["E09000001"]["url"] is None and by_code["E09000001"]["police_force"] == "city-of-london"
    assert [w["name"] for w in southwark["wards"]] == ["Peckham", "Rye Lane"]
    assert southwark["outline"]["type"] == "Polygon"


def test_wards_filter_by_borough_and_by_when_their_page_changed(client, sample_london):
    now = timezone.now()
    for page in WardPage.objects.all():
        published(page, now - datetime.timedelta(days=30))
    published(WardPage.objects.get(ward_id=PECKHAM), now)

    southwark = client.get(f"{V1}wards/", {"borough": "E09000028"}).json()
    recent = client.get(f"{V1}wards/", {"updated_since": (now - datetime.timedelta(days=1)).date().isoformat()}).json()

    assert [w["code"] for w in southwark["results"]] == [PECKHAM, RYE_LANE]
    assert [w["code"] for w in recent["results"]] == [PECKHAM]


def test_priorities_across_london_filter_by_borough_ward_category_and_status(client, rye_lane, add_priority):
    st_jamess = WardPage.objects.get(ward_id=ST_JAMESS)
    robbery = PriorityCategory.objects.get(name="Robbery")
    snatching = add_priority(st_jamess, title="Phone snatching")
    snatching.category = robbery
    snatching.save()

    def titles(**filters):
        return sorted(p["title"] for p in client.get(f"{V1}priorities/", filters).json()["results"])

    assert titles() == ["Old problem", "Phone snatching", "Speeding on Rye Lane"]
    assert titles(borough="E09000033") == ["Phone snatching"]
    assert titles(ward=RYE_LANE) == ["Old problem", "Speeding on Rye Lane"]
    assert titles(category=robbery.pk) == ["Phone snatching"]
    assert titles(status="active") == ["Phone snatching", "Speeding on Rye Lane"]
    answer = client.get(f"{V1}priorities/", {"ward": ST_JAMESS}).json()["results"][0]
    assert answer["ward"] == {"code": ST_JAMESS, "name": "St. James's"}
    assert answer["category"] == {"id": robbery.pk, "name": "Robbery"}


def test_bad_filters_get_a_400_naming_each_field(client, sample_london):
    response = client.get(f"{V1}priorities/", {"status": "done", "updated_since": "last week", "borough": "Camden"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"status", "updated_since", "borough"}


def test_lists_come_in_pages(client, sample_london):
    first = client.get(f"{V1}wards/", {"page_size": 3}).json()
    second = client.get(first["next"]).json()
    beyond = client.get(f"{V1}wards/", {"page": 99})

    assert first["count"] == Ward.objects.count() and len(first["results"]) == 3
    assert second["previous"] and not {w["code"] for w in first["results"]} & {w["code"] for w in second["results"]}
    assert beyond.status_code == 404 and beyond.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("address", "one"),
    [
        (f"{V1}wards/", {"page_size": 1, "page": 4}),  # after the City's wards, which have no pages
        (f"{V1}priorities/", {"page_size": 1}),
        (f"{V1}boroughs/", {"page_size": 1, "page": 2}),
    ],
)
def test_a_list_costs_the_same_queries_however_long_it_is(client, rye_lane, address, one, add_priority):
    for page in WardPage.objects.exclude(pk=rye_lane.pk):
        add_priority(page, title=f"Priority in {page.title}", updates=[(1, "Patrols."), (2, "More patrols.")])
    client.get(address)  # Wagtail learns the site's root paths, once

    with CaptureQueriesContext(connection) as short:
        assert client.get(address, one).json()["results"][0]["url"]
    with CaptureQueriesContext(connection) as long:
        assert len(client.get(address, {"page_size": 50}).json()["results"]) >= 3
    assert len(long) == len(short) <= 4


def test_the_ward_detail_costs_the_same_queries_however_much_it_shows(
    client, rye_lane, add_event, add_member, add_priority
):
    client.get(f"{V1}wards/{RYE_LANE}/")  # makes the photo's thumbnail, once
    with CaptureQueriesContext(connection) as few:
        client.get(f"{V1}wards/{RYE_LANE}/")
    for n in range(2, 6):
        add_member(rye_lane, n)
        add_event(rye_lane, n, title=f"Meeting {n}")
    add_priority(rye_lane, title="Another", updates=[(4, "More.")])
    client.get(f"{V1}wards/{RYE_LANE}/")
    with CaptureQueriesContext(connection) as many:
        client.get(f"{V1}wards/{RYE_LANE}/")
    assert len(many) == len(few)


def test_unknown_wards_and_boroughs_are_404_in_json(client, sample_london):
    for address in (f"{V1}wards/E05999999/", f"{V1}wards/nope/priorities/", f"{V1}boroughs/E09999999/"):
        response = client.get(address)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_conditional_requests_are_answered_304(client, rye_lane, add_member):
    published(rye_lane, datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC))
    first = client.get(f"{V1}wards/{RYE_LANE}/")

    assert first["Last-Modified"] == "Fri, 20 Nov 2026 09:00:00 GMT"
    again = client.get(f"{V1}wards/{RYE_LANE}/", HTTP_IF_NONE_MATCH=first["ETag"])
    since = client.get(f"{V1}wards/{RYE_LANE}/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == since.status_code == 304 and again.content == b""

    add_member(rye_lane, 2)
    changed = client.get(f"{V1}wards/{RYE_LANE}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_any_site_may_read_the_api_but_not_write(client, sample_london):
    read = client.get(f"{V1}wards/", HTTP_ORIGIN="https://example.org")
    preflight = client.options(
        f"{V1}wards/", HTTP_ORIGIN="https://example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    assert read["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in read
    assert "Access-Control-Allow-Origin" not in client.get("/find-your-team/", HTTP_ORIGIN="https://example.org")


def test_anonymous_clients_are_throttled_with_a_clear_answer(client, sample_london, monkeypatch):
    monkeypatch.setattr(AnonymousRateLimit, "rate", "3/min", raising=False)

    answers = [client.get(f"{V1}wards/") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["code"] == "throttled" and int(answers[-1]["Retry-After"]) > 0
    other = client.get(f"{V1}wards/", REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200  # counted per client
    later = AnonymousRateLimit.timer() + 60
    monkeypatch.setattr(AnonymousRateLimit, "timer", lambda self: later)
    assert client.get(f"{V1}wards/").status_code == 200  # a new minute, a new allowance


def test_answers_are_cached_until_something_is_published(client, rye_lane, settings, add_member):
    settings.SN_API_CACHE_SECONDS = 300
    first = client.get(f"{V1}wards/{RYE_LANE}/").json()

    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{V1}wards/{RYE_LANE}/").json() == first
    assert len(queries) == 0

    add_member(rye_lane, 2)
    assert len(client.get(f"{V1}wards/{RYE_LANE}/").json()["team"]) == 1  # not published yet
    page_cache_forget()  # what publishing any page does
    assert len(client.get(f"{V1}wards/{RYE_LANE}/").json()["team"]) == 2


def test_the_schema_documents_every_api_and_the_docs_work_offline(client, sample_london):
    schema = client.get(f"{V1}schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get(f"{V1}docs/")

    assert schema.status_code == 200
    paths = schema.json()["paths"] if schema["Content-Type"].endswith("json") else schema.content.decode()
    for path in (
        "/api/v1/wards/{code}/",
        "/api/v1/priorities/",
        "/api/v1/lookup/",
        "/api/v1/surveys/",
        "/api/police-uk/forces",
    ):
        assert path in paths
    assert "/admin/" not in str(paths)
    html = docs.content.decode()
    assert docs.status_code == 200 and "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html and "https://" not in html.split("<body")[0]
