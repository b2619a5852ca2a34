import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from figures.services import crime_import
from priorities.models import BoroughPage, PriorityCategory, WardPage
from tests.figures.crime_sample import expected_from_files, write_both


@pytest.fixture
def officer(sample_london):
    user = User.objects.create_user("pc.southwark", password="a-long-test-password")
    user.groups.add(Group.objects.get(name="Southwark officers"))
    return user


def test_the_admin_home_shows_an_officer_what_needs_attention_in_their_area(client, officer, add_event, add_priority):
    rye_lane = WardPage.objects.get(ward__code="E05011113")
    overdue = add_priority(rye_lane, title="Overdue in Rye Lane")
    overdue.review_by = timezone.localdate() - datetime.timedelta(days=3)
    overdue.save()
    elsewhere = add_priority(WardPage.objects.get(ward__code="E05013806"), title="Overdue in Westminster")
    elsewhere.review_by = overdue.review_by
    elsewhere.save()
    add_event(WardPage.objects.get(ward__code="E05011110"), 5)  # Peckham has a meeting planned
    client.force_login(officer)

    html = client.get("/admin/").content.decode()

    panel = html[html.index("Needs your attention") :]
    assert "Rye Lane: Overdue in Rye Lane" in panel
    assert "Overdue in Westminster" not in panel and "St. James" not in panel  # not their borough
    wards_section = panel[panel.index("Wards with no meeting") : panel.index("waiting for a sergeant")]
    assert "Rye Lane" in wards_section and "Peckham" not in wards_section


def test_changes_waiting_for_a_sergeant_are_listed(client, officer):
    southwark = BoroughPage.objects.get(borough__code="E09000028")
    southwark.sergeant_approval = True
    southwark.save_revision().publish()
    rye_lane = WardPage.objects.get(ward__code="E05011113")
    rye_lane.save_revision(user=officer)
    rye_lane.get_workflow().start(rye_lane, officer)
    client.force_login(officer)

    html = client.get("/admin/").content.decode()

    section = html[html.index("waiting for a sergeant") :]
    assert f'href="/admin/pages/{rye_lane.pk}/edit/"' in section[:1500]


def test_the_panel_costs_a_few_queries_however_much_it_lists(client, officer, add_priority):
    client.force_login(officer)
    client.get("/admin/")
    with CaptureQueriesContext(connection) as before:
        client.get("/admin/")
    for code in ("E05011113", "E05011110"):
        for n in range(3):
            priority = add_priority(WardPage.objects.get(ward__code=code), title=f"Late {code} {n}")
            priority.review_by = timezone.localdate() - datetime.timedelta(days=1)
            priority.save()
    with CaptureQueriesContext(connection) as after:
        client.get("/admin/")

    assert len(after) == len(before)


def test_officers_see_recorded_crime_beside_their_priorities_in_a_fixed_number_of_queries(
    client, officer, add_priority, tmp_path, django_capture_on_commit_callbacks
):
    releases = write_both(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        crime_import(sources=releases)
    burglary = PriorityCategory.objects.get(name="Residential burglary")
    add_priority(
        WardPage.objects.get(ward__code="E05011113"),
        title="Burglary",
        category=burglary,
        agreed_on=datetime.date(2025, 3, 14),
    )
    add_priority(WardPage.objects.get(ward__code="E05013806"), title="Westminster burglary", category=burglary)
    client.force_login(officer)
    client.get("/admin/")
    with CaptureQueriesContext(connection) as one:
        html = client.get("/admin/").content.decode()
    figures = expected_from_files(releases)["E05011113"]
    since = sum(figures.get(f"2025-{m:02}", {}).get(("BURGLARY", "RES BURGLARY OF A HOME"), 0) for m in range(4, 11))
    before = sum(figures.get(f"2024-{m:02}", {}).get(("BURGLARY", "RES BURGLARY OF A HOME"), 0) for m in range(4, 11))

    section = " ".join(html[html.index("Recorded crime beside") :].split())
    assert (
        f"Rye Lane: Burglary</a>: {since} burglary of a home recorded since it was agreed (Apr 2025 to Oct 2025), "
        f"against {before}" in section
    )
    assert "Westminster burglary" not in section  # not their borough

    add_priority(WardPage.objects.get(ward__code="E05011110"), title="Peckham burglary", category=burglary)
    with CaptureQueriesContext(connection) as two:
        html = client.get("/admin/").content.decode()
    assert "Peckham: Peckham burglary" in html and len(two) == len(one)
