import datetime

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from priorities.models import BoroughEvent, BoroughNewsItem, BoroughPage, Priority, PriorityCategory, WardPage


@pytest.fixture
def southwark(sample_london):
    return BoroughPage.objects.get(borough__code="E09000028")


def test_the_borough_page_shows_every_ward_and_its_priorities_at_a_glance(client, southwark, add_priority):
    add_priority(WardPage.objects.get(ward__code="E05011113"), title="Speeding on Rye Lane")
    add_priority(WardPage.objects.get(ward__code="E05011113"), title="Old", status=Priority.Status.RESOLVED)

    html = client.get(southwark.url).content.decode()

    assert 'href="/southwark/rye-lane/"' in html and 'href="/southwark/peckham/"' in html
    assert "Speeding on Rye Lane" in html and "(Speeding)" in html
    assert "Old" not in html


def test_residents_can_filter_wards_by_the_kind_of_priority(client, southwark, add_priority):
    add_priority(WardPage.objects.get(ward__code="E05011113"), title="Speeding on Rye Lane")
    burglary = add_priority(WardPage.objects.get(ward__code="E05011110"), title="Burglaries near the park")
    burglary.category = PriorityCategory.objects.get(name="Residential burglary")
    burglary.save()
    speeding = PriorityCategory.objects.get(name="Speeding")

    html = client.get(southwark.url, {"category": speeding.pk}).content.decode()

    assert "1 ward working on speeding." in html
    listed = html[html.index('<ul class="ward-glance">') :]  # the map above still shows every ward
    listed = listed[: listed.index("</ul>\n</section>")]
    assert 'href="/southwark/rye-lane/"' in listed and 'href="/southwark/peckham/"' not in listed
    assert f'<option value="{speeding.pk}" selected>' in html


def test_a_nonsense_filter_shows_every_ward(client, southwark):
    response = client.get(southwark.url, {"category": "'; drop table"})

    assert response.status_code == 200
    assert 'href="/southwark/peckham/"' in response.content.decode()


def test_the_commander_speaks_to_residents(client, southwark):
    southwark.commander_name = "Chief Superintendent Jo Bloggs"
    southwark.commander_message = "We are here for you."
    southwark.save_revision().publish()

    html = client.get(southwark.url).content.decode()

    assert "Chief Superintendent Jo Bloggs" in html and "We are here for you." in html


def test_the_borough_page_costs_the_same_queries_however_many_priorities(
    client, southwark, add_priority, add_neighbourhood
):
    client.get(southwark.url)
    with CaptureQueriesContext(connection) as small:
        client.get(southwark.url)
    for code in ("E05011113", "E05011110"):
        for n in range(3):
            add_priority(WardPage.objects.get(ward__code=code), title=f"P{code}{n}")
    for name in ("Bellenden", "Choumert"):
        add_neighbourhood(southwark, title=name)
    with CaptureQueriesContext(connection) as large:
        response = client.get(southwark.url)

    assert "PE050111102" in response.content.decode() and "Choumert" in response.content.decode()
    assert len(large) == len(small) <= 13, "\n".join(q["sql"][:100] for q in large)


def test_borough_wide_meetings_and_news_are_on_the_borough_page_and_its_calendar(client, southwark):
    starts = timezone.now() + datetime.timedelta(days=10)
    BoroughEvent.objects.create(
        borough_page=southwark,
        kind=BoroughEvent.Kind.OTHER,
        title="Southwark community safety meeting",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="Southwark Town Hall, SE5 8UB",
    )
    BoroughEvent.objects.create(
        borough_page=southwark,
        title="Last month's meeting",
        starts_at=starts - datetime.timedelta(days=60),
        ends_at=starts - datetime.timedelta(days=60, hours=-1),
        place="Town Hall",
    )
    for n in range(7):
        BoroughNewsItem.objects.create(
            borough_page=southwark, date=datetime.date(2026, 11, 1 + n), headline=f"News {n}", text="Something."
        )

    html = client.get(southwark.url).content.decode()
    calendar = icalendar.Calendar.from_ical(client.get("/southwark/calendar/").content)

    assert "Southwark community safety meeting" in html and "Last month" not in html
    assert "News 6" in html and "News 2" in html and "News 1" not in html  # the latest five, newest first
    assert html.index("News 6") < html.index("News 2")
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Southwark community safety meeting"]
