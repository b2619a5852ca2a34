"""Background work on the published figures."""

import tempfile
from pathlib import Path

from celery import shared_task
from django.conf import settings

from .services import confidence_download, confidence_import, crime_download, crime_import


@shared_task(acks_late=True)
def figures_refresh() -> dict:
    """Fetch the latest release of each table whose download address is configured and merge it
    with what is held. Safe to run again, or after a worker is killed part-way: each import is one
    transaction, and a release already held changes nothing."""
    done = {}
    if settings.SN_CRIME_DOWNLOAD_URL:
        with tempfile.TemporaryDirectory() as folder:
            release = crime_download(settings.SN_CRIME_DOWNLOAD_URL, Path(folder))
            report = crime_import(sources=[release])
        done["crime"] = {
            "months_added": len(report.months_added),
            "months_revised": len(report.months_revised),
            "wards_changed": report.wards_changed,
        }
    if settings.SN_CONFIDENCE_DOWNLOAD_URL:
        with tempfile.TemporaryDirectory() as folder:
            table = confidence_download(settings.SN_CONFIDENCE_DOWNLOAD_URL, Path(folder))
            report = confidence_import(source=table)
        done["confidence"] = {"added": report.added, "changed": report.changed, "removed": report.removed}
    return done
