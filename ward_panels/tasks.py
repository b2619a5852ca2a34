"""Background work for ward panels: invitations, reminders, requests to join and deleting personal
data on time."""

from celery import shared_task
from django.conf import settings

from geography.models import Ward

from . import selectors, services
from .models import PanelMember, Survey


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def invitations_send(self, survey_id: int) -> int:
    """Invite every active member of the survey's panels. Run again after a failure or a killed
    worker (late acks: the broker hands a killed worker's task to another), it invites only those
    not yet sent an invitation. Invitations another worker has claimed are looked at again once
    such a claim would have expired, in case that worker was killed."""
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        return 0
    sent = services.invitations_send(survey=survey)
    if selectors.invitations_held(survey=survey):
        raise self.retry(countdown=settings.SN_NEWSLETTER_CLAIM_SECONDS + 1)
    return sent


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def reminders_send() -> int:
    """Celery beat runs this hourly: the reminders that are due, and any invitation a killed
    worker left unsent."""
    return services.invitations_unsent_sweep() + services.reminders_send()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def membership_request(ward_code: str, name: str, email: str, phone: str = "", postcode: str = "") -> None:
    """A request to join from the ward page: queued, so the page answers in the same time whether
    the address is already on the panel or not."""
    ward = Ward.objects.filter(pk=ward_code).first()
    if ward is not None:
        services.membership_request(ward=ward, name=name, email=email, phone=phone, postcode=postcode)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def members_confirmation_request(member_ids: list[int]) -> int:
    """After an import: ask the members it found without their consent on record to confirm, once
    each (a retry, or the same file imported again, sends only to those not yet asked)."""
    members = PanelMember.objects.select_related("panel__ward").filter(pk__in=member_ids)
    return services.members_confirmation_request(members=members)


@shared_task(acks_late=True)
def personal_data_purge() -> int:
    """Celery beat runs this daily."""
    return services.personal_data_purge()


@shared_task(acks_late=True)
def members_left_purge() -> int:
    """Celery beat runs this daily."""
    return services.members_left_purge()


@shared_task(acks_late=True)
def equality_answers_purge() -> int:
    """Celery beat runs this daily."""
    return services.equality_answers_purge()


@shared_task(acks_late=True)
def equality_pool_flush() -> int:
    """Celery beat runs this every 15 minutes: writes out pooled equality answers in shuffled
    batches (services.equality_pool_flush)."""
    return services.equality_pool_flush()
