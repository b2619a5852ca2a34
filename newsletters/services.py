"""Every write that matters for newsletters: subscribing (double opt-in), preferences, one-click
unsubscribe, suppressing addresses that bounce or complain, starting a send, and erasing personal
data on request or when its retention period ends."""

import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list

from geography.models import Borough, Ward
from priorities.models import NeighbourhoodPage
from sn_site.emails import email_message, email_render
from sn_site.errors import AppError
from sn_site.links import site_url

from .emails import copy_links, issue_render
from .models import SUPPRESSION_DOMAIN, Delivery, NewsletterPage, Send, Subscriber, Subscription, suppression_address
from .selectors import (
    Unsubscribing,
    audience,
    audience_not_yet_reached,
    sent_too_long_ago,
    subscribed_to,
    subscriber_for_confirm_token,
    unsubscribe_target,
)
from .tokens import CONFIRM_DAYS, confirm_token, preferences_token

# Subscribing ------------------------------------------------------------------------------------


def subscription_request(
    *,
    email: str,
    wards: list[Ward] = (),
    boroughs: list[Borough] = (),
    neighbourhoods: list[NeighbourhoodPage] = (),
    postcode: str = "",
    now=None,
) -> bool:
    """Ask for newsletters: unconfirmed subscriptions, and an email with a signed link to confirm
    them, or, if every one asked for is confirmed already, a note saying so with the preferences
    link: one email either way, and the page says the same, so neither tells a stranger who
    subscribes (the sign-up form queues this as a task, so the page takes the same time too).
    Returns whether an email was sent: a suppressed address is sent nothing.

    `postcode` (formatted, validated by the form; "" for none) is kept only for an address not yet
    confirmed, whose confirmation then takes it too; a confirmed subscriber's postcode changes only
    on their preferences page, so a stranger's sign-up cannot change it."""
    now = now or timezone.now()
    email = email.strip().lower()
    if Subscriber.objects.filter(email=suppression_address(email)).exists():
        return False  # suppressed, then erased: only its hash is left, and nothing is ever sent to it
    subscriber, _ = Subscriber.objects.get_or_create(email=email)
    if subscriber.suppressed_at is not None:
        return False
    if subscriber.confirmed_at is None and subscriber.postcode != postcode:
        subscriber.postcode = postcode
        subscriber.save(update_fields=["postcode"])
    pending = False
    for area in [*wards, *boroughs, *neighbourhoods]:
        subscription, _ = Subscription.objects.get_or_create(subscriber=subscriber, **subscribed_to(area))
        pending |= subscription.confirmed_at is None
    preferences = site_url(reverse("newsletters:preferences", args=[preferences_token(subscriber.pk)]))
    if not pending:  # all confirmed already: still one email, so that nothing tells a stranger so
        note = email_render("newsletters/already_subscribed", {"preferences_url": preferences})
        email_message(note, to=[subscriber.email]).send()
        return True
    link = site_url(reverse("newsletters:confirm", args=[confirm_token(subscriber.pk)]))
    waiting = subscriber.subscriptions.filter(confirmed_at__isnull=True).select_related(
        "ward", "borough", "neighbourhood"
    )
    in_order = sorted(  # wards, then natural neighbourhoods, then whole boroughs
        waiting,
        key=lambda subscription: (
            not subscription.ward_id,
            subscription.borough_id is not None,
            subscription.area_name,
        ),
    )
    newsletters = get_text_list([subscription.newsletter_name for subscription in in_order], "and")
    context = {
        "newsletters": newsletters,
        "days": CONFIRM_DAYS,
        "confirm_url": link,
        "postcode": subscriber.postcode if subscriber.confirmed_at is None else "",
        # A confirmed subscriber who gave a postcode here changes it on their preferences page.
        "postcode_change_url": preferences if subscriber.confirmed_at and postcode != subscriber.postcode else "",
    }
    email_message(email_render("newsletters/confirm", context), to=[subscriber.email]).send()
    return True


def subscription_confirm(*, token: str, now=None) -> Subscriber | None:
    """Confirm the address and every subscription waiting on it; None for a wrong or old link."""
    now = now or timezone.now()
    subscriber = subscriber_for_confirm_token(token)
    if subscriber is None:
        return None
    pk = subscriber.pk
    with transaction.atomic():
        Subscriber.objects.filter(pk=pk, confirmed_at__isnull=True).update(confirmed_at=now)
        Subscriber.objects.filter(pk=pk).update(unsubscribed_at=None)
        subscriber.subscriptions.filter(confirmed_at__isnull=True).update(confirmed_at=now)
    return subscriber


def preferences_update(*, subscriber: Subscriber, keep: list[int], postcode: str | None = None) -> None:
    """Keep only the subscriptions listed (by id); an empty list unsubscribes from everything.
    `postcode` (formatted, validated by the form) replaces the one held; "" forgets it, None leaves it."""
    subscriber.subscriptions.exclude(pk__in=keep).delete()
    if postcode is not None:
        Subscriber.objects.filter(pk=subscriber.pk).update(postcode=postcode)
        subscriber.postcode = postcode
    _unsubscribed_if_none_left(subscriber)


def unsubscribe_one_click(*, token: str) -> Unsubscribing | None:
    """RFC 8058: the POST from an email's List-Unsubscribe link stops the subscription it names,
    and only that one."""
    target = unsubscribe_target(token)
    if target is not None and target.subscription is not None:
        Subscription.objects.filter(pk=target.subscription.pk).delete()
        _unsubscribed_if_none_left(target.subscriber)
    return target


def _unsubscribed_if_none_left(subscriber: Subscriber) -> None:
    """Start the retention clock (SN_SUBSCRIBER_RETENTION_DAYS) when the last subscription goes."""
    if not subscriber.subscriptions.exists():
        Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())


# Delivery events (bounces and complaints) --------------------------------------------------------

SUPPRESSING_EVENTS = {"bounced": Subscriber.Suppressed.BOUNCED, "complained": Subscriber.Suppressed.COMPLAINED}


def delivery_events_record(events: list[dict], now=None) -> int:
    """Events in Anymail's normalised shape ({"event_type", "recipient", ...}): hard bounces and
    complaints suppress the address for good. Returns how many addresses were suppressed."""
    now = now or timezone.now()
    suppressed = 0
    for event in events:
        reason = SUPPRESSING_EVENTS.get(event.get("event_type"))
        recipient = (event.get("recipient") or "").strip().lower()
        if reason and recipient:
            suppressed += Subscriber.objects.filter(email=recipient, suppressed_at__isnull=True).update(
                suppressed_at=now, suppressed_reason=reason
            )
    return suppressed


# Sending ----------------------------------------------------------------------------------------


class SendRefused(AppError):
    """Nothing was sent. `message` says why, as an officer reads it; `send` is the issue's latest
    send, if it has one."""

    code = "send_refused"

    def __init__(self, message: str, send: Send | None = None):
        super().__init__(message)
        self.send = send


class SendStartedMeanwhile(SendRefused):
    """The issue was sent after the officer looked (a double click, or a colleague): `send` is it."""

    def __init__(self, send: Send):
        super().__init__("This issue had already started sending: here is how far it has got.", send)


def send_start(
    *,
    newsletter: NewsletterPage,
    user=None,
    to: str = Send.Audience.EVERYONE,
    sends_seen: int | None = None,
    now=None,
) -> Send:
    """Render the issue once and snapshot its audience into one queued delivery per recipient, in
    one INSERT ... SELECT that PostgreSQL and SQLite both take (the audience is distinct and the
    send is new, so no row can clash); the caller then queues the batches
    (newsletters.tasks.send_queue).

    `to` is whom it goes to (a Send.Audience). An issue goes to everyone once: a second
    Send.Audience.EVERYONE is refused (SendRefused), and the database refuses it too (the
    constraint an_issue_goes_to_everyone_once). After that, Send.Audience.NEW_SUBSCRIBERS reaches
    only people who have had no copy of it (selectors.audience_not_yet_reached): nobody gets an
    issue twice. `now` is for tests.

    `sends_seen`: how many sends of the issue the officer was shown. Should there be more by now,
    nothing starts and SendStartedMeanwhile names the latest: a second click of the button never
    sends anything twice. The newsletter's row is locked while this is checked, so that two
    requests at once check one after the other (on PostgreSQL; SQLite writes one at a time)."""
    now = now or timezone.now()
    issue = issue_render(newsletter)
    with transaction.atomic():
        list(NewsletterPage.objects.select_for_update(of=("self",)).filter(pk=newsletter.pk).values_list("pk"))
        sends = Send.objects.filter(newsletter=newsletter)
        latest = sends.order_by("-created_at", "-pk").first()
        if sends_seen is not None and sends.count() > sends_seen:
            raise SendStartedMeanwhile(latest)
        recipients = _recipients(newsletter, to, latest, now)
        try:
            with transaction.atomic():
                send = Send.objects.create(
                    newsletter=newsletter,
                    created_by=user,
                    audience=to,
                    subject=issue.subject,
                    html=issue.html,
                    text=issue.text,
                )
        except IntegrityError:  # sent to everyone meanwhile, where the lock above does not hold
            raise SendRefused(_ALREADY_SENT, sends.order_by("-created_at", "-pk").first()) from None
        sql, params = recipients.values(sid=F("pk"), address=F("email"), by=F("brought_by")).query.sql_with_params()
        table = Delivery._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} "  # noqa: S608
                "(send_id, subscriber_id, email, subscription_id, status, attempts, last_error, handed_over) "
                f"SELECT %s, recipients.sid, recipients.address, recipients.by, 'queued', 0, '', false "
                f"FROM ({sql}) recipients",
                [send.pk, *params],
            )
        send.total = send.deliveries.count()
        send.status = Send.Status.SENDING
        send.started_at = timezone.now()
        send.save(update_fields=["total", "status", "started_at"])
    return send


_ALREADY_SENT = "This issue has already been sent to everyone, and nobody gets it twice."
TOO_LONG_AGO = "This issue was sent too long ago to send it to new subscribers."


def _recipients(newsletter: NewsletterPage, kind: str, latest: Send | None, now):
    """Who a send of `kind` would reach now, or SendRefused saying why it reaches nobody it may."""
    if kind == Send.Audience.EVERYONE:
        if latest is not None:
            raise SendRefused(_ALREADY_SENT, latest)
        return audience(newsletter)
    if kind != Send.Audience.NEW_SUBSCRIBERS:
        raise ValueError(f"Not a kind of send that may start: {kind!r}")
    if latest is None:
        raise SendRefused("This issue has not been sent yet: send it to everyone first.")
    if sent_too_long_ago(Send.objects.filter(newsletter=newsletter).order_by("created_at", "pk").first(), now):
        raise SendRefused(TOO_LONG_AGO, latest)
    recipients = audience_not_yet_reached(newsletter)
    if not recipients.exists():
        raise SendRefused("Nobody has subscribed since this issue was sent: there is nobody new to send it to.", latest)
    return recipients


def newsletter_test_send(*, newsletter: NewsletterPage, user) -> str:
    """A test copy of the issue as it stands in its latest saved version (a draft included), to
    the signed-in editor's own address and nobody else's; its unsubscribe and preferences links go
    nowhere. Returns the address."""
    if not user.email:
        raise SendRefused("Add an email address to your account to get a test.")
    issue = issue_render(newsletter.get_latest_revision_as_object(), test_copy=True)
    email_message(copy_links(issue, unsubscribe="#", preferences="#"), to=[user.email]).send()
    return user.email


def send_finish_if_done(send_id: int) -> bool:
    """Mark a send finished once no delivery is waiting or in flight."""
    waiting = Delivery.objects.filter(send_id=send_id, status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING])
    if waiting.exists():
        return False
    Send.objects.filter(pk=send_id).exclude(status=Send.Status.FINISHED).update(
        status=Send.Status.FINISHED, finished_at=timezone.now()
    )
    return True


# Erasure and retention --------------------------------------------------------------------------

IN_PROGRESS = (Delivery.Status.QUEUED, Delivery.Status.SENDING)


def _deliveries_unlink(deliveries) -> None:
    """Deliveries lose their person: subscriber, address, and the mail server's last error (which
    may quote the address). Any not yet handed to the mail server are stopped first: a worker
    holding one finds it gone when it tries to hand it over (newsletters.sending), so it is not sent."""
    deliveries.filter(status__in=IN_PROGRESS, handed_over=False).update(status=Delivery.Status.SUPPRESSED)
    deliveries.update(subscriber=None, subscription=None, email="", last_error="")


@transaction.atomic
def _subscriber_erase(subscriber: Subscriber) -> None:
    """Erase one subscriber. A suppressed address is kept as its suppression record (its hash),
    so it still gets nothing; any other is deleted outright and may subscribe again later."""
    _deliveries_unlink(Delivery.objects.filter(subscriber=subscriber))
    subscriber.subscriptions.all().delete()
    if subscriber.suppressed_at is None:
        subscriber.delete()
        return
    Subscriber.objects.filter(pk=subscriber.pk).update(
        email=suppression_address(subscriber.email), confirmed_at=None, unsubscribed_at=None, postcode=""
    )


def subscriber_erase(*, email: str) -> int:
    """Erase everything held about an address on its owner's request: subscriptions, and the link
    from past deliveries; a suppressed address keeps only its suppression record. Returns how many
    subscribers were erased (0 or 1)."""
    subscriber = Subscriber.objects.filter(email=email.strip().lower()).first()
    if subscriber is None:
        return 0
    _subscriber_erase(subscriber)
    return 1


def subscriber_data_purge(*, now=None) -> int:
    """Celery beat runs this daily (newsletters.tasks.subscriber_data_purge). Returns how many
    subscribers were deleted or reduced to a suppression record.

    - Subscriptions never confirmed within SN_SUBSCRIBER_UNCONFIRMED_DAYS are deleted, and so is an
      address that never confirmed anything and has nothing left.
    - SN_SUBSCRIBER_RETENTION_DAYS after the last subscription went, an address is deleted; after
      it was suppressed (a bounce or a complaint), it is kept only as its hash (suppression_address).
    - Deliveries of sends older than SN_SUBSCRIBER_RETENTION_DAYS lose their subscriber and address
      but keep their status, so each send's figures stay true.
    """
    now = now or timezone.now()
    unconfirmed_before = now - datetime.timedelta(days=settings.SN_SUBSCRIBER_UNCONFIRMED_DAYS)
    retained_before = now - datetime.timedelta(days=settings.SN_SUBSCRIBER_RETENTION_DAYS)
    Subscription.objects.filter(confirmed_at__isnull=True, created_at__lt=unconfirmed_before).delete()
    in_progress = Delivery.objects.filter(subscriber=OuterRef("pk"), status__in=IN_PROGRESS)
    has_subscriptions = Subscription.objects.filter(subscriber=OuterRef("pk"))
    _, deleted = (
        Subscriber.objects.filter(
            confirmed_at__isnull=True, suppressed_at__isnull=True, created_at__lt=unconfirmed_before
        )
        .exclude(Exists(has_subscriptions))
        .exclude(Exists(in_progress))
        .delete()
    )
    erased = deleted.get(Subscriber._meta.label, 0)
    # The clock also starts for anyone whose subscriptions went some other way (an officer, a
    # ward's removal), and stops for anyone who subscribed again.
    Subscriber.objects.filter(unsubscribed_at__isnull=True, confirmed_at__isnull=False).exclude(
        Exists(has_subscriptions)
    ).update(unsubscribed_at=now)
    Subscriber.objects.filter(unsubscribed_at__isnull=False).filter(Exists(has_subscriptions)).update(
        unsubscribed_at=None
    )
    due = Subscriber.objects.filter(
        Q(suppressed_at__lt=retained_before) & ~Q(email__endswith=f"@{SUPPRESSION_DOMAIN}")
        | Q(suppressed_at__isnull=True, unsubscribed_at__lt=retained_before)
    )
    for subscriber in due:
        _subscriber_erase(subscriber)
        erased += 1
    # Old sends' deliveries, and any whose subscriber was deleted some other way, lose the address.
    _deliveries_unlink(
        Delivery.objects.filter(
            Q(send__created_at__lt=retained_before, subscriber__isnull=False)
            | Q(subscriber__isnull=True) & ~Q(email="")
        )
    )
    return erased
