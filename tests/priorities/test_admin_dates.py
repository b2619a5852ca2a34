"""The admin reads and writes dates the British way: 25/12/2026, day first, in its date pickers."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from priorities.models import PriorityCategory, WardPage
from tests.factories import ward_page_form

NEXT_YEAR = datetime.date.today().year + 1  # a new meeting may not be in the past


@pytest.fixture
def rye_lane(sample_london):
    return WardPage.objects.get(ward__code="E05011113")


@pytest.fixture
def admin_client(client, sample_london):
    client.force_login(User.objects.create_superuser("sergeant", password="a-long-test-password"))
    return client


def british_dated_form(rye_lane) -> dict:
    """The ward page's edit form with one priority agreed on 01/09/2026 and one meeting, as posted."""
    priority = {
        "title": "Speeding on Rye Lane",
        "category": PriorityCategory.objects.get(name="Speeding").pk,
        "you_said": "Residents told us.",
        "agreed_on": "01/09/2026",  # the 1st of September, not the 9th of January
        "review_by": "25/12/2026",
        "status": "active",
        "outcome": "",
    }
    meeting = {
        "kind": "ward_panel",
        "title": "Ward panel meeting",
        "starts_at": f"03/11/{NEXT_YEAR} 18:30",  # a new meeting may not be in the past
        "ends_at": f"03/11/{NEXT_YEAR} 20:00",
        "place": "Peckham Library, SE15 5JR",
        "accessibility": "",
    }
    return ward_page_form(rye_lane, priorities=[priority], events=[meeting])


def test_the_admin_takes_and_shows_british_dates(admin_client, rye_lane):
    response = admin_client.post(f"/admin/pages/{rye_lane.pk}/edit/", british_dated_form(rye_lane))

    assert response.status_code == 302, response.context["form"].formsets["priorities"].errors
    priority = rye_lane.priorities.get()
    assert (priority.agreed_on, priority.review_by) == (datetime.date(2026, 9, 1), datetime.date(2026, 12, 25))
    event = rye_lane.events.get()
    assert timezone.localtime(event.starts_at).replace(tzinfo=None) == datetime.datetime(NEXT_YEAR, 11, 3, 18, 30)
    page = admin_client.get(f"/admin/pages/{rye_lane.pk}/edit/").content.decode()
    assert 'value="01/09/2026"' in page and 'value="25/12/2026"' in page
    assert f'value="03/11/{NEXT_YEAR} 18:30"' in page
    assert '"format": "d/m/Y"' in page  # the date picker writes what it shows


def test_nobody_can_switch_their_admin_to_american_dates(admin_client):
    page = admin_client.get("/admin/account/").content.decode()

    assert "en-us" not in page.lower() and ">English<" not in page
