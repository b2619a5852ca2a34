"""Natural neighbourhoods' newsletters: signing up on the neighbourhood's page (with the optional
postcode, and what a postcode we cannot use says), who an issue under the neighbourhood reaches,
once each, and the postcode kept under the subscribers' privacy rules."""

import json
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletters.emails import area_code, message_for
from newsletters.models import NewsletterPage, Send, Subscriber, Subscription
from newsletters.selectors import subscriber_export
from newsletters.services import preferences_update, send_start, subscriber_erase
from newsletters.tasks import send_queue
from newsletters.tokens import preferences_token
from priorities.models import BoroughPage, NeighbourhoodPage, NeighbourhoodPostcode
from tests.factories import SubscriberFactory, SubscriptionFactory
from tests.newsletters.test_newsletters import PECKHAM, RYE_LANE, SOUTHWARK, link_path, summary_links, ticked, words

NOW = timezone.now()
# Bellenden takes two of Rye Lane's postcodes and one of Peckham's; SE15 5DQ (Rye Lane) and
# SE15 5RP (Peckham) are outside it.
INSIDE = ("SE15 5DB", "SE15 5DD", "SE15 5RS")


@pytest.fixture
def bellenden(sample_london, add_neighbourhood, django_capture_on_commit_callbacks) -> NeighbourhoodPage:
    with django_capture_on_commit_callbacks(execute=True):
        page = add_neighbourhood(BoroughPage.objects.get(borough_id=SOUTHWARK), listed=", ".join(INSIDE))
    page.refresh_from_db()
    assert sorted(NeighbourhoodPostcode.objects.filter(page=page).values_list("postcode", flat=True)) == sorted(INSIDE)
    return page


@pytest.fixture
def bellenden_issue(bellenden) -> NewsletterPage:
    newsletter = NewsletterPage(title="Bellenden in spring", summary="The new street meeting.")
    bellenden.add_child(instance=newsletter)
    newsletter.save_revision().publish()
    return newsletter


def subscriber(email: str, postcode: str = "", **subscribed_to) -> Subscriber:
    """A confirmed subscriber with a postcode, and a confirmed subscription to each area given
    (ward=, borough=, neighbourhood=; a list for several wards)."""
    person = SubscriberFactory(email=email, postcode=postcode)
    for field, areas in subscribed_to.items():
        for area in areas if isinstance(areas, list) else [areas]:
            SubscriptionFactory(subscriber=person, **{f"{field}_id": area})
    return person


# Signing up -----------------------------------------------------------------------------------------


def test_a_resident_signs_up_on_the_neighbourhood_page_with_their_postcode_and_confirms(client, bellenden):
    page = client.get(bellenden.url).content.decode()
    assert 'action="/newsletters/subscribe/"' in page
    assert f'name="neighbourhood" value="{bellenden.pk}"' in page and f'name="area" value="{bellenden.pk}"' in page
    assert '<label for="subscribe-postcode">Your postcode (optional)</label>' in page
    assert "So we can send you news of the natural neighbourhood you live in." in page

    answer = client.post(
        "/newsletters/subscribe/",
        {"email": "Ann@Example.org", "neighbourhood": bellenden.pk, "postcode": " se15 5db ", "area": bellenden.pk},
    )

    assert answer.status_code == 200 and "Check your email" in answer.content.decode()
    ann = Subscriber.objects.get(email="ann@example.org")
    assert ann.postcode == "SE15 5DB" and ann.confirmed_at is None
    body = " ".join(mail.outbox[0].body.split())
    assert body.startswith("You asked for the Bellenden newsletter.")
    assert "We will keep your postcode, SE15 5DB, with your address" in body
    assert "You are subscribed" in client.post(link_path(mail.outbox[0].body, "confirm")).content.decode()
    subscription = Subscription.objects.get(subscriber=ann)
    assert subscription.neighbourhood_id == bellenden.pk and subscription.confirmed_at is not None
    assert Subscriber.objects.get(pk=ann.pk).confirmed_at is not None


def test_the_postcode_is_optional(client, bellenden):
    client.post("/newsletters/subscribe/", {"email": "bo@example.org", "neighbourhood": bellenden.pk, "postcode": ""})

    assert Subscriber.objects.get(email="bo@example.org").postcode == ""
    assert "postcode" not in " ".join(mail.outbox[0].body.split()).split("If you did not ask")[0].lower()


@pytest.mark.parametrize(
    "typed, message",
    [
        ("SE15", "Enter your full postcode, not only SE15, or leave it empty"),
        ("SE15 5", "Enter your full postcode, not only SE15 5, or leave it empty"),
        ("my house", "Enter a full postcode, such as SE15 5DB, or leave it empty"),
        ("BS1 4DJ", "Enter a London postcode, or leave it empty"),
        ("SE15 9ZZ", "We could not find SE15 9ZZ in London. Check your postcode, or leave it empty"),
        ("S" * 40, "Enter a full postcode, such as SE15 5DB, or leave it empty"),
        ("ZZ9 9ZZ", "We could not find ZZ9 9ZZ. Check your postcode, or leave it empty"),
    ],
)
def test_a_postcode_we_cannot_use_is_said_on_the_form_with_what_was_typed(client, bellenden, typed, message):
    answer = client.post(
        "/newsletters/subscribe/",
        {"email": "ann@example.org", "neighbourhood": bellenden.pk, "postcode": typed, "area": bellenden.pk},
    )

    assert answer.status_code == 400
    assert summary_links(answer) == [("subscribe-postcode", message)]
    page = answer.content.decode()
    assert 'aria-invalid="true"' in page and f'value="{typed}"' in page
    assert ticked(answer, "subscribe-neighbourhood") and 'value="ann@example.org"' in page
    assert f'href="{bellenden.url}"' in page  # back to the neighbourhood's page
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_a_neighbourhood_form_sent_with_nothing_ticked_offers_the_neighbourhood_again(client, bellenden):
    answer = client.post("/newsletters/subscribe/", {"email": "ann@example.org", "area": bellenden.pk})

    assert answer.status_code == 400
    assert summary_links(answer) == [("subscribe-neighbourhood", "Choose at least one newsletter")]
    assert not ticked(answer, "subscribe-neighbourhood")


def test_a_sign_up_does_not_change_a_confirmed_subscribers_postcode_but_says_where_to(client, bellenden):
    ann = subscriber("ann@example.org", "SE15 5DQ", ward=RYE_LANE)

    client.post("/newsletters/subscribe/", {"email": ann.email, "neighbourhood": bellenden.pk, "postcode": "SE15 5DB"})

    assert Subscriber.objects.get(pk=ann.pk).postcode == "SE15 5DQ"  # a stranger could have typed it
    body = mail.outbox[0].body
    assert "To give or change the postcode we keep for you:" in body
    assert client.get(link_path(body, "preferences")).status_code == 200


def test_the_preferences_page_changes_or_forgets_the_postcode_and_refuses_a_wrong_one(client, bellenden):
    ann = subscriber("ann@example.org", "SE15 5DQ", ward=RYE_LANE, neighbourhood=bellenden.pk)
    path = f"/newsletters/preferences/{preferences_token(ann.pk)}/"
    kept = list(ann.subscriptions.values_list("pk", flat=True))
    page = client.get(path).content.decode()
    assert 'value="SE15 5DQ"' in page and "Bellenden (natural neighbourhood)" in page

    wrong = client.post(path, {"keep": kept, "postcode": "SE15"})
    assert wrong.status_code == 400
    assert summary_links(wrong) == [
        ("preferences-postcode", "Enter your full postcode, not only SE15, or leave it empty")
    ]
    assert Subscriber.objects.get(pk=ann.pk).postcode == "SE15 5DQ"

    client.post(path, {"keep": kept, "postcode": "se155db"})
    assert Subscriber.objects.get(pk=ann.pk).postcode == "SE15 5DB"
    client.post(path, {"keep": kept, "postcode": ""})
    assert Subscriber.objects.get(pk=ann.pk).postcode == ""
    assert ann.subscriptions.count() == 2


# Who gets it ----------------------------------------------------------------------------------------


def test_an_issue_under_a_neighbourhood_reaches_exactly_its_subscribers_once_each(bellenden_issue, bellenden, smtp):
    own = subscriber("own@example.org", neighbourhood=bellenden.pk)  # no postcode needed
    lives_in_rye_lane_part = subscriber("rye@example.org", "SE15 5DB", ward=RYE_LANE)
    lives_in_peckham_part = subscriber("peckham@example.org", "SE15 5RS", ward=PECKHAM)
    both = subscriber("both@example.org", "SE15 5DD", ward=[RYE_LANE, PECKHAM], neighbourhood=bellenden.pk)
    subscriber("outside@example.org", "SE15 5DQ", ward=RYE_LANE)  # Rye Lane, but not Bellenden
    subscriber("nopostcode@example.org", ward=RYE_LANE)
    subscriber("borough@example.org", "SE15 5DB", borough=SOUTHWARK)  # the whole borough's news only
    subscriber("elsewhere@example.org", "SE15 5DB", ward="E05013806")  # St James's: not a ward Bellenden is in
    Subscriber.objects.create(email="unconfirmed@example.org", postcode="SE15 5DB").subscriptions.create(
        neighbourhood=bellenden
    )
    waiting = subscriber("waiting@example.org", "SE15 5DB", ward=RYE_LANE)
    waiting.subscriptions.update(confirmed_at=None)  # asked again for the ward, not yet confirmed
    left = subscriber("left@example.org", "SE15 5DB", ward=RYE_LANE, neighbourhood=bellenden.pk)
    preferences_update(subscriber=left, keep=[])
    bounced = subscriber("bounced@example.org", "SE15 5DB", neighbourhood=bellenden.pk)
    Subscriber.objects.filter(pk=bounced.pk).update(suppressed_at=NOW, suppressed_reason="bounced")

    send = send_start(newsletter=bellenden_issue)
    send_queue.delay(send.pk)
    send_queue.delay(send.pk)  # queued twice by accident: still once each

    reached = [own, lives_in_rye_lane_part, lives_in_peckham_part, both]
    assert sorted(message["X-Envelope-To"] for message in smtp) == sorted(person.email for person in reached)
    send.refresh_from_db()
    assert (send.total, send.status) == (4, Send.Status.FINISHED)
    # Each copy's unsubscribe link stops what brought it: the neighbourhood's own subscription first.
    brought_by = dict(send.deliveries.values_list("subscriber__email", "subscription__neighbourhood"))
    assert brought_by == {
        "own@example.org": bellenden.pk,
        "both@example.org": bellenden.pk,
        "rye@example.org": None,
        "peckham@example.org": None,
    }
    assert "Bellenden in spring: Bellenden Safer Neighbourhoods" in {message["Subject"] for message in smtp}


def test_a_neighbourhood_copy_unsubscribes_from_what_brought_it_and_nothing_else(client, bellenden_issue, bellenden):
    both = subscriber("both@example.org", "SE15 5DD", ward=RYE_LANE, neighbourhood=bellenden.pk)
    by_ward = subscriber("rye@example.org", "SE15 5DB", ward=RYE_LANE)
    send = send_start(newsletter=bellenden_issue)

    for person in (both, by_ward):
        header = message_for(send, send.deliveries.get(subscriber=person), area_code(bellenden_issue))
        asked = client.get(urlsplit(header.extra_headers["List-Unsubscribe"].strip("<>")).path).content.decode()
        client.post(urlsplit(header.extra_headers["List-Unsubscribe"].strip("<>")).path)
        if person == both:
            assert "Unsubscribe from the Bellenden newsletter?" in asked
            assert list(both.subscriptions.values_list("ward", flat=True)) == [RYE_LANE]
        else:
            assert "Unsubscribe from the Rye Lane newsletter?" in asked
            assert not by_ward.subscriptions.exists()


def test_starting_a_neighbourhood_send_takes_the_same_queries_however_many_recipients(bellenden_issue, bellenden):
    def queries_to_start(count: int) -> int:
        Send.objects.all().delete()
        for n in range(count):
            subscriber(f"r{count}-{n}@example.org", INSIDE[n % 3], ward=RYE_LANE, neighbourhood=bellenden.pk)
        with CaptureQueriesContext(connection) as queries:
            send = send_start(newsletter=bellenden_issue)
        assert send.total == Subscriber.objects.count()
        return len(queries)

    queries_to_start(1)  # the first rendering reads what stays cached (the site, the footer's links)
    assert queries_to_start(2) == queries_to_start(20)


# The newsletter pages ---------------------------------------------------------------------------------


def test_a_neighbourhood_issue_is_made_under_its_page_and_offers_its_own_sign_up(client, bellenden_issue, bellenden):
    assert NewsletterPage.can_create_at(bellenden)

    page = client.get(bellenden_issue.url).content.decode()

    assert "Bellenden Safer Neighbourhoods newsletter" in page
    assert f'name="neighbourhood" value="{bellenden.pk}"' in page and 'name="ward"' not in page
    assert bellenden_issue.url in client.get(bellenden.url).content.decode()  # in the neighbourhood's archive


def test_the_send_page_says_who_a_neighbourhood_issue_goes_to_and_how_many(
    client, bellenden_issue, bellenden, officers
):
    subscriber("own@example.org", neighbourhood=bellenden.pk)
    subscriber("rye@example.org", "SE15 5DB", ward=RYE_LANE)
    subscriber("outside@example.org", "SE15 5DQ", ward=RYE_LANE)
    client.force_login(officers[0])

    page = words(client.get(f"/admin/newsletters/{bellenden_issue.pk}/send/"))

    assert (
        "Goes to Confirmed subscribers to the Bellenden newsletter, and to the newsletters of the wards it is in "
        "whose postcode is inside it How many 2 people"
    ) in page
    assert "Send to 2 subscribers" in page


# Privacy -------------------------------------------------------------------------------------------------


def test_the_personal_data_page_shows_the_postcode_and_the_copy_has_it(admin_client, bellenden):
    subscriber("ann@example.org", "SE15 5DB", neighbourhood=bellenden.pk)

    page = admin_client.post("/admin/personal-data/", {"email": "ann@example.org"}).content.decode()
    copy = json.loads(admin_client.post("/admin/personal-data/export/", {"email": "ann@example.org"}).content)

    assert "Postcode: SE15 5DB." in page and "Bellenden (natural neighbourhood)" in page
    assert copy["newsletter_subscriber"]["postcode"] == "SE15 5DB"


def test_the_postcode_is_in_the_owners_copy_and_goes_with_erasure(bellenden):
    subscriber("ann@example.org", "SE15 5DB", neighbourhood=bellenden.pk)
    kept = subscriber("kept@example.org", "SE15 5DD", ward=RYE_LANE)
    Subscriber.objects.filter(pk=kept.pk).update(suppressed_at=NOW, suppressed_reason="bounced")

    held = subscriber_export(email="ann@example.org")["newsletter_subscriber"]
    assert held["postcode"] == "SE15 5DB"
    assert [(s["newsletter"], s["neighbourhood"]) for s in held["subscriptions"]] == [
        ("Bellenden (natural neighbourhood)", "bellenden")
    ]

    subscriber_erase(email="ann@example.org")
    subscriber_erase(email="kept@example.org")  # suppressed: only its hash stays, with no postcode

    assert list(Subscriber.objects.values_list("postcode", flat=True)) == [""]


@pytest.mark.parametrize("chosen", ["9" * 60, "9" * 5000, "²", "abc", "-1"])
def test_a_neighbourhood_no_page_could_be_is_not_listed_never_a_server_error(client, sample_london, chosen):
    response = client.post("/newsletters/subscribe/", {"email": "a@example.org", "neighbourhood": chosen})

    assert response.status_code == 400
    assert "Choose from the newsletters listed" in response.content.decode()
