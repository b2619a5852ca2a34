"""Load or refresh London's boroughs, wards and postcodes from OS Code-Point Open."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from geography.boundaries import BoundaryFileError
from geography.codepoint import CodePointError
from geography.models import Postcode
from geography.services import geography_import
from sn_site.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Import London's boroughs, wards and postcodes from OS Code-Point Open (a folder or the official zip; "
        "defaults to SN_DATA_DIR, or downloads it from the Ordnance Survey when neither is given)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Code-Point Open folder or zip (default: SN_DATA_DIR).")
        parser.add_argument(
            "--borough-outlines", type=Path, help="Official ONS borough boundaries (GeoJSON or shapefile)."
        )
        parser.add_argument(
            "--ward-outlines",
            type=Path,
            help="Official ONS ward boundaries (GeoJSON or shapefile), as import_ward_boundaries loads them.",
        )
        parser.add_argument("--download", action="store_true", help="Download Code-Point Open from the OS.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if postcodes are already loaded.")

    def handle(self, *args, **options):
        if options["if_empty"] and Postcode.objects.exists():
            self.stdout.write("Geography already imported; skipping (run without --if-empty to refresh).")
            return
        path = options["path"] or settings.SN_DATA_DIR
        source = None if options["download"] or not path else Path(path)
        try:
            with ProgressBar(self.stdout, "Geography", verbose=options["verbosity"] > 1) as progress:
                report = geography_import(
                    source=source,
                    borough_outlines=options["borough_outlines"],
                    ward_outlines_file=options["ward_outlines"],
                    progress=progress,
                )
        except (CodePointError, BoundaryFileError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.boroughs} boroughs, {report.wards} wards and {report.postcodes} postcodes "
                f"({report.postcodes_added} added, {report.postcodes_updated} updated, "
                f"{report.postcodes_removed} removed) in {report.seconds:.1f}s. "
                f"Ward outlines: {report.ward_outline_source}."
            )
        )
        if report.skipped_rows:
            self.stdout.write(
                f"Skipped {report.skipped_rows} rows: ward or borough not in the code list, or a postcode listed twice."
            )
        if report.wards_without_postcodes:
            self.stdout.write(f"Wards with no postcodes: {', '.join(report.wards_without_postcodes)}")
