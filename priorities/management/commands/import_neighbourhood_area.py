"""Set a natural neighbourhood's drawn area from a GeoJSON file (a polygon drawn in another tool,
or a council's boundary), as a new revision of its page: published with --publish, otherwise a
draft for its officers to check and publish (or send to their sergeant) in the page editor."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from geography.selectors import AreaNotUnderstood
from priorities.models import NeighbourhoodPage
from priorities.services import neighbourhood_area_import


class Command(BaseCommand):
    help = (
        "Set the drawn area of the natural neighbourhood at <slug> from a GeoJSON file (a Polygon, MultiPolygon, "
        "Feature or FeatureCollection, in longitude and latitude): every postcode inside it is taken, with those "
        "its page lists. Saved as a new draft of the page; --publish publishes it at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The neighbourhood's address, the last part of its page's URL.")
        parser.add_argument("file", type=Path, help="The GeoJSON file.")
        parser.add_argument("--publish", action="store_true", help="Publish the new revision at once.")

    def handle(self, *args, slug, file, publish, **options):
        page = NeighbourhoodPage.objects.filter(slug=slug.strip().lower()).first()
        if page is None:
            known = ", ".join(NeighbourhoodPage.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No natural neighbourhood has the address '{slug}'. Those there are: {known}.")
        try:
            drawn, whole = neighbourhood_area_import(page=page, drawing=self._read(file), publish=publish)
        except AreaNotUnderstood as problem:
            raise CommandError(f"{file}: {problem}") from None
        self.stdout.write(
            f"The drawing takes {len(drawn.postcodes)} postcodes; with those the page lists, {page.title}'s area "
            f"holds {len(whole.postcodes)}, in {len(whole.ward_codes)} ward{'s' if len(whole.ward_codes) != 1 else ''}."
        )
        if publish:
            self.stdout.write(self.style.SUCCESS(f"Published: {page.url}"))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Saved as a draft of {page.title}: check it in the page editor and publish it.")
            )

    def _read(self, file: Path):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"There is no file {file}.") from None
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{file} could not be read: {error}.") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(f"{file} is not GeoJSON: {error.msg} at line {error.lineno}.") from None
