"""Bringing the published figures in: the MPS ward crime table (any number of its releases,
merged) and MOPAC's Public Attitude Survey borough table."""

import datetime
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from geography.models import Ward
from sn_site.cache import generation_forget
from sn_site.downloads import download
from sn_site.page_cache import PAGES_GENERATION
from sn_site.progress import Progress, no_progress

from .crime_files import CrimeFileError, CrimeRelease, crime_files_in, crime_release_read
from .models import CrimeMonth, WardCrime
from .selectors import CRIME_GENERATION

# Recorded crime ---------------------------------------------------------------------------------

_CRIME_LOCK = 7_405_016  # any constant: the PostgreSQL advisory lock held while importing crime
_BATCH = 2000


@dataclass
class CrimeImportReport:
    releases: list[str] = field(default_factory=list)
    months_added: list[datetime.date] = field(default_factory=list)
    months_revised: list[datetime.date] = field(default_factory=list)  # replaced, and some ward's figures changed
    months_unchanged: list[datetime.date] = field(default_factory=list)
    months_kept: list[datetime.date] = field(default_factory=list)  # a newer release is already held
    wards_changed: int = 0  # ward-months whose figures changed
    unknown_wards: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.months_added or self.months_revised)


def crime_import(*, sources: list[Path], progress: Progress = no_progress) -> CrimeImportReport:
    """Load releases of the MPS ward crime table (files, or folders of them), in any order, and
    merge them with what is held: for each month, the newest release covering it is the truth,
    all of that month (a category it does not list had no crimes that month). Safe to run again:
    a month already held from the same release is rewritten only if its figures differ. One
    transaction: a failed run leaves the figures as they were."""
    started = time.monotonic()
    report = CrimeImportReport()
    paths = [path for source in sources for path in crime_files_in(source)]
    releases = []
    for done, path in enumerate(paths):
        progress("reading releases", done, len(paths))
        releases.append(crime_release_read(path))
    progress("reading releases", len(paths), len(paths))
    report.releases = [release.path.name for release in releases]
    known = set(Ward.objects.values_list("code", flat=True))
    if not known:
        raise CrimeFileError("Import the geography first (manage.py import_geography): crime is recorded by ward.")
    named = {ward for release in releases for ward in release.counts}
    report.unknown_wards = sorted(named - known)
    # The newest release covering each month; of two with the same months, the one given last.
    newest: dict[datetime.date, CrimeRelease] = {}
    for release in releases:
        for month in release.months:
            if month not in newest or newest[month].ends <= release.ends:
                newest[month] = release
    with transaction.atomic():
        if connection.vendor == "postgresql":  # one import at a time: a command and a task may overlap
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CRIME_LOCK])
        held = {month.month: month for month in CrimeMonth.objects.select_for_update()}
        for done, (month, release) in enumerate(sorted(newest.items())):
            progress("merging months", done, len(newest))
            before = held.get(month)
            if before is not None and before.release_ends > release.ends:
                report.months_kept.append(month)
                continue
            figures = {
                ward: by_month[month]
                for ward, by_month in release.counts.items()
                if ward in known and month in by_month
            }
            if before is not None:
                stored = dict(WardCrime.objects.filter(month=month).values_list("ward_id", "counts"))
                changed = sum(figures.get(ward) != stored.get(ward) for ward in figures.keys() | stored.keys())
                if not changed and before.release_ends == release.ends:
                    report.months_unchanged.append(month)
                    continue
                report.wards_changed += changed
                (report.months_revised if changed else report.months_unchanged).append(month)
            else:
                report.wards_changed += len(figures)
                report.months_added.append(month)
            _month_replace(month, release, figures)
        progress("merging months", len(newest), len(newest))
        if report.changed:
            transaction.on_commit(lambda: generation_forget(CRIME_GENERATION, PAGES_GENERATION))
    report.seconds = time.monotonic() - started
    return report


def _month_replace(month: datetime.date, release: CrimeRelease, figures: dict[str, dict]) -> None:
    CrimeMonth.objects.update_or_create(
        month=month,
        defaults={"release_ends": release.ends, "release_file": release.path.name[:255], "imported_at": timezone.now()},
    )
    WardCrime.objects.filter(month=month).delete()
    WardCrime.objects.bulk_create(
        [
            WardCrime(ward_id=ward, month_id=month, total=sum(sum(m.values()) for m in counts.values()), counts=counts)
            for ward, counts in sorted(figures.items())
        ],
        batch_size=_BATCH,
    )


def crime_download(url: str, folder: Path) -> Path:
    """The MPS's latest release of the ward crime table, fetched from the configured address."""
    return download(url, folder / "MPS Ward Level Crime (most recent 24 months).csv", max_bytes=_MAX_CSV_BYTES)


# A release is about 2.5 MB; anything far larger is not the ward crime table.
_MAX_CSV_BYTES = 50 * 1024 * 1024


# Public Attitude Survey --------------------------------------------------------------------------
