from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from priorities.models import BoroughPage, WardPage


@pytest.fixture
def southwark(sample_london):
    return BoroughPage.objects.get(borough__code="E09000028")


def person(username: str, group: str) -> User:
    from django.contrib.auth.models import Group

    user = User.objects.create_user(username, password="a-long-test-password")
    user.groups.add(Group.objects.get(name=group))
    return user


def switch_sergeant_approval(page: BoroughPage, on: bool) -> None:
    page.sergeant_approval = on
    page.save_revision().publish()


def test_without_sergeant_approval_officers_publish_directly(southwark):
    officer = person("pc", "Southwark officers")
    rye_lane = WardPage.objects.get(ward__code="E05011113")

    assert rye_lane.permissions_for_user(officer).can_publish()
    assert rye_lane.get_workflow() is None


def test_with_sergeant_approval_only_sergeants_publish_and_officers_submit(southwark):
    officer = person("pc", "Southwark officers")
    sergeant = person("sgt", "Southwark sergeants")
    switch_sergeant_approval(southwark, True)
    rye_lane = WardPage.objects.get(ward__code="E05011113")

    assert not rye_lane.permissions_for_user(officer).can_publish()
    assert rye_lane.permissions_for_user(officer).can_edit()
    assert rye_lane.permissions_for_user(sergeant).can_publish()
    workflow = rye_lane.get_workflow()
    assert workflow.name == "Southwark: sergeant approval"

    rye_lane.introduction = "<p>Changed by the PC.</p>"
    revision = rye_lane.save_revision(user=officer)
    state = workflow.start(rye_lane, officer)
    assert not WardPage.objects.get(pk=rye_lane.pk).introduction  # not live until approved
    state.current_task_state.task.specific.on_action(state.current_task_state, sergeant, "approve")

    assert WardPage.objects.get(pk=rye_lane.pk).introduction == "<p>Changed by the PC.</p>"
    assert WardPage.objects.get(pk=rye_lane.pk).live_revision_id == revision.pk


def test_switching_it_off_gives_officers_publishing_back(southwark):
    officer = person("pc", "Southwark officers")
    switch_sergeant_approval(southwark, True)
    switch_sergeant_approval(southwark, False)
    rye_lane = WardPage.objects.get(ward__code="E05011113")

    assert rye_lane.permissions_for_user(officer).can_publish()
    assert rye_lane.get_workflow() is None


def test_ward_editors_follow_their_boroughs_setting(southwark):
    User.objects.create_user("pcso", password="a-long-test-password")
    call_command("add_officer", "pcso", "--ward", "E05011113", stdout=StringIO())
    pcso = User.objects.get(username="pcso")
    rye_lane = WardPage.objects.get(ward__code="E05011113")
    assert rye_lane.permissions_for_user(pcso).can_publish()

    switch_sergeant_approval(southwark, True)

    pcso = User.objects.get(username="pcso")  # a fresh login: permissions are cached on the user
    assert not rye_lane.permissions_for_user(pcso).can_publish()
    assert rye_lane.permissions_for_user(pcso).can_edit()


def test_the_other_boroughs_are_not_affected(southwark):
    switch_sergeant_approval(southwark, True)

    assert WardPage.objects.get(ward__code="E05013806").get_workflow() is None
