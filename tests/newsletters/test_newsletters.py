"""Newsletters: subscribing with double opt-in, preferences and one-click unsubscribe, bounces,
the good-practice issue, the email itself, and sending through a real SMTP server."""

import datetime
import html
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from figures.services import crime_import
from newsletters.models import Delivery, NewsletterPage, Send, Subscriber, Subscription
from newsletters.selectors import audience, send_batches
from newsletters.sending import TemporaryFailure, batch_send
from newsletters.services import SendRefused, send_start
from newsletters.tasks import send_queue
from newsletters.throttles import SignupLimit
from priorities.models import BoroughPage, WardPage
from tests.figures.crime_sample import all_months, expected_from_files, write_both

RYE_LANE, PECKHAM, SOUTHWARK = "E05011113", "E05011110", "E09000028"
NOW = timezone.now()


def link_path(body: str, name: str) -> str:
    return urlsplit(re.search(rf"https?://\S+/newsletters/{name}/\S+", body).group()).path


@pytest.fixture
def rye_lane(sample_london, add_event, add_member, add_priority):
    page = WardPage.objects.get(ward_id=RYE_LANE)
    page.email = "ryelane.snt@met.police.uk"
    page.save()
    add_priority(page, updates=[(3, "Speed checks on three mornings."), (20, "14 drivers warned.")])
    add_member(page, 1, photo=False)
    add_event(page, 7, kind="ward_panel", title="Ward panel meeting")
    return page


@pytest.fixture
def issue(rye_lane) -> NewsletterPage:
    newsletter = NewsletterPage(title="November newsletter", summary="Speeding, and a new PCSO.")
    rye_lane.add_child(instance=newsletter)
    newsletter.save_revision().publish()
    return newsletter


# Subscribing --------------------------------------------------------------------------------------


def test_a_resident_subscribes_from_the_ward_page_and_confirms(client, rye_lane):
    page = client.get(rye_lane.url).content.decode()
    assert 'action="/newsletters/subscribe/"' in page and f'value="{RYE_LANE}"' in page

    answer = client.post(
        "/newsletters/subscribe/", {"email": "Ann@Example.org", "ward": RYE_LANE, "borough": SOUTHWARK}
    )

    assert "Check your email" in answer.content.decode()
    subscriber = Subscriber.objects.get(email="ann@example.org")
    assert subscriber.confirmed_at is None and subscriber.subscriptions.count() == 2
    path = link_path(mail.outbox[0].body, "confirm")
    assert client.get(path).status_code == 200 and Subscriber.objects.get(pk=subscriber.pk).confirmed_at is None
    assert "You are subscribed" in client.post(path).content.decode()
    assert not Subscription.objects.filter(confirmed_at__isnull=True).exists()
    garbage = client.get("/newsletters/confirm/not-a-link/")  # opened, before any button: it says so
    assert garbage.status_code == 400 and "This link does not work" in garbage.content.decode()


def test_the_confirmation_email_names_the_newsletters_as_newsletters(client, rye_lane):
    client.post("/newsletters/subscribe/", {"email": "ann@example.org", "borough": SOUTHWARK, "ward": RYE_LANE})

    body = " ".join(mail.outbox[0].body.split())
    assert body.startswith("You asked for the Rye Lane newsletter and the newsletter for the whole of Southwark.")


def test_a_known_address_and_a_new_one_cost_the_same_work_and_one_email_each(
    client, rye_lane, add_subscribers, monkeypatch
):
    """Nothing a stranger can measure says who subscribes: the page does the same queries (and no
    writes) and queues one task for either address, and the task sends one email to either."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsletters import tasks

    add_subscribers(1, ward_id=RYE_LANE)
    known = Subscriber.objects.get().email
    queued = []
    monkeypatch.setattr(tasks.subscription_request, "delay", lambda **kwargs: queued.append(kwargs))

    def work(email):
        with CaptureQueriesContext(connection) as queries:
            answer = client.post("/newsletters/subscribe/", {"email": email, "ward": RYE_LANE})
        assert "Check your email" in answer.content.decode()
        return [query["sql"].replace(email, "?") for query in queries]

    work("first@example.org")  # the site's first request reads what it then keeps
    known_work = work(known)
    assert known_work == work("new@example.org")
    assert not [q for q in known_work if q.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert [kwargs["email"] for kwargs in queued] == ["first@example.org", known, "new@example.org"]

    for kwargs in queued[1:]:
        tasks.subscription_request(**kwargs)
    assert [m.to for m in mail.outbox] == [[known], ["new@example.org"]]
    already, confirm = (m.body for m in mail.outbox)
    assert "nothing to do" in already and "/newsletters/preferences/" in already
    assert "To confirm" in confirm


def test_subscribing_needs_an_address_and_a_newsletter_and_is_rate_limited(client, rye_lane, monkeypatch):
    nothing = client.post("/newsletters/subscribe/", {"email": "ann@example.org"})
    bad = client.post("/newsletters/subscribe/", {"email": "ann", "ward": RYE_LANE})
    assert nothing.status_code == bad.status_code == 400
    assert "Choose at least one newsletter" in nothing.content.decode()
    assert "Enter an email address like name@example.com" in bad.content.decode()
    assert client.get("/newsletters/subscribe/").status_code == 405

    monkeypatch.setattr(SignupLimit, "rate", "2/hour", raising=False)
    statuses = [
        client.post("/newsletters/subscribe/", {"email": f"n{n}@example.org", "ward": RYE_LANE}, REMOTE_ADDR="10.9.9.9")
        for n in range(3)
    ]
    assert [s.status_code for s in statuses] == [200, 200, 429]


def test_preferences_change_areas_or_stop_everything(client, rye_lane):
    subscribe = client.post(
        "/newsletters/subscribe/", {"email": "ann@example.org", "ward": RYE_LANE, "borough": SOUTHWARK}
    )
    assert subscribe.status_code == 200
    client.post(link_path(mail.outbox[0].body, "confirm"))
    subscriber = Subscriber.objects.get()
    from newsletters.tokens import preferences_token

    path = f"/newsletters/preferences/{preferences_token(subscriber.pk)}/"
    page = client.get(path).content.decode()
    assert "Rye Lane" in page and "Southwark (the whole borough)" in page

    ward = subscriber.subscriptions.get(ward_id=RYE_LANE)
    client.post(path, {"keep": [ward.pk]})
    assert list(subscriber.subscriptions.values_list("ward_id", flat=True)) == [RYE_LANE]
    client.post(path, {"unsubscribe_all": "1"})
    assert not subscriber.subscriptions.exists()
    assert client.get("/newsletters/preferences/1:forged/").status_code == 404


# The issue and its email --------------------------------------------------------------------------


def test_a_new_issue_follows_the_good_practice_structure_filled_from_the_ward(client, issue):
    assert [block.block_type for block in issue.body] == [
        "welcome",
        "priorities",
        "crime",
        "team",
        "meetings",
        "get_involved",
        "contact",
    ]
    web = client.get(issue.url).content.decode()
    for text in (
        "Speeding on Rye Lane",
        "14 drivers warned.",
        "PC Officer 1",
        "Ward panel meeting",
        "ryelane.snt@met.police.uk",
        "999",
    ):
        assert text in web
    ward_page = client.get(issue.get_parent().url).content.decode()
    assert "November newsletter" in ward_page  # the archive
    assert "police.uk" in web  # no crime figures loaded: where to find them


def test_the_issue_tells_readers_about_crime_in_their_area(client, issue, tmp_path, django_capture_on_commit_callbacks):
    releases = write_both(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        crime_import(sources=releases)
    figures = expected_from_files(releases)[RYE_LANE]
    last_12 = sum(sum(figures.get(month, {}).values()) for month in all_months(releases)[-12:])

    web = " ".join(re.sub(r"<[^>]+>", " ", client.get(issue.url).content.decode()).split())

    assert "Crime in your area" in web
    assert (
        f"From November 2024 to October 2025, the police recorded {last_12:,} crimes in Rye Lane".lower() in web.lower()
    )
    assert "The most common kinds:" in web and "Contains Metropolitan Police Service data" in web
    assert re.search(rf'href="[^"]*{issue.get_parent().url}crime/"', client.get(issue.url).content.decode())


def test_the_email_is_multipart_inlined_readable_without_images_and_unsubscribes_in_one_click(
    issue, smtp, add_subscribers
):
    add_subscribers(2, ward_id=RYE_LANE)
    messages = smtp
    send = send_start(newsletter=issue)

    for first, last in send_batches(send):
        batch_send(send_id=send.pk, first=first, last=last)

    assert len(messages) == 2
    message = messages[0]
    assert message.get_content_type() == "multipart/alternative"
    text, html = (part.get_payload(decode=True).decode() for part in message.get_payload())
    assert "<style" not in html and 'style="' in html and "<img" not in html
    assert "Speeding on Rye Lane" in text and "14 drivers warned." in text and "<" not in text.replace("<https", "")
    unsubscribe = re.sub(r"\s+", "", message["List-Unsubscribe"]).strip("<>")  # long headers are folded
    assert unsubscribe.startswith("http") and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in html and unsubscribe in text
    assert messages[1]["List-Unsubscribe"] != message["List-Unsubscribe"]  # each recipient's own
    assert message["Message-ID"].startswith(f"<newsletter-{send.pk}-")

    strict = Client(enforce_csrf_checks=True)  # mail providers send no CSRF token
    path = urlsplit(unsubscribe).path
    assert strict.get(path).status_code == 200 and Subscription.objects.count() == 2  # a GET never unsubscribes
    strict.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert Subscription.objects.count() == 1


# Sending ------------------------------------------------------------------------------------------


def test_a_send_reaches_every_confirmed_subscriber_once(issue, smtp, add_subscribers):
    messages = smtp
    ward = add_subscribers(3, "w", ward_id=RYE_LANE)
    add_subscribers(2, "b", borough_id=SOUTHWARK)  # the borough's own newsletter's readers
    add_subscribers(2, "p", ward_id=PECKHAM)  # another ward's
    Subscription.objects.create(subscriber=ward[0], borough_id=SOUTHWARK, confirmed_at=NOW)  # Rye Lane's too
    Subscriber.objects.create(email="unconfirmed@example.org").subscriptions.create(ward_id=RYE_LANE)
    suppressed = add_subscribers(1, "x", ward_id=RYE_LANE)[0]
    Subscriber.objects.filter(pk=suppressed.pk).update(
        email="gone@example.org", suppressed_at=NOW, suppressed_reason="bounced"
    )

    send = send_start(newsletter=issue)
    send_queue.delay(send.pk)
    send_queue.delay(send.pk)  # queued twice by accident: still once each

    expected = sorted(s.email for s in ward)
    assert sorted(m["X-Envelope-To"] for m in messages) == expected
    send.refresh_from_db()
    assert (send.total, send.status) == (3, Send.Status.FINISHED)
    assert set(send.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_temporary_failures_are_retried_and_permanent_ones_stop(issue, settings, monkeypatch, add_subscribers):
    add_subscribers(3, ward_id=RYE_LANE)
    send = send_start(newsletter=issue)
    settings.SN_NEWSLETTER_RATE = 0
    from newsletters import sending

    refusals = {"s0@example.org": ["451 try later"], "s1@example.org": ["550 no such user", "550 no such user"]}

    class Courier:
        def __init__(self, send, newsletter):
            pass

        def deliver(self, delivery, handing_over):
            reasons = refusals.get(delivery.email)
            if reasons:
                reason = reasons.pop(0)
                raise (sending.TemporaryFailure if reason.startswith("4") else sending.PermanentFailure)(reason)
            assert handing_over()
            mail.outbox.append(delivery)

        def close(self):
            pass

    monkeypatch.setattr(sending, "courier", Courier)
    ((first, last),) = send_batches(send)

    with pytest.raises(TemporaryFailure):
        batch_send(send_id=send.pk, first=first, last=last)
    rows = {d.email: d for d in send.deliveries.all()}
    assert rows["s0@example.org"].status == "queued" and rows["s0@example.org"].last_error == "451 try later"
    assert rows["s1@example.org"].status == "failed" and rows["s2@example.org"].status == "sent"

    batch_send(send_id=send.pk, first=first, last=last)  # the task's retry, later

    rows = {d.email: d for d in send.deliveries.all()}
    assert (rows["s0@example.org"].status, rows["s0@example.org"].attempts) == ("sent", 2)
    assert rows["s1@example.org"].attempts == 1  # a permanent refusal is not tried again
    assert sorted(d.email for d in mail.outbox) == ["s0@example.org", "s2@example.org"]


def test_bounces_and_complaints_suppress_the_address(client, issue, settings, add_subscribers):
    add_subscribers(2, ward_id=RYE_LANE)
    settings.SN_NEWSLETTER_WEBHOOK_SECRET = "shh"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SN_NEWSLETTER_RATE = 0
    already_queued = send_start(newsletter=issue)  # snapshotted before the bounce arrives
    events = [
        {"event_type": "bounced", "recipient": "S0@example.org"},
        {"event_type": "delivered", "recipient": "s1@example.org"},
    ]

    refused = client.post("/newsletters/delivery-events/", events, content_type="application/json")
    accepted = client.post(
        "/newsletters/delivery-events/", events, content_type="application/json", HTTP_AUTHORIZATION="Bearer shh"
    )
    junk = client.post(
        "/newsletters/delivery-events/", "[1, 2", content_type="application/json", HTTP_AUTHORIZATION="Bearer shh"
    )

    assert refused.status_code == 401 and junk.status_code == 400
    assert accepted.json() == {"received": 2, "suppressed": 1}
    assert Subscriber.objects.get(email="s0@example.org").suppressed_reason == "bounced"
    assert list(audience(issue).values_list("email", flat=True)) == ["s1@example.org"]
    client.post("/newsletters/subscribe/", {"email": "s0@example.org", "ward": PECKHAM})
    assert mail.outbox == []  # nothing, ever, to a suppressed address
    ((first, last),) = send_batches(already_queued)
    batch_send(send_id=already_queued.pk, first=first, last=last)
    assert [m.to for m in mail.outbox] == [["s1@example.org"]]
    assert already_queued.deliveries.get(email="s0@example.org").status == "suppressed"


def _send_all(newsletter) -> Send:
    send = send_start(newsletter=newsletter)
    for first, last in send_batches(send):
        batch_send(send_id=send.pk, first=first, last=last)
    return send


def test_a_title_with_line_breaks_is_a_one_line_subject_and_adds_no_header(rye_lane, smtp, add_subscribers):
    """Wagtail lets a title hold CR/LF: written into the raw message as it was, it added a Bcc."""
    subscribers = add_subscribers(2, ward_id=RYE_LANE)
    newsletter = NewsletterPage(title="Hello\r\nBcc: victim@example.org", summary="Speeding, and a new PCSO.")
    rye_lane.add_child(instance=newsletter)

    send = _send_all(newsletter)

    assert sorted(m["X-Envelope-To"] for m in smtp) == sorted(s.email for s in subscribers)
    for message in smtp:
        assert message["Subject"] == "Hello Bcc: victim@example.org: Rye Lane Safer Neighbourhoods"
        assert message["Bcc"] is None and "victim" not in message["To"]
    assert set(send.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_through_any_other_email_backend_a_title_with_line_breaks_is_sent_with_a_one_line_subject(
    rye_lane, settings, add_subscribers
):
    """Django's backends refuse a header with a line break (BadHeaderError), which left the
    delivery marked sent with nothing written."""
    settings.SN_NEWSLETTER_RATE = 0
    add_subscribers(1, ward_id=RYE_LANE)
    newsletter = NewsletterPage(title="Hello\nBcc: victim@example.org", summary="Speeding, and a new PCSO.")
    rye_lane.add_child(instance=newsletter)

    send = _send_all(newsletter)

    assert [m.subject for m in mail.outbox] == ["Hello Bcc: victim@example.org: Rye Lane Safer Neighbourhoods"]
    assert mail.outbox[0].message()["Bcc"] is None
    assert send.deliveries.get().status == Delivery.Status.SENT


def test_a_very_long_title_still_starts_a_send(issue, settings, add_subscribers):
    settings.SN_NEWSLETTER_RATE = 0
    add_subscribers(1, ward_id=RYE_LANE)
    issue.title = "Speeding " * 28
    issue.save_revision().publish()

    send = _send_all(issue)

    assert len(send.subject) == 250 and send.subject.endswith("\u2026")
    assert send.deliveries.get().status == Delivery.Status.SENT


@pytest.mark.parametrize("backend", ["smtp", "django"])
def test_a_copy_that_cannot_be_built_is_failed_with_the_reason_and_the_others_go(
    backend, issue, settings, add_subscribers, request
):
    settings.SN_NEWSLETTER_RATE = 0
    messages = request.getfixturevalue("smtp") if backend == "smtp" else []
    add_subscribers(3, ward_id=RYE_LANE)
    send = send_start(newsletter=issue)
    # An address no message can carry (stored before validation, say).
    send.deliveries.filter(email="s1@example.org").update(email="s1@example.org\r\nBcc: victim@example.org")

    for first, last in send_batches(send):
        batch_send(send_id=send.pk, first=first, last=last)

    broken = send.deliveries.get(email__startswith="s1@")
    assert broken.status == Delivery.Status.FAILED and not broken.handed_over
    assert broken.last_error.startswith("The message could not be built:")
    assert sorted(send.deliveries.filter(status=Delivery.Status.SENT).values_list("email", flat=True)) == [
        "s0@example.org",
        "s2@example.org",
    ]
    sent = [m["X-Envelope-To"] for m in messages] if backend == "smtp" else [m.to[0] for m in mail.outbox]
    assert sorted(sent) == ["s0@example.org", "s2@example.org"]


# The admin ----------------------------------------------------------------------------------------


def test_an_officer_tests_sends_and_follows_a_send(
    client, issue, officers, django_capture_on_commit_callbacks, settings, add_subscribers
):
    settings.SN_NEWSLETTER_RATE = 0
    add_subscribers(3, ward_id=RYE_LANE)
    southwark, westminster = officers
    southwark.email = "pc@example.org"
    southwark.save()

    client.force_login(westminster)
    assert client.get(f"/admin/newsletters/{issue.pk}/send/").status_code == 302  # not theirs
    client.force_login(southwark)
    page = client.get(f"/admin/newsletters/{issue.pk}/send/").content.decode()
    assert "Issue November newsletter: read the published issue" in text_of(page)
    assert "Goes to Confirmed subscribers to the Rye Lane newsletter How many 3 people" in text_of(page)
    assert mail.outbox == [] and not Send.objects.exists()  # looking sends nothing
    client.post(f"/admin/newsletters/{issue.pk}/send/", {"action": "test"})
    assert [m.to for m in mail.outbox] == [["pc@example.org"]] and mail.outbox[0].subject.startswith("[Test]")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/newsletters/{issue.pk}/send/", send_form(page))
    progress = client.get(response["Location"]).content.decode()

    assert len(mail.outbox) == 4
    assert "3</strong> of 3 sent (100%)" in progress and "Finished" in progress


def send_form(page: str) -> dict:
    """What the Send page's send button posts: its form's hidden fields and the button's value."""
    form = re.search(r'<form method="post" novalidate>.*?</form>', page, re.S).group()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    button = re.search(r'<button[^>]* name="(audience)" value="(\w+)"', form)
    return {**hidden, button.group(1): button.group(2)}


def text_of(markup: str) -> str:
    """Markup as an officer reads it."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def words(response) -> str:
    return text_of(response.content.decode())


def heading(response) -> str:
    return text_of(re.search(r"<h1.*?</h1>", response.content.decode(), re.S).group())


def test_an_issue_sent_before_goes_only_to_people_who_subscribed_since_once_each(
    client, issue, officers, django_capture_on_commit_callbacks, settings, add_subscribers, links_in
):
    settings.SN_NEWSLETTER_RATE = 0
    add_subscribers(2, ward_id=RYE_LANE)
    client.force_login(officers[0])
    first = send_start(newsletter=issue, user=officers[0])
    for first_id, last_id in send_batches(first):
        batch_send(send_id=first.pk, first=first_id, last=last_id)
    Send.objects.filter(pk=first.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2026, 11, 3, 18, 30)), status=Send.Status.FINISHED
    )
    add_subscribers(1, "late", ward_id=RYE_LANE)
    # s0 unsubscribes and subscribes again: a new subscription, but they have had this issue
    Subscription.objects.filter(subscriber__email="s0@example.org").delete()
    Subscription.objects.create(
        subscriber=Subscriber.objects.get(email="s0@example.org"), ward_id=RYE_LANE, confirmed_at=timezone.now()
    )
    mail.outbox.clear()
    address = f"/admin/newsletters/{issue.pk}/send/"

    page = client.get(address)

    assert "This issue was sent on 3 November 2026, 6:30pm to 2 people." in words(page)
    assert "it cannot be sent to everyone again" in words(page)
    assert "Send to the 1 person who subscribed since it was sent" in words(page)
    assert "Send to 3" not in words(page)

    form = send_form(page.content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(address, form)
        again = client.post(address, form)  # a second click, or the same form sent twice

    assert [m.to for m in mail.outbox] == [["late0@example.org"]]
    assert Send.objects.filter(newsletter=issue).count() == 2
    assert sent["Location"] == again["Location"]
    progress = client.get(sent["Location"])
    assert "Sending to 1 person who subscribed since it was sent." in words(progress)
    assert address in links_in(progress)  # back to the send page
    after = client.get(address)
    assert "Nobody has subscribed since it was sent, so there is nobody new to send it to." in words(after)
    assert 'name="audience"' not in after.content.decode()
    add_subscribers(1, "later", ward_id=RYE_LANE)
    Send.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(days=365))
    a_year_on = client.get(address)
    assert "This issue was sent too long ago to send it to new subscribers." in words(a_year_on)
    assert 'name="audience"' not in a_year_on.content.decode()


def test_a_second_send_to_everyone_is_refused_with_a_clear_message(
    client, issue, officers, django_capture_on_commit_callbacks, add_subscribers
):
    add_subscribers(2, ward_id=RYE_LANE)
    client.force_login(officers[0])
    address = f"/admin/newsletters/{issue.pk}/send/"
    send_start(newsletter=issue, user=officers[0])
    mail.outbox.clear()
    add_subscribers(1, "late", ward_id=RYE_LANE)

    # A page from before the first send, or a hand-made POST: everyone, knowing of the send
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(address, {"sends_seen": 1, "audience": "everyone"}, follow=True)

    assert "Nothing was sent. This issue has already been sent to everyone, and nobody gets it twice." in words(refused)
    assert Send.objects.filter(newsletter=issue).count() == 1 and mail.outbox == []


@pytest.mark.parametrize(
    "posted",
    [{}, {"sends_seen": "0"}, {"sends_seen": "0", "audience": "again"}, {"sends_seen": "x", "audience": "everyone"}],
)
def test_a_send_form_that_is_not_the_pages_sends_nothing_and_says_so(client, issue, officers, add_subscribers, posted):
    add_subscribers(1, ward_id=RYE_LANE)
    client.force_login(officers[0])

    answer = client.post(f"/admin/newsletters/{issue.pk}/send/", posted)

    assert answer.status_code == 400
    assert "Nothing was sent. This page was out of date: check what it says now and send again." in words(answer)
    assert not Send.objects.exists() and mail.outbox == []


def test_the_service_and_the_database_refuse_a_second_send_to_everyone(issue, add_subscribers):
    add_subscribers(2, ward_id=RYE_LANE)
    first = send_start(newsletter=issue)

    with pytest.raises(SendRefused) as refused:
        send_start(newsletter=issue)
    assert refused.value.send == first
    with pytest.raises(IntegrityError), transaction.atomic():
        Send.objects.create(newsletter=issue, subject="Again", html="", text="")
    with pytest.raises(SendRefused, match="Nobody has subscribed since"):
        send_start(newsletter=issue, to=Send.Audience.NEW_SUBSCRIBERS)
    add_subscribers(1, "late", ward_id=RYE_LANE)
    a_year_on = timezone.now() + datetime.timedelta(days=365)  # who had it is forgotten by then
    with pytest.raises(SendRefused, match="sent too long ago"):
        send_start(newsletter=issue, to=Send.Audience.NEW_SUBSCRIBERS, now=a_year_on)
    assert Send.objects.filter(newsletter=issue).count() == 1


def test_the_send_page_of_a_borough_newsletter_names_the_whole_borough(
    client, sample_london, officers, add_subscribers
):
    newsletter = NewsletterPage(title="Winter", summary="The borough's news.")
    BoroughPage.objects.get(borough_id=SOUTHWARK).add_child(instance=newsletter)
    newsletter.save_revision().publish()
    add_subscribers(2, borough_id=SOUTHWARK)
    add_subscribers(1, "ward", ward_id=RYE_LANE)  # a ward's newsletter is another one
    client.force_login(officers[0])

    page = client.get(f"/admin/newsletters/{newsletter.pk}/send/")

    assert "Goes to Confirmed subscribers to the newsletter for the whole of Southwark How many 2 people" in words(page)
    assert "Send to 2 subscribers" in words(page)


def test_a_double_click_on_send_starts_one_send(
    client, issue, officers, django_capture_on_commit_callbacks, add_subscribers
):
    add_subscribers(2, ward_id=RYE_LANE)
    client.force_login(officers[0])
    address = f"/admin/newsletters/{issue.pk}/send/"
    form = send_form(client.get(address).content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(address, form)
        second = client.post(address, form)

    (send,) = Send.objects.filter(newsletter=issue)
    assert first["Location"] == second["Location"] == f"/admin/newsletters/sends/{send.pk}/"
    assert "This issue had already started sending" in words(client.get(second["Location"]))
    assert len(mail.outbox) == 2


def test_sending_to_one_subscriber_speaks_of_one_and_says_sent_when_done(
    client, issue, officers, django_capture_on_commit_callbacks, settings, add_subscribers
):
    settings.SN_NEWSLETTER_RATE = 0
    add_subscribers(1, ward_id=RYE_LANE)
    client.force_login(officers[0])
    address = f"/admin/newsletters/{issue.pk}/send/"

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(address, send_form(client.get(address).content.decode()))
    progress = client.get(sent["Location"])

    assert "Sending to 1 person." in words(progress)
    assert heading(progress) == "Sent November newsletter: Rye Lane Safer Neighbourhoods"
    assert "1 recipient" in words(client.get(address)).split("Sent before")[1]


def test_the_send_page_links_to_the_issue_as_it_will_be_sent(client, issue, officers, links_in):
    client.force_login(officers[0])

    page = client.get(f"/admin/newsletters/{issue.pk}/send/")

    assert issue.url in links_in(page)
    published = Client().get(issue.url)  # a fresh session, as a new tab may be
    assert published.status_code == 200 and "Speeding, and a new PCSO." in words(published)


def test_the_send_page_of_an_unpublished_issue_says_how_to_see_it(client, issue, officers, links_in):
    issue.unpublish()
    client.force_login(officers[0])

    page = client.get(f"/admin/newsletters/{issue.pk}/send/")

    assert "Publish the newsletter to read it as subscribers will, and to send it." in words(page)
    assert [link for link in links_in(page) if "/edit/preview/" in link] == []  # the editor's unsaved version


def test_the_subscribe_form_sets_no_cookie_so_ward_pages_stay_cacheable(client, rye_lane):
    page = client.get(rye_lane.url)

    assert "Get the newsletter" in page.content.decode() and not page.cookies
    strict = Client(enforce_csrf_checks=True)
    answer = strict.post("/newsletters/subscribe/", {"email": "ann@example.org", "ward": RYE_LANE})
    assert answer.status_code == 200 and len(mail.outbox) == 1  # a confirmation, nothing more


def test_the_newsletters_edit_page_has_a_send_button(client, issue, officers):
    client.force_login(officers[0])

    page = client.get(f"/admin/pages/{issue.pk}/edit/")

    assert page.status_code == 200 and f"/admin/newsletters/{issue.pk}/send/" in page.content.decode()


# Mistakes on the public forms -----------------------------------------------------------------------


def summary_links(response) -> list[tuple[str, str]]:
    """(where the link goes, what it says) for each link in the page's error summary, in order."""
    page = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group()
    return [(href, html.unescape(text)) for href, text in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)]


def ticked(response, box: str) -> bool:
    return bool(re.search(rf'<input type="checkbox" id="{box}"[^>]* checked', response.content.decode()))


def test_a_mistake_signing_up_shows_the_form_again_with_what_was_typed(client, rye_lane):
    ward_page = client.get(rye_lane.url).content.decode()
    assert f'name="area" value="{RYE_LANE}"' in ward_page  # the form says which page it came from
    strict = Client(enforce_csrf_checks=True)

    typo = strict.post(
        "/newsletters/subscribe/", {"email": "ann@example", "ward": RYE_LANE, "borough": SOUTHWARK, "area": RYE_LANE}
    )

    assert typo.status_code == 400 and not typo.cookies  # still no CSRF token nor cookie: same as on the ward page
    assert summary_links(typo) == [("subscribe-email", "Enter an email address like name@example.com")]
    assert 'value="ann@example"' in typo.content.decode()
    assert ticked(typo, "subscribe-ward") and ticked(typo, "subscribe-borough")
    assert 'action="/newsletters/subscribe/"' in typo.content.decode()
    assert f'href="{rye_lane.url}"' in typo.content.decode()  # back to the team's page

    nothing = client.post("/newsletters/subscribe/", {"email": "", "area": RYE_LANE})

    assert summary_links(nothing) == [
        ("subscribe-email", "Enter your email address"),
        ("subscribe-ward", "Choose at least one newsletter"),
    ]
    assert not ticked(nothing, "subscribe-ward") and not ticked(nothing, "subscribe-borough")
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_a_mistake_signing_up_on_a_borough_page_offers_the_borough_again(client, sample_london):
    page = client.post("/newsletters/subscribe/", {"email": "ann@example.org", "area": SOUTHWARK})

    assert page.status_code == 400
    assert summary_links(page) == [("subscribe-borough", "Choose at least one newsletter")]
    assert 'value="ann@example.org"' in page.content.decode()
    assert (
        f'name="borough" value="{SOUTHWARK}"' in page.content.decode() and "subscribe-ward" not in page.content.decode()
    )


def test_preferences_refuse_a_newsletter_that_is_not_the_readers_and_change_nothing(client, rye_lane, add_subscribers):
    from newsletters.tokens import preferences_token

    ann, bob = add_subscribers(1, "ann", ward_id=RYE_LANE)[0], add_subscribers(1, "bob", ward_id=PECKHAM)[0]
    Subscription.objects.create(subscriber=ann, borough_id=SOUTHWARK, confirmed_at=NOW)
    first = ann.subscriptions.order_by("pk").first()
    path = f"/newsletters/preferences/{preferences_token(ann.pk)}/"

    page = client.post(path, {"keep": [bob.subscriptions.get().pk]})

    assert page.status_code == 400
    assert summary_links(page) == [(f"keep-{first.pk}", "Choose the newsletters to keep from those listed")]
    assert ann.subscriptions.count() == 2 and bob.subscriptions.count() == 1


# One-click unsubscribe ------------------------------------------------------------------------------


@pytest.fixture
def borough_issue(rye_lane) -> NewsletterPage:
    newsletter = NewsletterPage(title="Southwark in November", summary="Across the borough.")
    rye_lane.get_parent().add_child(instance=newsletter)
    newsletter.save_revision().publish()
    return newsletter


def unsubscribe_path(newsletter, subscriber, way) -> str:
    """The List-Unsubscribe link in the subscriber's copy of the newsletter, written for SMTP
    (MessageWriter) or for another email backend (message_for)."""
    from email import message_from_bytes

    from newsletters.emails import MessageWriter, area_code, message_for

    send = send_start(newsletter=newsletter)
    delivery = send.deliveries.get(subscriber=subscriber)
    if way == "smtp":
        header = message_from_bytes(MessageWriter(send, newsletter).envelope(delivery)[2])["List-Unsubscribe"]
    else:
        header = message_for(send, delivery, area_code(newsletter)).extra_headers["List-Unsubscribe"]
    return urlsplit(re.sub(r"\s+", "", header).strip("<>")).path


@pytest.mark.parametrize("way", ["smtp", "backend"])
def test_unsubscribing_from_a_ward_newsletter_stops_only_that_one(client, issue, way, add_subscribers):
    ann = add_subscribers(1, "ann", ward_id=RYE_LANE)[0]
    Subscription.objects.create(subscriber=ann, borough_id=SOUTHWARK, confirmed_at=NOW)

    page = client.post(unsubscribe_path(issue, ann, way))

    assert list(ann.subscriptions.values_list("borough_id", flat=True)) == [SOUTHWARK]
    words = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.content.decode())))
    assert "You are unsubscribed from the Rye Lane newsletter" in words
    assert "You still get the newsletter for the whole of Southwark." in words
    assert not audience(issue).filter(pk=ann.pk).exists()  # the next Rye Lane issue does not reach her
    from newsletters.tokens import preferences_token

    assert f"/newsletters/preferences/{preferences_token(ann.pk)}/" in page.content.decode()


@pytest.mark.parametrize("way", ["smtp", "backend"])
def test_a_borough_newsletter_goes_to_its_own_readers_and_its_link_stops_it(
    client, borough_issue, way, add_subscribers
):
    ward_only = add_subscribers(1, "ward", ward_id=RYE_LANE)[0]
    both = add_subscribers(1, "both", ward_id=RYE_LANE)[0]
    Subscription.objects.create(subscriber=both, borough_id=SOUTHWARK, confirmed_at=NOW)
    assert list(audience(borough_issue)) == [both]  # a ward's readers asked for their ward's newsletter

    page = client.post(unsubscribe_path(borough_issue, both, way))

    assert "You are unsubscribed from the newsletter for the whole of Southwark" in page.content.decode()
    assert list(both.subscriptions.values_list("ward_id", flat=True)) == [RYE_LANE]  # the ward's is kept
    assert not audience(borough_issue).exists()
    assert ward_only.subscriptions.count() == 1


def test_links_already_sent_still_unsubscribe_from_their_newsletter_and_only_once(
    client, borough_issue, add_subscribers
):
    """Before each link named its subscription it named the subscriber and the newsletter's area:
    such a link stops the subscription to that area's newsletter and nothing else, however often
    it is used (mail services may send the one-click request again)."""
    from django.core import signing

    ann = add_subscribers(1, "ann", ward_id=RYE_LANE)[0]
    Subscription.objects.create(subscriber=ann, ward_id=PECKHAM, confirmed_at=NOW)
    Subscription.objects.create(subscriber=ann, borough_id=SOUTHWARK, confirmed_at=NOW)

    def old_link(code):
        return f"/newsletters/unsubscribe/{signing.Signer(salt='newsletters.unsubscribe').sign(f'{ann.pk}:{code}')}/"

    def left():
        return sorted(s.ward_id or s.borough_id for s in ann.subscriptions.all())

    asked = client.get(old_link(SOUTHWARK))
    assert "Unsubscribe from the newsletter for the whole of Southwark?" in asked.content.decode()
    client.post(old_link(SOUTHWARK))
    assert left() == [PECKHAM, RYE_LANE]  # the borough's, not its wards'
    again = client.post(old_link(SOUTHWARK))
    assert "You are already unsubscribed" in again.content.decode() and left() == [PECKHAM, RYE_LANE]
    client.post(old_link(RYE_LANE))
    assert left() == [PECKHAM]


def test_the_preferences_and_unsubscribe_pages_take_the_same_few_queries_however_many_newsletters(
    client, borough_issue, django_assert_max_num_queries, add_subscribers
):
    from newsletters.emails import area_code, message_for
    from newsletters.tokens import preferences_token

    ann = add_subscribers(1, "ann", borough_id=SOUTHWARK)[0]
    for ward in (RYE_LANE, PECKHAM):
        Subscription.objects.create(subscriber=ann, ward_id=ward, confirmed_at=NOW)
    send = send_start(newsletter=borough_issue)
    header = message_for(send, send.deliveries.get(), area_code(borough_issue)).extra_headers["List-Unsubscribe"]
    client.get("/privacy/")  # the footer's links, found once for every page until something is published

    with django_assert_max_num_queries(2):
        listed = client.get(f"/newsletters/preferences/{preferences_token(ann.pk)}/")
    with django_assert_max_num_queries(2):
        asked = client.get(urlsplit(header.strip("<>")).path)

    assert listed.content.decode().count('name="keep"') == 3
    assert "Unsubscribe from the newsletter for the whole of Southwark?" in asked.content.decode()


def test_a_copy_written_after_its_subscription_went_stops_nothing_else(client, issue, add_subscribers):
    from newsletters.emails import area_code, message_for
    from newsletters.tokens import preferences_token

    ann = add_subscribers(1, "ann", ward_id=RYE_LANE)[0]
    borough = Subscription.objects.create(subscriber=ann, borough_id=SOUTHWARK, confirmed_at=NOW)
    send = send_start(newsletter=issue)  # the audience is taken: Ann, by her Rye Lane subscription
    client.post(f"/newsletters/preferences/{preferences_token(ann.pk)}/", {"keep": [borough.pk]})  # drops Rye Lane

    header = message_for(send, send.deliveries.get(), area_code(issue)).extra_headers["List-Unsubscribe"]
    page = client.post(urlsplit(header.strip("<>")).path)

    assert "You are already unsubscribed" in page.content.decode()
    assert list(ann.subscriptions.all()) == [borough]
