"""Fill every ward page nobody has started on with demo content (labelled as such)."""

from django.core.management.base import BaseCommand

from home.demo import demo_content_load
from sn_site.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Give ward pages nobody has started on a made-up team, priorities and meetings, marked as demo, and "
        "publish them."
    )

    def handle(self, *args, **options):
        with ProgressBar(self.stdout, "Demo content", verbose=options["verbosity"] > 1) as progress:
            filled = demo_content_load(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Demo content added to {filled} ward pages."))
