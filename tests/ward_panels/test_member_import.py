"""Importing ward panel members from a spreadsheet: blank cells never overwrite, consent is what the
file says (or the person is asked by email, once), British dates, a bad file changes nothing; and
the member list says who agreed, and when."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ward_panels.models import CONSENT_WORDING, PanelMember, WardPanel
from ward_panels.services import (
    members_confirmation_request,
    members_import,
    membership_confirm,
    membership_request,
    personal_data_purge,
)

RYE_LANE = "E05011113"
WORDING = "I agree that PC Smith may email me about the Rye Lane panel (sign-up sheet, 3 November 2026)."


def london(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def panel(sample_london) -> WardPanel:
    return WardPanel.objects.create(ward_id=RYE_LANE)


@pytest.fixture
def officer(officers, client):
    client.force_login(officers[0])
    return officers[0]


def upload(client, panel, text: str) -> str:
    file = SimpleUploadedFile("members.csv", text.encode(), "text/csv")
    return client.post(f"/admin/ward-panels/panels/{panel.pk}/import/", {"file": file}).content.decode()


def test_a_repeated_row_with_empty_cells_keeps_what_is_recorded(panel):
    members_import(
        panel=panel,
        text="name,email,phone,joined_on,consent_wording,consented_at\n"
        f'Bola Ade,bola@example.org,020 7946 0000,05/01/2026,"{WORDING}",05/01/2026 19:10\n',
    )
    before = PanelMember.objects.values().get(email="bola@example.org")

    report = members_import(
        panel=panel,
        text="name,email,phone,joined_on,consent_wording,consented_at\n,BOLA@example.org,,,,\n",
    )

    assert (report.added, report.updated, report.unchanged, report.problems) == (0, 0, 1, [])
    assert PanelMember.objects.values().get(email="bola@example.org") == before
    assert before["phone"] == "020 7946 0000" and before["joined_on"] == datetime.date(2026, 1, 5)


def test_a_filled_cell_updates_only_what_it_says(panel):
    members_import(panel=panel, text="name,email,phone\nBola Ade,bola@example.org,020 7946 0000\n")

    report = members_import(panel=panel, text="name,email,phone\n,bola@example.org,07700 900123\n")

    member = PanelMember.objects.get(email="bola@example.org")
    assert report.updated == 1 and (member.name, member.phone) == ("Bola Ade", "07700 900123")


def test_consent_is_recorded_exactly_as_the_file_gives_it(panel):
    report = members_import(
        panel=panel,
        text="email,name,consent_wording,consented_at\n"
        f'bola@example.org,Bola Ade,"{WORDING}",03/11/2026 18:30\n'
        f'cat@example.org,Cat Lee,"{WORDING}",04/11/2026\n'
        f'dev@example.org,Dev Rao,"{WORDING}",2026-11-05 09:15\n',
    )

    assert report.problems == [] and report.added == 3 and report.to_confirm == []
    members = {m.email: m for m in PanelMember.objects.all()}
    assert members["bola@example.org"].consent_given_at == london(2026, 11, 3, 18, 30)
    assert members["cat@example.org"].consent_given_at == london(2026, 11, 4)  # a day alone: its start
    assert members["dev@example.org"].consent_given_at == london(2026, 11, 5, 9, 15)
    assert {m.consent_wording for m in members.values()} == {WORDING}
    assert PanelMember.objects.active().count() == 3  # their consent is on record: they count as confirmed
    assert mail.outbox == []


def test_without_consent_in_the_file_they_are_asked_by_email_once(client, officer, panel):
    page = upload(client, panel, "name,email,phone\nBola Ade,bola@example.org,\n")

    assert "1 added, 0 updated, 0 unchanged" in page and "1 without consent in the file is being emailed" in page
    member = PanelMember.objects.get(email="bola@example.org")
    assert member.consent_given_at is None and member.consent_wording == "" and member.confirmed_at is None
    assert not PanelMember.objects.active().exists()
    assert [m.to for m in mail.outbox] == [["bola@example.org"]]
    assert mail.outbox[0].subject == "Confirm you want to be on the Rye Lane ward panel"

    page = upload(client, panel, "name,email,phone\nBola Ade,bola@example.org,\n")  # the same file again

    assert "0 added, 0 updated, 1 unchanged" in page and "emailed a link" not in page
    assert len(mail.outbox) == 1
    listing = client.get("/admin/snippets/ward_panels/panelmember/").content.decode()
    assert f"Awaiting confirmation: emailed {timezone.localdate():%-d %B %Y}" in listing

    link = re.search(r"http\S+/ward-panels/join/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    shown = client.get(f"/{path}").content.decode()
    assert CONSENT_WORDING in shown and "Yes, I want to join" in shown
    client.post(f"/{path}")

    member.refresh_from_db()
    assert member.consent_wording == CONSENT_WORDING and member.consent_given_at is not None
    assert PanelMember.objects.active().filter(pk=member.pk).exists()


def test_a_member_added_before_without_consent_is_asked_and_one_who_left_is_not(panel):
    kept = PanelMember.objects.create(panel=panel, name="Kept", email="kept@example.org", confirmed_at=timezone.now())
    PanelMember.objects.create(panel=panel, name="Gone", email="gone@example.org", left_on=timezone.localdate())

    report = members_import(panel=panel, text="name,email\nKept,kept@example.org\nGone,gone@example.org\n")

    assert report.to_confirm == [kept.pk]
    assert PanelMember.objects.get(email="gone@example.org").left_on == timezone.localdate()  # not brought back


def test_someone_imported_without_consent_who_asks_to_join_is_only_sent_the_link(panel):
    members_import(panel=panel, text="name,email\nBola Ade,bola@example.org\n")
    PanelMember.objects.filter(email="bola@example.org").update(confirmation_requested_at=timezone.now())

    membership_request(ward=panel.ward, name="Someone Else", email="bola@example.org")

    member = PanelMember.objects.get(email="bola@example.org")
    assert (member.name, member.consent_given_at) == ("Bola Ade", None)  # a stranger may have typed the address
    assert mail.outbox[-1].subject == "Confirm you want to join the Rye Lane ward panel"


def test_british_dates_are_read_day_first(panel):
    report = members_import(panel=panel, text="name,email,joined_on\nBola Ade,bola@example.org,25/12/2026\n")

    assert report.problems == []
    assert PanelMember.objects.get(email="bola@example.org").joined_on == datetime.date(2026, 12, 25)
    report = members_import(panel=panel, text="name,email,joined_on\nCat Lee,cat@example.org,12/25/2026\n")
    assert report.problems == ["Row 2: joined_on '12/25/2026' is not a date like 25/12/2026."]


def test_a_file_with_mistakes_imports_nothing_and_lists_every_one_by_row(panel):
    PanelMember.objects.create(panel=panel, name="Ada Obi", email="ada@example.org", phone="020 7946 0001")

    report = members_import(
        panel=panel,
        text="name,email,phone,consent_wording,consented_at\n"
        "Bola Ade,bola@example.org,,,\n"
        ",nobody@example.org,,,\n"
        "Cat Lee,not-an-email,,,\n"
        f'Dev Rao,dev@example.org,,"{WORDING}",\n'
        "Eve Kim,eve@example.org,,,31/02/2026\n"
        "Ada Obi,ada@example.org,07700 900123,,\n"
        "Bola Ade,BOLA@example.org,,,\n",
    )

    assert (report.added, report.updated, report.to_confirm) == (0, 0, [])
    assert report.problems == [
        "Row 3: no name.",
        "Row 4: not-an-email is not an email address.",
        "Row 5: give both consent_wording and consented_at (the words they agreed to, and when), "
        "or neither to ask them by email.",
        "Row 6: consented_at '31/02/2026' is not a date like 25/12/2026, or a date and time like "
        "25/12/2026 18:30; give both consent_wording and consented_at (the words they agreed to, and when), "
        "or neither to ask them by email.",
        "Row 8: bola@example.org is also on row 2.",
    ]
    assert list(PanelMember.objects.values_list("email", "phone")) == [("ada@example.org", "020 7946 0001")]
    assert mail.outbox == []


def test_a_column_the_import_does_not_know_is_refused_rather_than_ignored(panel):
    report = members_import(panel=panel, text="name,email,consent_given_on\nBola Ade,bola@example.org,2026-01-05\n")

    assert report.problems == [
        "The first row names columns this import does not know: consent_given_on. "
        "Use only these: name, email, phone, joined_on, consent_wording, consented_at."
    ]
    assert not PanelMember.objects.exists()


def test_a_row_with_more_cells_than_columns_is_a_mistake_not_an_error(client, officer, panel):
    page = upload(client, panel, "name,email\nBola Ade,bola@example.org,extra\n")

    assert "Nothing was imported" in page and "Row 2: more cells than the first row has column names." in page


def test_the_member_list_shows_consent_in_the_same_queries_however_many(client, officer, panel):
    now = timezone.now()

    def listing_queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/admin/snippets/ward_panels/panelmember/")
        assert page.status_code == 200
        return len(queries), page.content.decode()

    PanelMember.objects.create(
        panel=panel, name="Ada", email="ada@example.org", consent_given_at=london(2026, 11, 3, 18, 30), confirmed_at=now
    )
    few, _ = listing_queries()
    PanelMember.objects.create(panel=panel, name="Bola", email="bola@example.org", consent_given_at=london(2026, 11, 4))
    PanelMember.objects.create(panel=panel, name="Cat", email="cat@example.org", confirmation_requested_at=now)
    PanelMember.objects.create(panel=panel, name="Dev", email="dev@example.org", confirmed_at=now)
    many, page = listing_queries()

    assert many == few
    assert "Confirmed: agreed 3 November 2026" in page
    assert "Awaiting confirmation: asked to join online 4 November 2026" in page
    assert f"Awaiting confirmation: emailed {timezone.localdate():%-d %B %Y}" in page
    assert "Not agreed: sent nothing" in page


def test_when_the_emails_cannot_be_queued_importing_again_sends_them(client, officer, panel, monkeypatch):
    from kombu.exceptions import OperationalError

    from ward_panels import tasks

    def unreachable(*args, **kwargs):
        raise OperationalError("the broker is down")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.members_confirmation_request, "delay", unreachable)
        page = upload(client, panel, "name,email\nBola Ade,bola@example.org\n")

    assert "1 without consent in the file could not be emailed just now" in page and mail.outbox == []
    page = upload(client, panel, "name,email\nBola Ade,bola@example.org\n")
    assert "0 added, 0 updated, 1 unchanged" in page and "is being emailed a link" in page
    assert [m.to for m in mail.outbox] == [["bola@example.org"]]


def test_people_imported_who_never_confirm_are_deleted_a_day_after_their_link_expires(panel):
    asked = timezone.now() - datetime.timedelta(days=30)
    members_import(
        panel=panel,
        text="name,email,consent_wording,consented_at\n"
        "Old Ask,old@example.org,,\n"
        "Recent Ask,recent@example.org,,\n"
        "Said Yes,yes@example.org,,\n"
        f'On File,file@example.org,"{WORDING}",01/01/2026\n',
        now=asked,
    )
    members_confirmation_request(members=PanelMember.objects.exclude(email="recent@example.org"), now=asked)
    members_confirmation_request(
        members=PanelMember.objects.filter(email="recent@example.org"), now=asked + datetime.timedelta(days=2)
    )
    link = next(m.body for m in mail.outbox if m.to == ["yes@example.org"])
    membership_confirm(token=re.search(r"/ward-panels/join/(\S+)/", link).group(1), now=asked)
    membership_request(ward=panel.ward, name="Online", email="online@example.org", now=asked)

    personal_data_purge(now=asked + datetime.timedelta(days=8, hours=-1))
    assert PanelMember.objects.count() == 5  # the links lasted 7 days, and there is a day's grace

    personal_data_purge(now=asked + datetime.timedelta(days=9))
    left = set(PanelMember.objects.values_list("email", flat=True))
    assert left == {"recent@example.org", "yes@example.org", "file@example.org"}

    personal_data_purge(now=asked + datetime.timedelta(days=11))
    assert set(PanelMember.objects.values_list("email", flat=True)) == {"yes@example.org", "file@example.org"}


def test_someone_deleted_for_never_confirming_is_asked_again_once_when_imported_again(client, officer, panel):
    upload(client, panel, "name,email\nBola Ade,bola@example.org\n")
    assert len(mail.outbox) == 1

    personal_data_purge(now=timezone.now() + datetime.timedelta(days=9))
    assert not PanelMember.objects.exists()

    page = upload(client, panel, "name,email\nBola Ade,bola@example.org\n")
    assert "1 added, 0 updated, 0 unchanged" in page and "1 without consent in the file is being emailed" in page
    page = upload(client, panel, "name,email\nBola Ade,bola@example.org\n")
    assert "emailed a link" not in page
    assert [m.to for m in mail.outbox] == [["bola@example.org"]] * 2
    assert "we will delete your details" in mail.outbox[1].body
