"""Add a labelled demo survey, open to anyone, for every borough that has none open."""

from django.core.management.base import BaseCommand

from ward_panels.demo import demo_surveys_ensure


class Command(BaseCommand):
    help = (
        "Add an open demo survey (labelled as demo) for every borough with a page that has none open: every "
        "ward page in the borough links to it."
    )

    def handle(self, *args, **options):
        surveys = demo_surveys_ensure()
        if not surveys:
            self.stdout.write("No borough pages yet: build the page tree first.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo surveys: {len(surveys)} open, one for each borough, such as /surveys/{surveys[0].pk}/ "
                f"({surveys[0].borough.name})."
            )
        )
