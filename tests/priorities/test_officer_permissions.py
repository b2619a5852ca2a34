from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from wagtail.models import GroupPagePermission

from priorities.models import WardPage
from priorities.services import page_tree_build


def edit_url(ward_code: str) -> str:
    return f"/admin/pages/{WardPage.objects.get(ward__code=ward_code).pk}/edit/"


@pytest.fixture
def officer(sample_london):
    """A Southwark SNT officer."""
    user = User.objects.create_user("pc.southwark", password="a-long-test-password")
    call_command("add_officer", "pc.southwark", "--borough", "E09000028", stdout=StringIO())
    return user


def test_every_met_borough_gets_an_officers_group(sample_london):
    assert set(Group.objects.values_list("name", flat=True)) >= {"Westminster officers", "Southwark officers"}
    assert not Group.objects.filter(name__startswith="City of London").exists()


def test_rebuilding_the_tree_does_not_duplicate_groups_or_permissions(sample_london):
    before = (Group.objects.count(), GroupPagePermission.objects.count())

    page_tree_build()

    assert (Group.objects.count(), GroupPagePermission.objects.count()) == before


def test_an_officer_can_edit_their_own_boroughs_ward_pages(client, officer):
    client.force_login(officer)

    assert client.get("/admin/").status_code == 200
    assert client.get(edit_url("E05011113")).status_code == 200  # Rye Lane, Southwark


def test_an_officer_cannot_edit_another_boroughs_ward_page(client, officer):
    client.force_login(officer)
    st_james = WardPage.objects.get(ward__code="E05013806")

    assert client.get(edit_url("E05013806")).status_code != 200
    response = client.post(edit_url("E05013806"), {"title": "Taken over", "slug": "st-jamess", "action-publish": "1"})

    assert response.status_code != 200
    st_james.refresh_from_db()
    assert st_james.title == "St. James's" and not st_james.has_unpublished_changes


def test_an_officer_cannot_delete_a_ward_page(client, officer):
    client.force_login(officer)
    page = WardPage.objects.get(ward__code="E05011113")

    client.post(f"/admin/pages/{page.pk}/delete/")

    assert WardPage.objects.filter(pk=page.pk).exists()


def test_a_ward_editor_looks_after_their_ward_only(client, sample_london):
    user = User.objects.create_user("pcso.ryelane", password="a-long-test-password")
    call_command("add_officer", "pcso.ryelane", "--ward", "E05011113", stdout=StringIO())
    client.force_login(user)

    assert client.get(edit_url("E05011113")).status_code == 200  # Rye Lane
    assert client.get(edit_url("E05011110")).status_code != 200  # Peckham, next door


def test_adding_an_officer_to_an_unknown_area_says_so(sample_london):
    User.objects.create_user("someone")
    with pytest.raises(Exception, match="no page for E09999999"):
        call_command("add_officer", "someone", "--borough", "E09999999", stdout=StringIO())


def test_an_administrator_can_still_delete_a_ward_page(client, sample_london):
    client.force_login(User.objects.create_superuser("admin", password="a-long-test-password"))
    page = WardPage.objects.get(ward__code="E05011113")

    client.post(f"/admin/pages/{page.pk}/delete/")

    assert not WardPage.objects.filter(pk=page.pk).exists()
