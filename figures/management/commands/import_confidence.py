"""Load or refresh MOPAC's Public Attitude Survey figures for each borough."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from figures.confidence_files import ConfidenceFileError
from figures.models import ConfidenceMeasure
from figures.services import confidence_import
from sn_site.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Import what each borough's residents told MOPAC's Public Attitude Survey: the PAS dashboard's borough "
        "table as MOPAC publishes it (PAS_Dashboard_Borough.csv, the dashboard workbook, or a folder holding one; "
        "defaults to SN_CONFIDENCE_DATA). The file is the whole table: rows no longer in it are removed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", help="The CSV, the .xlsx workbook, or a folder (default: SN_CONFIDENCE_DATA)."
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if survey figures are already loaded.")

    def handle(self, *args, **options):
        if options["if_empty"] and ConfidenceMeasure.objects.exists():
            self.stdout.write("Survey figures already imported; skipping (run without --if-empty to refresh).")
            return
        path = options["path"] or settings.SN_CONFIDENCE_DATA
        if not path:
            raise CommandError("Give the file to import, or set SN_CONFIDENCE_DATA.")
        try:
            with ProgressBar(self.stdout, "Survey figures", verbose=options["verbosity"] > 1) as progress:
                report = confidence_import(source=Path(path), progress=progress)
        except (ConfidenceFileError, OSError) as error:
            raise CommandError(f"{error} Nothing was imported.") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.rows} rows for {report.boroughs} boroughs, quarters ending "
                f"{report.first_quarter:%d/%m/%Y} to {report.latest_quarter:%d/%m/%Y}, from {report.source.name}: "
                f"{report.added} added, {report.changed} changed, {report.unchanged} unchanged, "
                f"{report.removed} removed, in {report.seconds:.1f}s."
            )
        )
        if report.rows_with_stray_values:
            rows = ", ".join(str(row) for row in report.rows_with_stray_values)
            self.stdout.write(f"Ignored values in the unnamed columns after MPS on row(s) {rows}.")
