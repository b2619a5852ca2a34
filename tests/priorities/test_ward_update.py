"""Officers' "Update my ward": the after-meeting update on one admin page, each change saved as a
revision of the ward page and published, or sent to a sergeant where the borough has approval on."""

import datetime
import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageLogEntry

from priorities.models import BoroughPage, Event, Priority, PriorityCategory, PriorityUpdate, WardPage
from priorities.selectors import draft_priorities
from priorities.services import PriorityProgress, Revised, team_page_submit, ward_update_save
from tests.factories import ward_page_form

RYE_LANE, ST_JAMESS = "E05011113", "E05013806"


def person(username: str, group: str) -> User:
    user = User.objects.create_user(username, password="a-long-test-password")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def officer(sample_london):
    return person("pc.southwark", "Southwark officers")


@pytest.fixture
def rye_lane(sample_london):
    return WardPage.objects.get(ward__code=RYE_LANE)


def approval_on() -> None:
    southwark = BoroughPage.objects.get(borough__code="E09000028")
    southwark.sergeant_approval = True
    southwark.save_revision().publish()


def url(page) -> str:
    return f"/admin/wards/{page.pk}/update/"


def progress(priority, **fields) -> dict:
    """A priority's section of the page's one form, as posted: unchanged but for `fields`."""
    data = {
        "status": priority.status,
        "outcome": priority.outcome,
        "review_by": f"{priority.review_by:%d/%m/%Y}",
        "we_did": "",
        "date": "",
    } | fields
    return {f"priority-{priority.pk}-{k}": v for k, v in data.items()}


def empty_additions() -> dict:
    """The page's "Add a priority" and "Add a meeting" sections, left as they come."""
    return {
        "new-priority-title": "",
        "new-priority-category": "",
        "new-priority-you_said": "",
        "new-priority-agreed_on": "",
        "new-priority-review_by": "",
        "meeting-kind": "ward_panel",
        "meeting-title": "",
        "meeting-day": "",
        "meeting-starts": "",
        "meeting-ends": "",
        "meeting-place": "",
        "meeting-accessibility": "",
    }


def save(*sections: dict) -> dict:
    """The page's one form, posted with its Save button: every section as sent (additions empty)."""
    data = {"action": "save"} | empty_additions()
    for section in sections:
        data |= section
    return data


def the_progress(priority, **fields) -> dict:
    """ward_update_save's progress for one priority: unchanged but for `fields`."""
    done = {"status": priority.status, "outcome": priority.outcome, "review_by": priority.review_by} | fields
    return {str(priority.pk): PriorityProgress(**done)}


# The service ----------------------------------------------------------------------------------


def test_an_update_is_a_revision_of_the_ward_page_published_by_the_officer(officer, rye_lane, add_priority):
    priority = add_priority(rye_lane)

    outcome = ward_update_save(
        page=rye_lane,
        user=officer,
        progress=the_progress(
            priority, update=PriorityUpdate(date=datetime.date(2026, 11, 3), we_did="Speed checks on three mornings.")
        ),
    )

    assert outcome == Revised.LIVE == "Live on the ward page"
    page = WardPage.objects.get(pk=rye_lane.pk)
    assert page.live_revision == page.latest_revision
    assert page.latest_revision.user == officer
    assert [u.we_did for u in PriorityUpdate.objects.filter(priority__ward_page=page)] == [
        "Speed checks on three mornings."
    ]
    assert PageLogEntry.objects.filter(page=page, action="wagtail.edit", user=officer).exists()
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish", user=officer).exists()


def test_with_sergeant_approval_changes_are_saved_then_sent_to_a_sergeant(officer, rye_lane, add_priority):
    priority = add_priority(rye_lane)
    approval_on()
    sergeant = person("sgt.southwark", "Southwark sergeants")
    officer = User.objects.get(pk=officer.pk)  # permissions are cached on the user

    saved = ward_update_save(
        page=rye_lane, user=officer, progress=the_progress(priority, status="resolved", outcome="Speed humps went in.")
    )
    sent = team_page_submit(page=WardPage.objects.get(pk=rye_lane.pk), user=officer)

    assert saved == Revised.SAVED_FOR_APPROVAL and "not on the ward page yet" in saved
    assert sent == Revised.AWAITING_APPROVAL == "Sent to a sergeant for approval"
    assert Priority.objects.get(pk=priority.pk).status == "active"  # the public page is unchanged
    page = WardPage.objects.get(pk=rye_lane.pk)
    state = page.current_workflow_state
    assert state.requested_by == officer and state.workflow.name == "Southwark: sergeant approval"

    state.current_task_state.task.specific.on_action(state.current_task_state, sergeant, "approve")

    assert Priority.objects.get(pk=priority.pk).status == "resolved"


def test_a_page_waiting_for_a_sergeant_cannot_be_changed_by_the_officer(officer, rye_lane, add_priority):
    """As in the page editor: the sergeant approves exactly what they saw."""
    priority = add_priority(rye_lane)
    approval_on()
    officer = User.objects.get(pk=officer.pk)
    ward_update_save(
        page=rye_lane, user=officer, progress=the_progress(priority, update=PriorityUpdate(we_did="First."))
    )
    team_page_submit(page=WardPage.objects.get(pk=rye_lane.pk), user=officer)

    with pytest.raises(ValidationError) as refused:
        ward_update_save(
            page=WardPage.objects.get(pk=rye_lane.pk),
            user=officer,
            progress=the_progress(priority, update=PriorityUpdate(we_did="Second visit.")),
        )

    assert "waiting for a sergeant's approval" in refused.value.messages[0]
    assert WardPage.objects.get(pk=rye_lane.pk).revisions.count() == 1


def test_a_priority_added_but_not_yet_approved_can_be_updated_before_sending(officer, rye_lane):
    """Not yet published, it has no id: the form names it by its place among the page's priorities."""
    approval_on()
    officer = User.objects.get(pk=officer.pk)
    new = Priority(
        title="Bikes stolen",
        category=PriorityCategory.objects.get_or_create(name="Speeding")[0],
        you_said="Bikes go from the racks.",
        agreed_on=datetime.date(2026, 11, 5),
    )
    ward_update_save(page=rye_lane, user=officer, priority=new)
    draft = WardPage.objects.get(pk=rye_lane.pk).get_latest_revision_as_object()
    assert list(draft_priorities(draft)) == ["new0"]

    ward_update_save(
        page=WardPage.objects.get(pk=rye_lane.pk),
        user=officer,
        progress={
            "new0": PriorityProgress(
                status="active",
                outcome="",
                review_by=datetime.date(2027, 5, 5),
                update=PriorityUpdate(date=datetime.date(2026, 11, 20), we_did="Marked 40 bikes."),
            )
        },
    )

    draft = WardPage.objects.get(pk=rye_lane.pk).get_latest_revision_as_object()
    (priority,) = draft.priorities.all()
    assert priority.review_by == datetime.date(2027, 5, 5)
    assert [u.we_did for u in priority.updates.all()] == ["Marked 40 bikes."]
    assert not Priority.objects.filter(ward_page=rye_lane).exists()  # nothing public until approved


def test_an_administrators_admin_home_does_not_list_all_of_london(client, sample_london, monkeypatch):
    from priorities import wagtail_hooks

    monkeypatch.setattr(wagtail_hooks, "WARDS_LISTED", 3)  # the sample has five wards
    client.force_login(User.objects.create_superuser("admin", password="a-long-test-password"))

    html = client.get("/admin/").content.decode()

    assert 'choose "Update my ward" from its menu' in html.replace("&quot;", '"')
    assert "/update/" not in html


def test_a_fourth_active_priority_is_refused_with_the_rule_in_plain_words(officer, rye_lane, add_priority):
    for title in ("One", "Two", "Three"):
        add_priority(rye_lane, title=title)
    fourth = Priority(
        title="Four",
        category=PriorityCategory.objects.get(name="Speeding"),
        you_said="Parking on the pavement.",
        agreed_on=timezone.localdate(),
    )

    with pytest.raises(ValidationError) as refused:
        ward_update_save(page=rye_lane, user=officer, priority=fourth)

    assert refused.value.messages == [
        "A ward can have at most 3 active priorities. Mark one as resolved or closed before you add another."
    ]
    assert not WardPage.objects.get(pk=rye_lane.pk).revisions.exists()  # nothing saved


def test_an_officer_of_another_borough_may_not_change_the_page(officers, rye_lane, add_priority):
    priority = add_priority(rye_lane)
    _, westminster = officers

    with pytest.raises(PermissionDenied):
        ward_update_save(page=rye_lane, user=westminster, progress=the_progress(priority, review_by=None))


# The page -------------------------------------------------------------------------------------


def test_the_admin_home_is_named_for_the_site_and_lists_the_officers_wards(client, officer):
    client.force_login(officer)

    html = client.get("/admin/").content.decode()

    assert "<h1" in html and "Safer Neighbourhoods" in html[html.index("<h1") : html.index("</h1>")]
    panel = html[html.index('id="update-my-ward-heading"') :]
    panel = panel[: panel.index("</section>")]
    rye_lane = WardPage.objects.get(ward__code=RYE_LANE)
    assert f'href="/admin/wards/{rye_lane.pk}/update/"' in panel
    assert "Update Rye Lane" in panel and "St. James" not in panel


def test_the_wards_panel_costs_the_same_queries_however_many_wards(client, sample_london):
    one = User.objects.create_user("pcso", password="a-long-test-password")
    one.groups.add(*Group.objects.filter(name__in=["Southwark officers"]))
    many = User.objects.create_user("inspector", password="a-long-test-password")
    many.groups.add(*Group.objects.filter(name__in=["Southwark officers", "Westminster officers"]))
    counts = []
    for user in (one, many):
        client.force_login(user)
        client.get("/admin/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_update_page_lists_the_active_priorities_each_with_its_form(client, officer, rye_lane, add_priority):
    add_priority(rye_lane, title="Speeding on Rye Lane", updates=[(3, "Speed checks.")])
    add_priority(rye_lane, title="Old one", status=Priority.Status.RESOLVED)
    client.force_login(officer)

    html = client.get(url(rye_lane)).content.decode()

    assert "Speeding on Rye Lane" in html and "Speed checks." in html
    assert "Old one" not in html
    assert '<label class="w-field__label" for="id_priority-' in html  # every field labelled
    assert "Add a meeting" in html and "Add a priority" in html


def test_retiring_a_priority_and_adding_another_go_live(client, officer, rye_lane, add_priority):
    old = add_priority(rye_lane, title="Speeding on Rye Lane")
    client.force_login(officer)

    response = client.post(
        url(rye_lane),
        save(
            progress(old, status="resolved", outcome="Speed humps went in.", we_did="Humps laid."),
            {
                "new-priority-title": "Bikes stolen at the station",
                "new-priority-category": PriorityCategory.objects.get(name="Speeding").pk,
                "new-priority-you_said": "Bikes go from the racks.",
                "new-priority-agreed_on": "05/11/2026",
                "new-priority-review_by": "",
            },
        ),
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "“Speeding on Rye Lane” updated, priority “Bikes stolen at the station” added. Live on the ward page."
    ]
    assert WardPage.objects.get(pk=rye_lane.pk).revisions.count() == 1  # one save, one revision
    active = Priority.objects.get(ward_page=rye_lane, status="active")
    assert active.title == "Bikes stolen at the station"
    assert active.agreed_on == datetime.date(2026, 11, 5) and active.review_by == datetime.date(2027, 2, 5)
    assert Priority.objects.get(pk=old.pk).status == "resolved"
    assert client.get("/southwark/rye-lane/").content.decode().count("Bikes stolen at the station") >= 1


def test_mistakes_are_summarised_and_nothing_is_saved(client, officer, rye_lane, add_priority):
    priority = add_priority(rye_lane)
    client.force_login(officer)

    response = client.post(url(rye_lane), save(progress(priority, status="resolved", review_by="31/02/2027")))

    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index("There is a problem") : html.index("</ul>", html.index("There is a problem"))]
    assert f'href="#id_priority-{priority.pk}-review_by"' in summary
    assert "Enter the review date as day/month/year" in summary
    assert not WardPage.objects.get(pk=rye_lane.pk).revisions.exists()

    response = client.post(url(rye_lane), save(progress(priority, status="resolved")))  # no outcome

    assert "Say what changed, or why the priority was closed, before you close it." in response.content.decode()
    assert Priority.objects.get(pk=priority.pk).status == "active"


def test_the_three_priority_rule_is_shown_on_the_add_form(client, officer, rye_lane, add_priority):
    for title in ("One", "Two", "Three"):
        add_priority(rye_lane, title=title)
    client.force_login(officer)

    response = client.post(
        url(rye_lane),
        save(
            {
                "new-priority-title": "Four",
                "new-priority-category": PriorityCategory.objects.get(name="Speeding").pk,
                "new-priority-you_said": "Parking.",
                "new-priority-agreed_on": "05/11/2026",
            }
        ),
    )

    assert response.status_code == 200
    assert "A ward can have at most 3 active priorities." in response.content.decode()
    assert Priority.objects.filter(ward_page=rye_lane).count() == 3


def test_a_meeting_is_added_in_london_time(client, officer, rye_lane):
    client.force_login(officer)
    day = timezone.localdate() + datetime.timedelta(days=20)

    response = client.post(
        url(rye_lane),
        save(
            {
                "meeting-title": "Rye Lane ward panel",
                "meeting-day": f"{day:%d/%m/%Y}",
                "meeting-starts": "6:30pm",
                "meeting-ends": "20:00",
                "meeting-place": "Peckham Library, SE15 5JR",
            }
        ),
        follow=True,
    )

    assert "Meeting “Rye Lane ward panel” added. Live on the ward page." in [
        str(m) for m in response.context["messages"]
    ]
    event = Event.objects.get(ward_page=rye_lane)
    assert timezone.localtime(event.starts_at).time() == datetime.time(18, 30)

    response = client.post(
        url(rye_lane),
        save(
            {
                "meeting-title": "Backwards",
                "meeting-day": f"{day:%d/%m/%Y}",
                "meeting-starts": "20:00",
                "meeting-ends": "18:00",
                "meeting-place": "Peckham Library, SE15 5JR",
            }
        ),
    )
    assert 'href="#id_meeting-ends">The finish time must be after the start time.' in response.content.decode()


def test_with_approval_on_the_officer_sends_their_changes_to_a_sergeant(client, officer, rye_lane, add_priority):
    priority = add_priority(rye_lane)
    approval_on()
    client.force_login(officer)

    response = client.post(url(rye_lane), save(progress(priority, we_did="Leaflets at the school gate.")), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "“Speeding on Rye Lane” updated. Saved, but not on the ward page yet: when you have made all your "
        "changes, send them to a sergeant."
    ]
    html = response.content.decode()
    assert "Your changes are not on the ward page yet" in html
    assert html.count("Save and send to a sergeant for approval</button>") == 1  # one way to send: no second form
    assert 'name="action" value="submit"' not in html

    # Nothing more typed: "Save and send" sends what was saved before.
    response = client.post(url(rye_lane), save(progress(priority)) | {"then": "submit"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Sent to a sergeant for approval."]
    html = response.content.decode()
    assert "awaiting a sergeant's approval" in html and 'value="save"' not in html  # no forms while it waits
    assert "Leaflets at the school gate." not in client.get("/southwark/rye-lane/").content.decode()
    response = client.post(url(rye_lane), save(progress(priority, we_did="Sneaked in.")), follow=True)
    assert "Nothing was saved." in [str(m) for m in response.context["messages"]][0]


def test_save_and_send_saves_what_was_typed_and_sends_it_in_one_click(client, officer, rye_lane, add_priority):
    priority = add_priority(rye_lane)
    approval_on()
    client.force_login(officer)

    response = client.post(
        url(rye_lane),
        save(progress(priority, we_did="Speed checks on three mornings.")) | {"then": "submit"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "“Speeding on Rye Lane” updated. Sent to a sergeant for approval."
    ]
    page = WardPage.objects.get(pk=rye_lane.pk)
    state = page.current_workflow_state
    assert state is not None and state.status == state.STATUS_IN_PROGRESS and state.requested_by == officer
    assert "Speed checks on three mornings." in json.dumps(page.latest_revision.content)
    assert state.current_task_state.revision == page.latest_revision  # what was typed is what was sent
    assert page.revisions.count() == 1
    assert not PriorityUpdate.objects.exists()  # the public page is unchanged
    assert "Speed checks on three mornings." not in client.get("/southwark/rye-lane/").content.decode()


def test_save_and_send_with_a_mistake_saves_and_sends_nothing(client, officer, rye_lane, add_priority):
    first, second = add_priority(rye_lane, title="Speeding"), add_priority(rye_lane, title="Bikes")
    approval_on()
    client.force_login(officer)

    response = client.post(
        url(rye_lane),
        save(progress(first, we_did="Speed checks on three mornings."), progress(second, review_by="31/02/2027"))
        | {"then": "submit"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem: nothing was saved" in html
    assert "Speed checks on three mornings.</textarea>" in html  # typed, not lost
    assert "Save and send to a sergeant for approval</button>" in html  # to send once put right
    page = WardPage.objects.get(pk=rye_lane.pk)
    assert not page.revisions.exists() and page.current_workflow_state is None


def test_without_approval_save_and_send_is_not_offered(client, officer, rye_lane, add_priority):
    priority = add_priority(rye_lane)
    client.force_login(officer)

    assert "Save and send" not in client.get(url(rye_lane)).content.decode()
    response = client.post(
        url(rye_lane), save(progress(priority, we_did="Leaflets.")) | {"then": "submit"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["“Speeding on Rye Lane” updated. Live on the ward page."]
    assert WardPage.objects.get(pk=rye_lane.pk).current_workflow_state is None


def test_another_boroughs_ward_is_not_found_and_bad_posts_are_no_500(client, officers, rye_lane, add_priority):
    priority = add_priority(rye_lane)
    southwark, westminster = officers
    client.force_login(westminster)
    assert client.get(url(rye_lane)).status_code == 404
    assert client.post(url(rye_lane), save(progress(priority, we_did="Taken over"))).status_code == 404

    client.force_login(southwark)
    assert client.post(url(rye_lane), {"action": "save", "priority-nonsense-we_did": "Gone"}).status_code == 200
    assert client.post(url(rye_lane), {"action": "save", "meeting-title": "No date"}).status_code == 200
    assert client.post(url(rye_lane), {"action": "nonsense"}).status_code == 200
    assert client.post(url(rye_lane), {}).status_code == 200
    assert not PriorityUpdate.objects.exists()


def test_a_ward_page_in_the_area_the_officer_may_not_edit_is_forbidden(client, sample_london, rye_lane):
    """A group that may only lock the page has the page in its area, but may not change it."""
    from wagtail.models import GroupPagePermission

    group = Group.objects.create(name="Lockers")
    GroupPagePermission.objects.create(group=group, page=rye_lane, permission_type="lock")
    group.permissions.add(*Group.objects.get(name="Southwark officers").permissions.all())
    locker = User.objects.create_user("locker", password="a-long-test-password")
    locker.groups.add(group)
    client.force_login(locker)

    response = client.get(url(rye_lane), follow=True)  # Wagtail's admin answers a 403 so
    assert response.redirect_chain == [("/admin/", 302)]
    assert "Sorry, you do not have permission" in [str(m) for m in response.context["messages"]][0]


# One form for the whole update ------------------------------------------------------------------


def meeting(day: datetime.date, title="Rye Lane ward panel", starts="18:30") -> dict:
    return {
        "meeting-title": title,
        "meeting-day": f"{day:%d/%m/%Y}",
        "meeting-starts": starts,
        "meeting-ends": "20:00",
        "meeting-place": "Peckham Library, SE15 5JR",
    }


def test_everything_typed_on_the_page_is_saved_together_in_one_revision(client, officer, rye_lane, add_priority):
    first, second = add_priority(rye_lane, title="Speeding"), add_priority(rye_lane, title="Bikes")
    client.force_login(officer)
    day = timezone.localdate() + datetime.timedelta(days=20)

    response = client.post(
        url(rye_lane),
        save(
            progress(first, we_did="Speed checks on three mornings."),
            progress(second, we_did="Marked 40 bikes."),
            meeting(day),
        ),
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "“Speeding” updated, “Bikes” updated, meeting “Rye Lane ward panel” added. Live on the ward page."
    ]
    assert WardPage.objects.get(pk=rye_lane.pk).revisions.count() == 1
    assert sorted(PriorityUpdate.objects.values_list("we_did", flat=True)) == [
        "Marked 40 bikes.",
        "Speed checks on three mornings.",
    ]
    assert Event.objects.filter(ward_page=rye_lane, title="Rye Lane ward panel").exists()
    html = response.content.decode()
    assert html.count('type="submit">Save</button>') == 1  # one Save for the whole update


def test_a_mistake_in_one_section_keeps_what_was_typed_in_the_others(client, officer, rye_lane, add_priority):
    first, second = add_priority(rye_lane, title="Speeding"), add_priority(rye_lane, title="Bikes")
    client.force_login(officer)

    response = client.post(
        url(rye_lane),
        save(
            progress(first, we_did="Speed checks on three mornings."),
            progress(second, review_by="31/02/2027"),
            {"new-priority-title": "Parking on the pavement"},
        ),
    )

    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index("There is a problem") : html.index("</ul>", html.index("There is a problem"))]
    assert f'href="#id_priority-{second.pk}-review_by"' in summary
    assert 'href="#id_new-priority-you_said">Enter the you said.' in summary
    assert "Speed checks on three mornings.</textarea>" in html  # typed, not lost
    assert 'value="Parking on the pavement"' in html
    assert not WardPage.objects.get(pk=rye_lane.pk).revisions.exists()


def test_a_we_did_dated_in_the_future_is_refused_and_today_is_fine(client, officer, rye_lane, add_priority):
    priority = add_priority(rye_lane)
    client.force_login(officer)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        url(rye_lane), save(progress(priority, we_did="Ahead of time.", date=f"{tomorrow:%d/%m/%Y}"))
    )

    assert f'href="#id_priority-{priority.pk}-date">The date of a “we did” update cannot be in the future.' in (
        response.content.decode()
    )
    assert not PriorityUpdate.objects.exists()
    today = f"{timezone.localdate():%d/%m/%Y}"
    assert client.post(url(rye_lane), save(progress(priority, we_did="Done.", date=today))).status_code == 302
    assert PriorityUpdate.objects.get().date == timezone.localdate()


def test_a_new_meeting_in_the_past_is_refused(client, officer, rye_lane):
    client.force_login(officer)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    response = client.post(url(rye_lane), save(meeting(yesterday)))

    assert 'href="#id_meeting-starts">A new meeting must not start in the past' in response.content.decode()
    assert not WardPage.objects.get(pk=rye_lane.pk).revisions.exists()


def test_a_we_did_is_at_most_a_thousand_characters(client, officer, rye_lane, add_priority):
    priority = add_priority(rye_lane)
    client.force_login(officer)

    html = client.post(url(rye_lane), save(progress(priority, we_did="x" * 1001))).content.decode()

    assert "Up to 1,000 characters." in html
    assert 'href="#id_priority-' in html and "Keep “we did” to 1,000 characters or fewer (it has 1001)." in html
    assert not PriorityUpdate.objects.exists()
    with pytest.raises(ValidationError) as refused:  # however it is saved
        ward_update_save(
            page=rye_lane, user=officer, progress=the_progress(priority, update=PriorityUpdate(we_did="x" * 1001))
        )
    assert refused.value.message_dict == {
        f"{priority.pk}:we_did": ["Keep “we did” to 1,000 characters or fewer (it has 1001)."]
    }
    assert client.post(url(rye_lane), save(progress(priority, we_did="x" * 1000))).status_code == 302


def test_saving_with_nothing_changed_says_so_and_saves_no_revision(client, officer, rye_lane, add_priority):
    priority = add_priority(rye_lane)
    client.force_login(officer)

    response = client.post(url(rye_lane), save(progress(priority)), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Nothing to save: nothing was changed."]
    assert not WardPage.objects.get(pk=rye_lane.pk).revisions.exists()
    approval_on()
    response = client.post(url(rye_lane), save(progress(priority)) | {"then": "submit"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Nothing was sent. There are no changes to send: everything is already on the ward page."
    ]
    assert WardPage.objects.get(pk=rye_lane.pk).current_workflow_state is None
    assert ward_update_save(page=rye_lane, user=officer, progress=the_progress(priority)) == Revised.UNCHANGED
    assert not WardPage.objects.get(pk=rye_lane.pk).revisions.exists()


def test_the_page_editor_has_the_same_date_and_length_rules(client, sample_london, rye_lane, add_priority):
    """Future "we did" dates, overlong "we did"s and new meetings in the past are refused there too;
    a meeting already on the page stays editable once it is past."""
    client.force_login(User.objects.create_superuser("sergeant", password="a-long-test-password"))
    past = Event.objects.create(
        ward_page=rye_lane,
        title="Last month's panel",
        starts_at=timezone.now() - datetime.timedelta(days=30),
        ends_at=timezone.now() - datetime.timedelta(days=30, hours=-1),
        place="Peckham Library",
    )
    row = {
        "title": "Speeding",
        "category": PriorityCategory.objects.get_or_create(name="Speeding")[0].pk,
        "you_said": "Cars race.",
        "agreed_on": "01/09/2026",
        "review_by": "25/12/2026",
        "status": "active",
        "outcome": "",
    }
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    existing_event = {
        "id": past.pk,
        "kind": "ward_panel",
        "title": "Last month's panel, renamed",
        "starts_at": f"{timezone.localtime(past.starts_at):%d/%m/%Y %H:%M}",
        "ends_at": f"{timezone.localtime(past.ends_at):%d/%m/%Y %H:%M}",
        "place": "Peckham Library",
        "accessibility": "",
    }
    new_past = existing_event | {"id": "", "title": "Forgotten"}
    edit = f"/admin/pages/{rye_lane.pk}/edit/"

    def post(updates, events):
        data = ward_page_form(rye_lane, priorities=[row | {"updates": updates}], events=events, existing_events=1)
        return client.post(edit, data)

    html = post([{"date": f"{tomorrow:%d/%m/%Y}", "we_did": "x" * 1001}], [existing_event, new_past]).content.decode()
    assert "The date of a “we did” update cannot be in the future." in html
    assert "Keep “we did” to 1,000 characters or fewer (it has 1001)." in html
    assert "A new meeting must not start in the past" in html
    assert Event.objects.get(pk=past.pk).title == "Last month's panel"

    response = post([{"date": f"{timezone.localdate():%d/%m/%Y}", "we_did": "Checks."}], [existing_event])
    assert response.status_code == 302
    assert Event.objects.get(pk=past.pk).title == "Last month's panel, renamed"
