"""Background work for the local policing picture."""

from pathlib import Path

from celery import shared_task
from django.core.management import call_command

from .services import geography_import


@shared_task(acks_late=True)
def geography_refresh(source: str | None = None) -> dict:
    """Refresh the geography from a Code-Point Open folder or zip, or a fresh OS download.

    Code-Point Open is republished quarterly; schedule this with Celery beat to keep up. It is
    safe to run twice, or again after a worker is killed part-way: the import is one transaction.
    """
    report = geography_import(source=Path(source) if source else None)
    return {"boroughs": report.boroughs, "wards": report.wards, "postcodes": report.postcodes}


@shared_task
def publish_scheduled() -> None:
    """Publish (and unpublish) pages whose scheduled time has come: officers can set a "go live"
    date on a page or revision in the admin. Celery beat runs this every minute."""
    call_command("publish_scheduled")
