"""Privacy: the notice says what the retention tasks do; each task deletes what is past its period
and keeps what is not; administrators (and only they) find, copy and erase one person's data, and
every copy and erasure is logged without the address."""

import datetime
import json
import re
from html import unescape
from pathlib import Path

import pytest
import wagtail
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from newsletters.models import Delivery, NewsletterPage, Send, Subscriber, Subscription
from newsletters.selectors import audience, send_batches
from newsletters.sending import batch_send
from newsletters.services import preferences_update, send_start, subscriber_data_purge
from priorities.models import WardPage
from ward_panels.models import Answer, EqualityMonitoring, Invitation, PanelMember, Response, WardPanel, respondent_key
from ward_panels.services import equality_answers_purge, members_left_purge

RYE_LANE = "E05011113"
NOW = timezone.now()

PECKHAM = "E05011110"
DAY = datetime.timedelta(days=1)
ANN, BOB = "ann@example.org", "bob@example.org"


def subscriber(email, ward=RYE_LANE, confirmed=True, **fields) -> Subscriber:
    made = Subscriber.objects.create(email=email, confirmed_at=NOW if confirmed else None, **fields)
    Subscription.objects.create(subscriber=made, ward_id=ward, confirmed_at=NOW if confirmed else None)
    return made


def member(email, name, ward=RYE_LANE, **fields) -> PanelMember:
    panel, _ = WardPanel.objects.get_or_create(ward_id=ward)
    return PanelMember.objects.create(
        panel=panel, name=name, email=email, phone="020 7946 0000", confirmed_at=NOW, consent_given_at=NOW, **fields
    )


def answered(person: PanelMember, survey) -> Response:
    """The member invited to the survey, with their answers given through the invitation."""
    invitation = Invitation.objects.create(survey=survey, member=person, sent_at=NOW)
    response = Response.objects.create(survey=survey, invitation=invitation)
    question = survey.questions.get(kind="text")
    Answer.objects.create(response=response, question=question, value=f"{person.name} says the lights are out")
    return response


@pytest.fixture
def issue(sample_london) -> NewsletterPage:
    newsletter = NewsletterPage(title="November newsletter", summary="Speeding, and a new PCSO.")
    WardPage.objects.get(ward_id=RYE_LANE).add_child(instance=newsletter)
    newsletter.save_revision().publish()
    return newsletter


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password"))
    return client


@pytest.fixture
def people(sample_london, make_survey):
    """Ann (subscriber and panel member, with answers) and Bob (the same, another ward)."""
    survey = make_survey()
    ann_member, bob_member = member(ANN, "Ann Adeyemi"), member(BOB, "Bob Brown", ward=PECKHAM)
    answered(ann_member, survey)
    answered(bob_member, survey)
    return subscriber(ANN), subscriber(BOB, ward=PECKHAM), ann_member, bob_member


# The notice --------------------------------------------------------------------------------------


def test_the_privacy_notice_shows_the_retention_periods_the_tasks_use(client, db, settings):
    settings.SN_SUBSCRIBER_UNCONFIRMED_DAYS = 21
    settings.SN_SUBSCRIBER_RETENTION_DAYS = 400
    settings.SN_PANEL_MEMBER_RETENTION_DAYS = 500
    settings.SN_SURVEY_RETENTION_DAYS = 90
    settings.SN_EQUALITY_RETENTION_DAYS = 1000
    settings.SN_DATA_CONTROLLER = "the Test Constabulary"
    settings.SN_PRIVACY_CONTACT_EMAIL = "dpo@test.example"

    page = client.get("/privacy/")

    html = page.content.decode()
    assert page.status_code == 200 and "<h1>Privacy notice</h1>" in html
    for days in (21, 400, 500, 90, 1000):
        assert f"<strong>{days} days</strong>" in html
    assert "<strong>180 days</strong>" not in html and "<strong>30 days</strong>" not in html
    assert "The Test Constabulary is responsible" in html
    assert 'href="mailto:dpo@test.example"' in html
    assert "consent" in html and "public task" in html and "no link to you" in html


def test_the_notice_names_the_street_map_provider_only_while_the_map_is_shown(client, db, settings):
    assert "street map" not in client.get("/privacy/").content.decode()

    settings.SN_MAP_TILES_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    settings.SN_MAP_TILES_ATTRIBUTION = "© Example Mapping"

    html = client.get("/privacy/").content.decode()
    assert "Ward pages show a street map" in html and "our map provider (tiles.example.org)" in html


def test_every_page_links_to_the_notice_and_so_do_the_forms_that_take_an_email(client, sample_london, make_survey):
    survey = make_survey(audience="open")
    ward_page = client.get(WardPage.objects.get(ward_id=RYE_LANE).url).content.decode()
    join = client.get(f"/ward-panels/{RYE_LANE}/join/").content.decode()
    answering = client.get(f"/surveys/{survey.pk}/").content.decode()

    assert '<li><a href="/privacy/">Privacy</a></li>' in client.get("/search/").content.decode()  # the footer
    for page in (ward_page, join, answering):
        assert "How we use your email" in page and '<a href="/privacy/">privacy notice</a>' in page


# Retention ---------------------------------------------------------------------------------------


def test_unconfirmed_subscriptions_go_after_their_period_and_confirmed_ones_stay(sample_london, settings):
    settings.SN_SUBSCRIBER_UNCONFIRMED_DAYS = 30
    never = subscriber("never@example.org", confirmed=False)
    recent = subscriber("recent@example.org", confirmed=False)
    confirmed = subscriber(ANN)
    pending = confirmed.subscriptions.create(ward_id=PECKHAM)  # asked for one more, never confirmed it
    Subscriber.objects.filter(pk=never.pk).update(created_at=NOW - 31 * DAY)
    Subscription.objects.filter(subscriber=never).update(created_at=NOW - 31 * DAY)
    Subscription.objects.filter(pk=pending.pk).update(created_at=NOW - 31 * DAY)
    Subscriber.objects.filter(pk=recent.pk).update(created_at=NOW - 29 * DAY)
    Subscription.objects.filter(subscriber=recent).update(created_at=NOW - 29 * DAY)

    assert subscriber_data_purge(now=NOW) == 1

    assert set(Subscriber.objects.values_list("email", flat=True)) == {"recent@example.org", ANN}
    assert list(Subscription.objects.filter(subscriber=confirmed).values_list("ward_id", flat=True)) == [RYE_LANE]


def test_an_address_goes_a_retention_period_after_it_unsubscribes_from_everything(sample_london, settings):
    settings.SN_SUBSCRIBER_RETENTION_DAYS = 365
    ann, bob = subscriber(ANN), subscriber(BOB)
    preferences_update(subscriber=ann, keep=[])  # unsubscribes from everything, today

    assert subscriber_data_purge(now=NOW + 364 * DAY) == 0
    assert Subscriber.objects.filter(email=ANN).exists()
    assert subscriber_data_purge(now=NOW + 366 * DAY) == 1

    assert list(Subscriber.objects.values_list("email", flat=True)) == [BOB]  # still subscribed: kept
    bob.refresh_from_db()
    assert bob.unsubscribed_at is None


def test_a_suppressed_address_is_erased_but_still_never_emailed(client, issue, settings):
    settings.SN_SUBSCRIBER_RETENTION_DAYS = 365
    settings.SN_NEWSLETTER_RATE = 0
    bounced = subscriber(ANN, suppressed_at=NOW - 100 * DAY, suppressed_reason="bounced")
    old = Send.objects.create(newsletter=issue, subject="Old issue", html="", text="")
    Delivery.objects.create(send=old, subscriber=bounced, email=ANN, status="failed", last_error=f"550 {ANN} gone")

    assert subscriber_data_purge(now=NOW + 264 * DAY) == 0  # 364 days after it bounced
    assert Subscriber.objects.filter(email=ANN).exists()
    assert subscriber_data_purge(now=NOW + 266 * DAY) == 1

    assert not Subscriber.objects.filter(email=ANN).exists() and not Subscription.objects.exists()
    assert not Delivery.objects.filter(email=ANN).exists() and not Delivery.objects.filter(last_error__contains=ANN)
    assert Delivery.objects.get().status == "failed"  # the old send's figures stay true
    record = Subscriber.objects.get()
    assert ANN not in record.email and record.email.endswith("@suppressed.invalid")
    client.post("/newsletters/subscribe/", {"email": "Ann@Example.org", "ward": RYE_LANE})
    assert mail.outbox == [] and Subscriber.objects.count() == 1  # refused, and not stored again
    assert not audience(issue).exists()


def test_old_deliveries_lose_their_recipient_and_recent_ones_keep_it(issue, settings):
    settings.SN_SUBSCRIBER_RETENTION_DAYS = 365
    ann = subscriber(ANN)
    old = Send.objects.create(newsletter=issue, subject="Last year", html="", text="")
    Send.objects.filter(pk=old.pk).update(created_at=NOW - 366 * DAY)
    recent = Send.objects.create(
        newsletter=issue, subject="This month", html="", text="", audience=Send.Audience.NEW_SUBSCRIBERS
    )
    for send in (old, recent):
        Delivery.objects.create(send=send, subscriber=ann, email=ANN, status="sent", sent_at=NOW)

    subscriber_data_purge(now=NOW)

    kept = Delivery.objects.get(send=recent)
    unlinked = Delivery.objects.get(send=old)
    assert (kept.subscriber_id, kept.email) == (ann.pk, ANN)
    assert (unlinked.subscriber_id, unlinked.email, unlinked.status) == (None, "", "sent")
    assert Subscriber.objects.filter(email=ANN).exists()  # still subscribed


def test_members_who_left_long_ago_are_erased_with_their_answers(sample_london, settings, make_survey):
    settings.SN_PANEL_MEMBER_RETENTION_DAYS = 365
    today = timezone.localdate(NOW)
    survey = make_survey()
    long_gone = member("gone@example.org", "Long Gone", left_on=today - 366 * DAY)
    recent = member("recent@example.org", "Recently Left", left_on=today - 300 * DAY)
    staying = member(ANN, "Ann Adeyemi")
    for person in (long_gone, recent, staying):
        answered(person, survey)

    assert members_left_purge(now=NOW) == 1

    assert set(PanelMember.objects.values_list("name", flat=True)) == {"Recently Left", "Ann Adeyemi"}
    texts = set(Answer.objects.values_list("value", flat=True))
    assert texts == {"Recently Left says the lights are out", "Ann Adeyemi says the lights are out"}


def test_equality_answers_go_a_retention_period_after_their_survey_closes(sample_london, settings, make_survey):
    settings.SN_EQUALITY_RETENTION_DAYS = 730
    old = make_survey(opens_at=NOW - 800 * DAY, closes_at=NOW - 731 * DAY)
    recent = make_survey(opens_at=NOW - 800 * DAY, closes_at=NOW - 729 * DAY)
    for survey in (old, old, recent):
        EqualityMonitoring.objects.create(survey=survey, age_band="25_34")

    assert equality_answers_purge(now=NOW) == 2

    assert list(EqualityMonitoring.objects.values_list("survey_id", flat=True)) == [recent.pk]


# Copy and erase, from the admin ------------------------------------------------------------------


def test_an_administrator_finds_what_is_held_about_an_address(admin_client, people):
    page = admin_client.post("/admin/personal-data/", {"email": " ANN@example.org "})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Rye Lane" in html and "Ann Adeyemi" in html and "020 7946 0000" in html
    assert "Bob Brown" not in html and BOB not in html
    assert "Nothing is held" in admin_client.post("/admin/personal-data/", {"email": "x@example.org"}).content.decode()


def test_the_copy_has_everything_about_the_person_and_nothing_about_anyone_else(admin_client, people, make_survey):
    open_survey = make_survey(audience="open")
    open_response = Response.objects.create(survey=open_survey, respondent_key=respondent_key(open_survey, ANN))
    Answer.objects.create(response=open_response, question=open_survey.questions.get(kind="text"), value="Open reply")

    download = admin_client.post("/admin/personal-data/export/", {"email": ANN})

    assert download.status_code == 200 and download["Content-Type"] == "application/json"
    assert download["Content-Disposition"].startswith("attachment;") and ANN not in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    text = download.content.decode()
    copy = json.loads(text)
    assert copy["email"] == ANN
    assert copy["newsletter_subscriber"]["subscriptions"][0]["area_code"] == RYE_LANE
    (membership,) = copy["panel_memberships"]
    assert (membership["name"], membership["phone"], membership["ward_code"]) == (
        "Ann Adeyemi",
        "020 7946 0000",
        RYE_LANE,
    )
    answers = membership["invitations"][0]["response"]["answers"]
    assert answers == [{"question": "Anything else?", "answer": "Ann Adeyemi says the lights are out"}]
    assert copy["open_survey_responses"][0]["answers"][0]["answer"] == "Open reply"
    assert BOB not in text and "Bob Brown" not in text and PECKHAM not in text


def test_erasing_asks_first_then_removes_the_persons_rows_and_answers(admin_client, people):
    ann_subscriber, bob_subscriber, ann_member, bob_member = people

    confirmation = admin_client.get("/admin/personal-data/erase/", {"email": ANN})
    assert confirmation.status_code == 200 and "Yes, erase it" in confirmation.content.decode()
    admin_client.post("/admin/personal-data/erase/", {"email": ANN})  # the "Erase…" button: asks too
    assert Subscriber.objects.filter(email=ANN).exists() and PanelMember.objects.filter(email=ANN).exists()

    done = admin_client.post("/admin/personal-data/erase/", {"email": ANN, "confirm": "yes"})

    assert done.status_code == 302
    assert not Subscriber.objects.filter(email=ANN).exists() and not PanelMember.objects.filter(email=ANN).exists()
    assert not Subscription.objects.filter(subscriber_id=ann_subscriber.pk).exists()
    assert list(Answer.objects.values_list("value", flat=True)) == ["Bob Brown says the lights are out"]
    assert Subscriber.objects.filter(email=BOB).exists() and PanelMember.objects.filter(email=BOB).exists()


def test_an_erased_subscriber_gets_nothing_more_from_a_send_under_way(admin_client, issue, settings):
    settings.SN_NEWSLETTER_RATE = 0
    subscriber(ANN)
    subscriber(BOB)
    send = send_start(newsletter=issue)  # both queued

    admin_client.post("/admin/personal-data/erase/", {"email": ANN, "confirm": "yes"})
    for first, last in send_batches(send):
        batch_send(send_id=send.pk, first=first, last=last)

    assert [message.to for message in mail.outbox] == [[BOB]]
    assert not Delivery.objects.filter(email=ANN).exists()
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["sent", "suppressed"]


def test_erasing_needs_a_post_with_the_csrf_token(people):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password"))

    refused = strict.post("/admin/personal-data/erase/", {"email": ANN, "confirm": "yes"})

    assert refused.status_code == 403
    assert Subscriber.objects.filter(email=ANN).exists() and PanelMember.objects.filter(email=ANN).exists()


def test_officers_and_visitors_can_neither_see_copy_nor_erase(client, officers, people):
    def attempts():
        return [
            client.get("/admin/personal-data/"),
            client.post("/admin/personal-data/", {"email": ANN}),
            client.post("/admin/personal-data/export/", {"email": ANN}),
            client.get("/admin/personal-data/erase/", {"email": ANN}),
            client.post("/admin/personal-data/erase/", {"email": ANN, "confirm": "yes"}),
        ]

    for answer in attempts():  # not signed in: sent to sign in
        assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")
    client.force_login(officers[0])  # Southwark's officer, whose ward Ann's panel is in
    for answer in attempts():
        assert (answer.status_code, answer.get("Location")) in ((302, "/admin/"), (403, None))
        assert b"Ann Adeyemi" not in answer.content and ANN.encode() not in answer.content
    assert "personal-data" not in client.get("/admin/").content.decode()  # no menu item either

    assert Subscriber.objects.filter(email=ANN).exists() and PanelMember.objects.filter(email=ANN).exists()
    assert not ModelLogEntry.objects.filter(action__startswith="home.personal_data").exists()


def test_each_copy_and_erasure_is_logged_without_the_address(admin_client, people):
    admin = User.objects.get(username="admin")
    assert "personal-data" in admin_client.get("/admin/").content.decode()  # the menu item, for administrators

    admin_client.post("/admin/personal-data/export/", {"email": ANN})
    admin_client.post("/admin/personal-data/erase/", {"email": ANN, "confirm": "yes"})

    entries = ModelLogEntry.objects.filter(action__startswith="home.personal_data").order_by("timestamp")
    assert [entry.action for entry in entries] == ["home.personal_data_export", "home.personal_data_erase"]
    for entry in entries:
        assert entry.user_id == admin.pk
        assert entry.data["panel_memberships"] == 1 and entry.data["newsletter_subscriber"] is True
        assert ANN not in entry.label and ANN not in json.dumps(entry.data) and "Ann" not in json.dumps(entry.data)
    assert entries[0].data["address_sha256"] == entries[1].data["address_sha256"]
    history = admin_client.get("/admin/reports/site-history/").content.decode()
    assert "Erased the personal data held about an address" in history or "Personal data: erase" in history


# Cookies --------------------------------------------------------------------------------------------

# How the notice must put each lifetime a Set-Cookie header gives (its Max-Age), or "" for none.
LIFETIMES = {"": "until you close your browser", 31449600: "1 year", 31536000: "1 year", 1209600: "2 weeks"}


def cookie_rows(html: str) -> list[tuple[str, str]]:
    """(name, lifetime) for each row of the notice's cookie tables."""
    rows = re.findall(r'<th scope="row"><code>([^<]+)</code></th><td>[^<]*</td><td>([^<]*)</td>', html)
    return [(name, unescape(lifetime)) for name, lifetime in rows]


def test_the_notice_names_every_cookie_the_site_sets_with_how_long_it_lasts(
    sample_london, make_survey, survey_page_form
):
    """Every cookie the site's own responses set, found by using the site as residents and officers
    do, is in the notice with its real lifetime; and the notice names nothing more, but the one cookie
    the admin's own script sets (which no response header shows)."""
    set_cookies: set[tuple[str, str]] = set()

    def note(response):
        for name, morsel in response.cookies.items():
            if morsel["max-age"] != 0:  # 0: a cookie being removed
                set_cookies.add((name, LIFETIMES[morsel["max-age"]]))
        return response

    User.objects.create_user("pc.ryelane", "pc@example.org", "a-long-test-password", is_superuser=True)
    resident, officer, remembered = Client(), Client(), Client()
    survey = make_survey(audience="open")
    note(resident.get(f"/surveys/{survey.pk}/"))
    answered = note(resident.post(f"/surveys/{survey.pk}/", {**survey_page_form(survey, ""), "email": "a@b.org"}))
    assert answered.status_code == 302  # to the optional questions about you
    note(resident.post("/my-area/", {"ward": RYE_LANE}))
    sign_in = {"username": "pc.ryelane", "password": "a-long-test-password"}
    note(officer.post("/admin/login/", sign_in))
    note(officer.post("/admin/logout/"))  # "You have been successfully logged out", shown once
    note(remembered.post("/admin/login/", {**sign_in, "remember": "on"}))

    notice = cookie_rows(Client().get("/privacy/").content.decode())

    for name, lifetime in set_cookies:
        assert any(row == name and lifetime in said.lower() for row, said in notice), (name, lifetime, notice)
    named_by_the_site = {name for name, _ in set_cookies}
    assert {name for name, _ in notice} - named_by_the_site == {"wagtail_sidebar_collapsed"}
    sidebar = Path(wagtail.__file__).parent / "admin/static/wagtailadmin/js/sidebar.js"
    assert '"wagtail_sidebar_collapsed"' in sidebar.read_text()
    assert {"csrftoken", "sessionid", "sn_my_area", "messages"} <= named_by_the_site
