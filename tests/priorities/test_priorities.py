import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from priorities.models import Priority, PriorityCategory, WardPage
from tests.factories import ward_page_form

AGREED = datetime.date(2026, 9, 1)


@pytest.fixture
def rye_lane(sample_london):
    return WardPage.objects.get(ward__code="E05011113")


def test_the_ward_page_tells_each_priority_as_we_asked_you_said_we_did(client, rye_lane, add_priority):
    add_priority(rye_lane, updates=[(3, "Speed checks on three mornings."), (20, "14 drivers warned.")])
    add_priority(rye_lane, title="Old problem", status=Priority.Status.RESOLVED)

    html = client.get(rye_lane.url).content.decode()

    assert "Speeding on Rye Lane" in html and "Cars race down Rye Lane after school." in html
    assert html.index("14 drivers warned.") < html.index("Speed checks on three mornings.")  # newest first
    assert "agreed with the ward panel on 1 September 2026" in html
    assert "Old problem" not in html


def test_a_ward_with_no_priorities_says_how_to_raise_one(client, rye_lane):
    assert "Come to the next ward panel meeting" in client.get(rye_lane.url).content.decode()


def test_review_dates_default_to_three_months_and_stay_within_a_year(rye_lane):
    priority = Priority(ward_page=rye_lane, title="T", category_id=1, you_said="x", agreed_on=AGREED)
    priority.clean()
    assert priority.review_by == datetime.date(2026, 12, 1)

    priority.review_by = datetime.date(2027, 10, 1)
    with pytest.raises(ValidationError, match="3 to 12 months"):
        priority.clean()


def test_closing_a_priority_needs_an_outcome(rye_lane):
    priority = Priority(
        ward_page=rye_lane, title="T", category_id=1, you_said="x", agreed_on=AGREED, status=Priority.Status.CLOSED
    )
    with pytest.raises(ValidationError, match="before you close it"):
        priority.clean()


def edit_form(page, priorities):
    category = PriorityCategory.objects.get(name="Speeding").pk
    rows = [
        {
            "title": title,
            "category": category,
            "you_said": "Residents told us.",
            "agreed_on": "2026-09-01",
            "review_by": "",
            "status": status,
            "outcome": "" if status == "active" else "Done.",
        }
        for title, status in priorities
    ]
    return ward_page_form(page, priorities=rows)


@pytest.fixture
def admin_client(client, sample_london):
    client.force_login(User.objects.create_superuser("sergeant", password="a-long-test-password"))
    return client


def test_an_officer_can_publish_three_active_priorities(admin_client, rye_lane):
    data = edit_form(rye_lane, [("One", "active"), ("Two", "active"), ("Three", "active"), ("Old", "resolved")])

    response = admin_client.post(f"/admin/pages/{rye_lane.pk}/edit/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert rye_lane.priorities.filter(status="active").count() == 3
    assert rye_lane.priorities.get(title="One").review_by == datetime.date(2026, 12, 1)


def test_the_admin_refuses_a_fourth_active_priority_and_saves_nothing(admin_client, rye_lane):
    data = edit_form(rye_lane, [("One", "active"), ("Two", "active"), ("Three", "active"), ("Four", "active")])

    response = admin_client.post(f"/admin/pages/{rye_lane.pk}/edit/", data)

    assert response.status_code == 200
    assert "at most 3 active priorities" in response.content.decode()
    assert not Priority.objects.exists()


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database's own guard is PostgreSQL's"
)


@needs_postgresql
def test_the_database_refuses_a_fourth_active_priority_however_it_arrives(rye_lane, add_priority):
    for n in range(3):
        add_priority(rye_lane, title=f"P{n}")

    with pytest.raises(IntegrityError, match="at most 3 active priorities"), transaction.atomic():
        add_priority(rye_lane, title="One too many")
        connection.check_constraints()  # the test's transaction never commits: run the deferred check now


def test_past_priorities_are_kept_with_what_came_of_them(client, rye_lane, add_priority):
    add_priority(rye_lane, title="Still going")
    add_priority(
        rye_lane, title="Bikes on the pavement", status=Priority.Status.RESOLVED, updates=[(5, "Stopped 9 riders.")]
    )
    ward_html = client.get(rye_lane.url).content.decode()
    assert 'href="/southwark/rye-lane/past-priorities/"' in ward_html

    response = client.get("/southwark/rye-lane/past-priorities/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Bikes on the pavement" in html and "Speed humps went in." in html and "Stopped 9 riders." in html
    assert "Still going" not in html


def test_a_ward_with_no_past_priorities_says_so(client, rye_lane):
    assert "There are no past priorities yet." in client.get("/southwark/rye-lane/past-priorities/").content.decode()


def test_the_archive_costs_the_same_queries_however_long_it_is(client, rye_lane, add_priority):
    add_priority(rye_lane, title="Old 0", status=Priority.Status.CLOSED, updates=[(1, "x")])
    client.get("/southwark/rye-lane/past-priorities/")
    with CaptureQueriesContext(connection) as small:
        client.get("/southwark/rye-lane/past-priorities/")
    for n in range(1, 8):
        add_priority(rye_lane, title=f"Old {n}", status=Priority.Status.CLOSED, updates=[(d, "y") for d in range(1, 6)])
    with CaptureQueriesContext(connection) as large:
        response = client.get("/southwark/rye-lane/past-priorities/")

    assert "Old 7" in response.content.decode()
    assert len(large) == len(small) <= 15
