"""Fill every ward page nobody has started on with demo content (labelled as such)."""

from django.core.management.base import BaseCommand

from priorities.demo import demo_content_load


class Command(BaseCommand):
    help = "Give ward pages with no team and no priorities a made-up team, priorities and meetings, marked as demo."

    def handle(self, *args, **options):
        filled = demo_content_load()
        self.stdout.write(self.style.SUCCESS(f"Demo content added to {filled} ward pages."))
