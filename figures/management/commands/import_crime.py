"""Load or refresh recorded crime per ward from releases of the MPS ward crime table."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from figures.crime_files import CrimeFileError
from figures.models import CrimeMonth
from figures.services import crime_import
from sn_site.progress import ProgressBar


def _months(months) -> str:
    if not months:
        return "none"
    return f"{months[0]:%b %Y} to {months[-1]:%b %Y}" if len(months) > 1 else f"{months[0]:%b %Y}"


class Command(BaseCommand):
    help = (
        'Import releases of the MPS "Ward Level Crime (most recent 24 months)" table: CSV files or folders of '
        "them, in any order (default: SN_CRIME_DATA). For each month the newest release covering it wins."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="Release CSV files, or folders of them.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if crime figures are already held.")

    def handle(self, *args, **options):
        if options["if_empty"] and CrimeMonth.objects.exists():
            self.stdout.write("Crime figures already imported; skipping (run without --if-empty to refresh).")
            return
        paths = options["paths"] or ([settings.SN_CRIME_DATA] if settings.SN_CRIME_DATA else [])
        if not paths:
            raise CommandError("Give the release files or folders to import, or set SN_CRIME_DATA.")
        try:
            with ProgressBar(self.stdout, "Crime", verbose=options["verbosity"] > 1) as progress:
                report = crime_import(sources=[Path(path) for path in paths], progress=progress)
        except (CrimeFileError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(report.releases)} release(s) in {report.seconds:.1f}s. "
                f"Months added: {_months(report.months_added)}; revised: {_months(report.months_revised)}; "
                f"unchanged: {len(report.months_unchanged)}; kept from a newer release: {len(report.months_kept)}. "
                f"Ward-months changed: {report.wards_changed}."
            )
        )
        if report.unknown_wards:
            self.stdout.write(
                f"Skipped wards not in the geography: {', '.join(report.unknown_wards)} "
                "(import the latest Code-Point Open if they are new)."
            )
