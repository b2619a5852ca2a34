"""Background work on London's geography."""

from pathlib import Path

from celery import shared_task

from .services import geography_import


@shared_task(acks_late=True)
def geography_refresh(source: str | None = None) -> dict:
    """Refresh the geography from a Code-Point Open folder or zip, or a fresh OS download.

    Code-Point Open is republished quarterly; schedule this with Celery beat to keep up. It is
    safe to run twice, or again after a worker is killed part-way: the import is one transaction.
    """
    report = geography_import(source=Path(source) if source else None)
    return {"boroughs": report.boroughs, "wards": report.wards, "postcodes": report.postcodes}
