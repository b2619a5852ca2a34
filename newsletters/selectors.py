"""What a newsletter says, read from its ward's (or borough's) published page, and who gets it."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from priorities.models import BoroughPage, WardPage
from priorities.selectors import events_upcoming, priorities_active, team_members

from .models import Delivery, NewsletterPage, Send, Subscriber


@dataclass
class NewsletterContent:
    area: WardPage | BoroughPage
    is_ward: bool
    priorities: list = field(default_factory=list)  # (ward page, [priority, ...]) pairs
    team: list = field(default_factory=list)
    events: list = field(default_factory=list)
    email: str = ""
    phone: str = ""


def newsletter_content(newsletter: NewsletterPage) -> NewsletterContent:
    area = newsletter.area_page()
    if isinstance(area, WardPage):
        return NewsletterContent(
            area=area,
            is_ward=True,
            priorities=[(area, priorities_active(area))],
            team=team_members(area),
            events=events_upcoming(area),
            email=area.email,
            phone=area.phone,
        )
    wards = list(WardPage.objects.live().child_of(area).order_by("title"))
    return NewsletterContent(
        area=area,
        is_ward=False,
        priorities=[(ward, priorities) for ward in wards if (priorities := priorities_active(ward))],
        events=events_upcoming(area),
    )


def audience(newsletter: NewsletterPage):
    """Confirmed, unsuppressed subscribers to the newsletter's ward or its borough (for a borough
    newsletter: to the borough or any of its wards), each once."""
    area = newsletter.area_page()
    if isinstance(area, WardPage):
        ward = area.ward
        covers = Q(subscriptions__ward_id=ward.code) | Q(subscriptions__borough_id=ward.borough_id)
    else:
        covers = Q(subscriptions__borough_id=area.borough_id) | Q(subscriptions__ward__borough_id=area.borough_id)
    return (
        Subscriber.objects.filter(confirmed_at__isnull=False, suppressed_at__isnull=True)
        .filter(covers & Q(subscriptions__confirmed_at__isnull=False))  # one join: the same subscription
        .distinct()
    )


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
