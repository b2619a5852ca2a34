"""Bringing the published figures in: the MPS ward crime table (any number of its releases,
merged) and MOPAC's Public Attitude Survey borough table."""

import datetime
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from geography.models import Borough, Ward
from sn_site.cache import generation_forget
from sn_site.downloads import download
from sn_site.page_cache import PAGES_GENERATION
from sn_site.progress import Progress, no_progress

from .confidence_files import ConfidenceFileError, ConfidenceRow, confidence_table
from .crime_files import CrimeFileError, CrimeRelease, crime_files_in, crime_release_read
from .models import ConfidenceMeasure, CrimeMonth, WardCrime
from .selectors import CONFIDENCE_GENERATION, CRIME_GENERATION

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


# Each file is a few megabytes; anything far larger is not what was asked for.
_MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024


def crime_download(url: str, folder: Path) -> Path:
    """The MPS's latest release of the ward crime table, fetched from the configured address."""
    return download(url, folder / "MPS Ward Level Crime (most recent 24 months).csv", max_bytes=_MAX_DOWNLOAD_BYTES)


def confidence_download(url: str, folder: Path) -> Path:
    """MOPAC's latest PAS borough table, the dashboard workbook or its CSV export, as the address ends."""
    suffix = ".xlsx" if urllib.parse.urlsplit(url).path.lower().endswith(".xlsx") else ".csv"
    return download(url, folder / f"PAS_Dashboard_Borough{suffix}", max_bytes=_MAX_DOWNLOAD_BYTES)


# Public Attitude Survey --------------------------------------------------------------------------
_CONFIDENCE_IMPORT_LOCK = 7_405_002  # any constant: the PostgreSQL advisory lock held while importing
_CONFIDENCE_BATCH = 2000
# MOPAC's names for boroughs that ours (from the ONS code list, geography.codepoint) name otherwise,
# compared in lower case. Explicit on purpose: a name not here or in our list refuses the file.
BOROUGH_ALIASES = {
    "city of westminster": "westminster",
    "barking & dagenham": "barking and dagenham",
    "hammersmith & fulham": "hammersmith and fulham",
    "kensington & chelsea": "kensington and chelsea",
}


@dataclass
class ConfidenceImportReport:
    source: Path
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    boroughs: int = 0
    first_quarter: datetime.date | None = None
    latest_quarter: datetime.date | None = None
    rows_with_stray_values: list[int] = field(default_factory=list)
    seconds: float = 0.0


def _borough_codes_by_name(rows: list[ConfidenceRow]) -> dict[str, str]:
    """Our borough code for each name the file uses, or ConfidenceFileError at the first row whose
    borough is not one of ours (nothing fuzzy: a typo is refused rather than guessed)."""
    ours = {name.lower(): code for code, name in Borough.objects.values_list("code", "name")}
    if not ours:
        raise ConfidenceFileError("No boroughs are loaded yet: run import_geography first.")
    codes = {}
    for row in rows:
        if row.borough in codes:
            continue
        name = row.borough.lower()
        code = ours.get(BOROUGH_ALIASES.get(name, name))
        if code is None:
            raise ConfidenceFileError(f'Row {row.row}: "{row.borough}" is not a London borough the site knows.')
        codes[row.borough] = code
    return codes


def confidence_import(*, source: Path, progress: Progress = no_progress) -> ConfidenceImportReport:
    """Load or refresh what each borough's residents told the Public Attitude Survey, from MOPAC's
    borough table (the CSV export, the dashboard workbook, or a folder holding one).

    The file is the whole table: afterwards the site holds exactly its rows, added, changed or
    removed as needed, so a second run changes nothing. Every row is checked before anything is
    written, and it all happens in one transaction: a file with any row that cannot be read, or a
    borough name we do not know, is refused whole (ConfidenceFileError) and leaves the figures as
    they were."""
    started = time.monotonic()
    progress("reading the survey table", 0, 1)
    table = confidence_table(Path(source))
    progress("reading the survey table", 1, 1)
    report = ConfidenceImportReport(source=table.path, rows=len(table.rows))
    report.rows_with_stray_values = table.rows_with_stray_values
    progress(f"{table.path.name}: {len(table.rows)} rows.")
    codes = _borough_codes_by_name(table.rows)

    wanted: dict[tuple, tuple[float, float]] = {}
    first_row: dict[tuple, int] = {}
    for row in table.rows:
        key = (codes[row.borough], row.measure, row.quarter_end)
        if key in wanted:
            raise ConfidenceFileError(
                f"Row {row.row}: {row.borough}, {row.measure}, {row.quarter_end:%d/%m/%Y} "
                f"is already in row {first_row[key]}."
            )
        wanted[key] = (row.proportion, row.london_proportion)
        first_row[key] = row.row

    with transaction.atomic():
        if connection.vendor == "postgresql":  # one import at a time: a command and a task may overlap
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CONFIDENCE_IMPORT_LOCK])
        existing = {
            (borough, measure, quarter_end): (pk, proportion, london)
            for pk, borough, measure, quarter_end, proportion, london in ConfidenceMeasure.objects.values_list(
                "pk", "borough_id", "measure", "quarter_end", "proportion", "london_proportion"
            )
        }
        added, changed = [], []
        for (borough, measure, quarter_end), (proportion, london) in wanted.items():
            before = existing.pop((borough, measure, quarter_end), None)
            if before is None:
                added.append(ConfidenceMeasure(
                    borough_id=borough, measure=measure, quarter_end=quarter_end,
                    proportion=proportion, london_proportion=london,
                ))  # fmt: skip
            elif before[1:] != (proportion, london):
                changed.append(ConfidenceMeasure(pk=before[0], proportion=proportion, london_proportion=london))
        progress("saving the figures", 0, len(added) + len(changed) + len(existing))
        ConfidenceMeasure.objects.bulk_create(added, batch_size=_CONFIDENCE_BATCH)
        ConfidenceMeasure.objects.bulk_update(
            changed, ["proportion", "london_proportion"], batch_size=_CONFIDENCE_BATCH
        )
        gone = [pk for pk, _, _ in existing.values()]
        for start in range(0, len(gone), _CONFIDENCE_BATCH):
            ConfidenceMeasure.objects.filter(pk__in=gone[start : start + _CONFIDENCE_BATCH]).delete()
        progress("saving the figures", 1, 1)

    report.added, report.changed, report.removed = len(added), len(changed), len(gone)
    report.unchanged = len(wanted) - len(added) - len(changed)
    report.boroughs = len({borough for borough, _, _ in wanted})
    report.first_quarter = min(quarter for _, _, quarter in wanted)
    report.latest_quarter = max(quarter for _, _, quarter in wanted)
    report.seconds = time.monotonic() - started
    if added or changed or gone:  # pages and answers showing the figures start afresh once committed
        transaction.on_commit(lambda: generation_forget(CONFIDENCE_GENERATION, PAGES_GENERATION))
    return report
