"""Celery tasks for sending newsletters, and for deleting subscribers' data on time. Late acks and
reject-on-worker-lost (settings) mean a batch whose worker dies is delivered to another worker;
newsletters.sending decides, row by row, what is still to send."""

from celery import shared_task

from geography.models import Borough, Ward
from priorities.models import NeighbourhoodPage

from . import sending, services
from .models import Send
from .selectors import send_batches
from .services import send_finish_if_done


@shared_task(acks_late=True)
def send_queue(send_id: int) -> int:
    """Queue one task per batch of the send's deliveries. Returns how many batches."""
    send = Send.objects.get(pk=send_id)
    batches = send_batches(send)
    for first, last in batches:
        send_batch.delay(send_id, first, last)
    if not batches:
        send_finish_if_done(send_id)
    return len(batches)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(sending.TemporaryFailure,),
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=sending.MAX_ATTEMPTS,
)
def send_batch(self, send_id: int, first: int, last: int) -> dict:
    try:
        return sending.batch_send(send_id=send_id, first=first, last=last)
    finally:
        send_finish_if_done(send_id)


@shared_task
def deliveries_sweep() -> int:
    """Celery beat runs this every minute: batches with claims older than SN_NEWSLETTER_CLAIM_SECONDS
    (a worker died and its task was lost) are queued again. Returns how many."""
    stale = sending.stale_batches()
    for send_id, first, last in stale:
        send_batch.delay(send_id, first, last)
    return len(stale)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def subscription_request(
    email: str,
    ward_codes: list[str],
    borough_codes: list[str],
    neighbourhood_ids: list[int] = (),
    postcode: str = "",
) -> bool:
    """A sign-up from a ward's, a borough's or a natural neighbourhood's page: queued, so the page
    answers in the same time whether the address already subscribes or not."""
    return services.subscription_request(
        email=email,
        wards=list(Ward.objects.filter(pk__in=ward_codes)),
        boroughs=list(Borough.objects.filter(pk__in=borough_codes)),
        neighbourhoods=list(NeighbourhoodPage.objects.filter(pk__in=neighbourhood_ids)),
        postcode=postcode,
    )


@shared_task(acks_late=True)
def subscriber_data_purge() -> int:
    """Celery beat runs this daily: unconfirmed subscriptions after SN_SUBSCRIBER_UNCONFIRMED_DAYS,
    former and suppressed subscribers' addresses after SN_SUBSCRIBER_RETENTION_DAYS."""
    return services.subscriber_data_purge()
