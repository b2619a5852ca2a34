"""Background work for ward panels: invitations, reminders and deleting personal data on time."""

from celery import shared_task

from . import services
from .models import Survey


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def invitations_send(survey_id: int) -> int:
    """Invite every active member of the survey's panels. Run again after a failure or a killed
    worker, it invites only those not yet sent an invitation."""
    survey = Survey.objects.filter(pk=survey_id).first()
    return services.invitations_send(survey=survey) if survey else 0


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def reminders_send() -> int:
    """Celery beat runs this hourly."""
    return services.reminders_send()


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
