"""Background work for the local policing picture."""

from celery import shared_task
from django.core.management import call_command

from . import services


@shared_task
def publish_scheduled() -> None:
    """Publish (and unpublish) pages whose scheduled time has come: officers can set a "go live"
    date on a page or revision in the admin. Celery beat runs this every minute."""
    call_command("publish_scheduled")


@shared_task(acks_late=True)
def neighbourhood_proposals_purge() -> int:
    """Celery beat runs this daily."""
    return services.neighbourhood_proposals_purge()
