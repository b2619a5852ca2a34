"""Background work for the local policing picture."""

from celery import shared_task
from django.core.management import call_command


@shared_task
def publish_scheduled() -> None:
    """Publish (and unpublish) pages whose scheduled time has come: officers can set a "go live"
    date on a page or revision in the admin. Celery beat runs this every minute."""
    call_command("publish_scheduled")
