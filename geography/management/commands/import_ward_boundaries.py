"""Load the official ONS ward boundaries in place of the outlines derived from postcodes."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from geography.boundaries import BoundaryFileError
from geography.services import ward_boundaries_import
from sn_site.progress import ProgressBar

# The codes named in full; beyond this many, a count and the first few.
_LISTED = 20


class Command(BaseCommand):
    help = (
        "Replace the wards' outlines with the official ONS ward boundaries, such as 'Wards (May 2024) Boundaries "
        "UK BGC' from the Open Geography Portal: a GeoJSON file, or a shapefile (.shp, a folder or a zip holding one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The file: .geojson, .shp, or a folder or zip holding one.")
        parser.add_argument(
            "--source-name",
            help="The product's name as shown on ward pages (default: from the file's name, such as "
            "'Wards (May 2024) Boundaries UK BGC').",
        )

    def handle(self, *args, **options):
        try:
            with ProgressBar(self.stdout, "Ward boundaries", verbose=options["verbosity"] > 1) as progress:
                report = ward_boundaries_import(
                    source=options["path"], source_name=options["source_name"], progress=progress
                )
        except (BoundaryFileError, OSError) as error:
            raise CommandError(f"{error} Nothing was changed.") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.source_name}: {report.boundaries} wards in the file, {report.matched} of the site's wards "
                f"found ({report.changed} changed) in {report.seconds:.1f}s."
            )
        )
        if report.missing:
            self.stdout.write(
                f"Not in the file, keeping the outline they had: {len(report.missing)} wards "
                f"({_listed(report.missing)})."
            )
        if report.unknown_in_london:
            self.stdout.write(
                f"In London's boroughs but not among the site's wards (import a newer Code-Point Open?): "
                f"{len(report.unknown_in_london)} ({_listed(report.unknown_in_london)})."
            )


def _listed(codes: list[str]) -> str:
    shown = ", ".join(codes[:_LISTED])
    return shown if len(codes) <= _LISTED else f"{shown}, ..."
