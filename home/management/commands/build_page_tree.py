"""Create any missing home, borough and ward pages (never changing a page that exists), put
officers' groups right, and point the Wagtail site at WAGTAILADMIN_BASE_URL."""

from django.core.management.base import BaseCommand

from home.services import page_tree_build
from sn_site.progress import ProgressBar


class Command(BaseCommand):
    help = "Create the home page, the borough index, and a page for every Met borough and ward that has none."

    def handle(self, *args, **options):
        with ProgressBar(self.stdout, "Page tree", verbose=options["verbosity"] > 1) as progress:
            report = page_tree_build(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Page tree ready: {report.borough_pages_created} borough and "
                f"{report.ward_pages_created} ward pages created."
            )
        )
