"""What a newsletter says, read from its ward's (or borough's) published page, and who gets it."""

from django.core import signing
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone

from geography.models import Borough, Ward
from priorities.models import WardPage

from .models import Delivery, NewsletterPage, Send, Subscriber, Subscription, suppression_address

# The salt of a subscriber's preferences link (emails.preferences_token makes them; this reads them).
PREFERENCES_SALT = "newsletters.preferences"


def newsletter_area(newsletter: NewsletterPage) -> Ward | Borough:
    area = newsletter.area_page()
    return area.ward if isinstance(area, WardPage) else area.borough


def subscriptions_to(area: Ward | Borough):
    """The confirmed subscriptions to a ward's or a borough's newsletter. Each brings exactly that
    newsletter and no other, so that "you get this because you asked for it" is always true and
    one click on its unsubscribe link stops it for good (RFC 8058)."""
    own = {"ward": area} if isinstance(area, Ward) else {"borough": area}
    return Subscription.objects.filter(confirmed_at__isnull=False, **own)


def audience(newsletter: NewsletterPage):
    """Confirmed, unsuppressed subscribers to the newsletter's ward or borough, each with that
    subscription as `brought_by`: the one its one-click unsubscribe link stops."""
    subscription = subscriptions_to(newsletter_area(newsletter)).filter(subscriber=OuterRef("pk"))
    return (
        Subscriber.objects.filter(confirmed_at__isnull=False, suppressed_at__isnull=True)
        .filter(Exists(subscription))
        .annotate(brought_by=Subquery(subscription.values("pk")[:1]))
    )


def audience_not_yet_reached(newsletter: NewsletterPage):
    """The audience less everyone any send of this issue has already taken in, whatever became of
    their copy: the people who subscribed since it was sent."""
    had_it = Delivery.objects.filter(send__newsletter=newsletter, subscriber=OuterRef("pk"))
    return audience(newsletter).exclude(Exists(had_it))


def send_progress_of(send: Send) -> dict:
    """Sent / total, failures, waiting, and the estimated seconds left, for the admin."""
    counts = dict(send.deliveries.values_list("status").annotate(n=Count("pk")))
    sent = counts.get(Delivery.Status.SENT, 0)
    done = sent + counts.get(Delivery.Status.FAILED, 0) + counts.get(Delivery.Status.SUPPRESSED, 0)
    remaining = send.total - done
    seconds_left = None
    if send.started_at and sent and remaining:
        elapsed = (timezone.now() - send.started_at).total_seconds()
        seconds_left = round(elapsed / done * remaining)
    return {
        "sent": sent,
        "failed": counts.get(Delivery.Status.FAILED, 0),
        "waiting": counts.get(Delivery.Status.QUEUED, 0) + counts.get(Delivery.Status.SENDING, 0),
        "total": send.total,
        "percent": round(100 * done / send.total) if send.total else 100,
        "seconds_left": seconds_left,
    }


def subscriber_export(*, email: str) -> dict:
    """Everything newsletters hold about an address, for its owner's copy: the subscriber, their
    subscriptions and every delivery still linked to them. `suppression_record` is set when only
    the address's hash is held (a suppressed address that has been erased)."""
    email = email.strip().lower()
    record = Subscriber.objects.filter(email=suppression_address(email)).values("suppressed_at", "suppressed_reason")
    subscriber = Subscriber.objects.filter(email=email).first()
    export = {"newsletter_subscriber": None, "suppression_record": record.first()}
    if subscriber is None:
        return export
    subscriptions = subscriber.subscriptions.select_related("ward", "borough").order_by("pk")
    deliveries = subscriber.deliveries.select_related("send").order_by("send__created_at")
    export["newsletter_subscriber"] = {
        "email": subscriber.email,
        "asked_at": subscriber.created_at,
        "confirmed_at": subscriber.confirmed_at,
        "suppressed_at": subscriber.suppressed_at,
        "suppressed_reason": subscriber.get_suppressed_reason_display(),
        "unsubscribed_from_everything_at": subscriber.unsubscribed_at,
        "subscriptions": [
            {
                "newsletter": subscription.area_name,
                "area_code": subscription.ward_id or subscription.borough_id,
                "asked_at": subscription.created_at,
                "confirmed_at": subscription.confirmed_at,
            }
            for subscription in subscriptions
        ],
        "deliveries": [
            {
                "newsletter": delivery.send.subject,
                "send_started_at": delivery.send.created_at,
                "email": delivery.email,
                "status": delivery.get_status_display(),
                "sent_at": delivery.sent_at,
            }
            for delivery in deliveries
        ],
    }
    return export


def subscriber_for_preferences(token: str) -> Subscriber | None:
    """Whose preferences an emailed preferences link opens; None for a wrong link."""
    try:
        pk = signing.Signer(salt=PREFERENCES_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Subscriber.objects.filter(pk=pk).first()
