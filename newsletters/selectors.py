"""Who gets a newsletter (the audience of its ward, borough or natural neighbourhood), how far a
send has got, what is held about a subscriber, and whose a signed link is."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from geography.models import Borough, Ward
from priorities.models import BoroughPage, NeighbourhoodPage, NeighbourhoodPostcode, WardPage

from .models import Delivery, NewsletterPage, Send, Subscriber, Subscription, suppression_address
from .tokens import confirm_token_pk, preferences_token_pk, unsubscribe_token_opened


def newsletter_area(newsletter: NewsletterPage) -> Ward | Borough | NeighbourhoodPage:
    area = newsletter.area_page()
    if isinstance(area, WardPage):
        return area.ward
    return area.borough if isinstance(area, BoroughPage) else area


def subscribed_to(area: Ward | Borough | NeighbourhoodPage) -> dict:
    """The Subscription field that names an area, with it: {"ward": area}, say."""
    if isinstance(area, Ward):
        return {"ward": area}
    return {"borough": area} if isinstance(area, Borough) else {"neighbourhood": area}


def subscriptions_to(area: Ward | Borough | NeighbourhoodPage):
    """The confirmed subscriptions to a ward's, a borough's or a natural neighbourhood's
    newsletter. Each brings exactly that newsletter and no other, so that "you get this because you
    asked for it" is always true and one click on its unsubscribe link stops it for good (RFC 8058)."""
    return Subscription.objects.filter(confirmed_at__isnull=False, **subscribed_to(area))


def audience(newsletter: NewsletterPage):
    """Confirmed, unsuppressed subscribers to the newsletter's ward, borough or natural
    neighbourhood, each once, with the subscription that brings it as `brought_by`: the one its
    one-click unsubscribe link stops.

    A natural neighbourhood's newsletter also goes to the subscribers to the newsletter of a ward
    it is in whose postcode is one of its own (NeighbourhoodPostcode, its area as published): they
    asked for their ward's news and live here. Its own subscription brings anyone who has both."""
    area = newsletter_area(newsletter)
    own = subscriptions_to(area).filter(subscriber=OuterRef("pk"))
    subscribers = Subscriber.objects.filter(confirmed_at__isnull=False, suppressed_at__isnull=True)
    if not isinstance(area, NeighbourhoodPage):
        return subscribers.filter(Exists(own)).annotate(brought_by=Subquery(own.values("pk")[:1]))
    to_its_wards = Subscription.objects.filter(
        confirmed_at__isnull=False, ward__neighbourhood_pages=area, subscriber=OuterRef("pk")
    ).order_by("pk")
    lives_here = Q(postcode__in=NeighbourhoodPostcode.objects.filter(page=area).values("postcode_id"))
    return subscribers.filter(Exists(own) | (Exists(to_its_wards) & lives_here)).annotate(
        brought_by=Coalesce(Subquery(own.values("pk")[:1]), Subquery(to_its_wards.values("pk")[:1]))
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
    subscriptions = subscriber.subscriptions.select_related("ward", "borough", "neighbourhood").order_by("pk")
    deliveries = subscriber.deliveries.select_related("send").order_by("send__created_at")
    export["newsletter_subscriber"] = {
        "email": subscriber.email,
        "asked_at": subscriber.created_at,
        "confirmed_at": subscriber.confirmed_at,
        "suppressed_at": subscriber.suppressed_at,
        "suppressed_reason": subscriber.get_suppressed_reason_display(),
        "unsubscribed_from_everything_at": subscriber.unsubscribed_at,
        "postcode": subscriber.postcode,
        "subscriptions": [
            {
                "newsletter": subscription.area_name,
                "area_code": subscription.ward_id or subscription.borough_id or None,
                "neighbourhood": subscription.neighbourhood.slug if subscription.neighbourhood_id else None,
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


# Whose links ------------------------------------------------------------------------------------


def subscriber_for_confirm_token(token: str) -> Subscriber | None:
    """Whose address an emailed confirmation link confirms; None for a wrong or old link."""
    pk = confirm_token_pk(token)
    return None if pk is None else Subscriber.objects.filter(pk=pk, suppressed_at__isnull=True).first()


def subscriber_for_preferences(token: str) -> Subscriber | None:
    """Whose preferences an emailed preferences link opens; None for a wrong link."""
    pk = preferences_token_pk(token)
    return None if pk is None else Subscriber.objects.filter(pk=pk).first()


@dataclass(frozen=True)
class Unsubscribing:
    """Whose link it is, and the subscription it stops (None: already stopped)."""

    subscriber: Subscriber
    subscription: Subscription | None


def unsubscribe_target(token: str) -> Unsubscribing | None:
    """What a one-click unsubscribe link stops; None for a link this site did not make, or whose
    subscriber has been erased. A link names its subscription; an older link names the
    newsletter's area, and stops the subscriber's subscription to it. Either way, using it again
    stops nothing more."""
    link = unsubscribe_token_opened(token)
    subscriber = None if link is None else Subscriber.objects.filter(pk=link.subscriber_pk).first()
    if subscriber is None:
        return None
    code = link.area_code
    if code is None:
        subscriptions = subscriber.subscriptions.filter(pk=link.subscription_pk)
    elif area := _area_of_code(code):
        subscriptions = subscriptions_to(area).filter(subscriber=subscriber)
    else:
        subscriptions = Subscription.objects.none()
    return Unsubscribing(subscriber, subscriptions.select_related("ward__borough", "borough", "neighbourhood").first())


NEIGHBOURHOOD_CODE = "neighbourhood-"  # a natural neighbourhood has no ONS code: links name its page


def area_code_of(area: Ward | Borough | NeighbourhoodPage) -> str:
    """What a link names an area by: a ward's or a borough's ONS code, a natural neighbourhood's page id."""
    return f"{NEIGHBOURHOOD_CODE}{area.pk}" if isinstance(area, NeighbourhoodPage) else area.pk


def _area_of_code(code: str) -> Ward | Borough | NeighbourhoodPage | None:
    if code.startswith(NEIGHBOURHOOD_CODE):
        pk = code.removeprefix(NEIGHBOURHOOD_CODE)
        return NeighbourhoodPage.objects.filter(pk=pk).first() if pk.isdigit() else None
    return Ward.objects.filter(pk=code).first() or Borough.objects.filter(pk=code).first()


BATCH_SIZE = 500


def send_batches(send: Send, size: int = BATCH_SIZE) -> list[tuple[int, int]]:
    """The send's deliveries as ranges of ids, `size` to a range, for one task each."""
    ids = list(send.deliveries.order_by("pk").values_list("pk", flat=True))
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def sent_too_long_ago(first: Send, now=None) -> bool:
    """Whether an issue's first send is too old for a send to new subscribers: by now who had it
    is being forgotten (subscriber_data_purge), so it could reach someone twice."""
    now = now or timezone.now()
    return first.created_at < now - datetime.timedelta(days=settings.SN_SUBSCRIBER_RETENTION_DAYS - 1)
