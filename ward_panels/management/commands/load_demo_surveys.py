"""Add a labelled demo survey, open to anyone, for the first ward with a team page."""

from django.core.management.base import BaseCommand

from ward_panels.demo import demo_survey_ensure


class Command(BaseCommand):
    help = "Add an open demo survey (labelled as demo) for the first ward with a team page, if there is none."

    def handle(self, *args, **options):
        survey = demo_survey_ensure()
        if survey is None:
            self.stdout.write("No ward pages yet: build the page tree first.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Demo survey: /surveys/{survey.pk}/ ({survey.ward.name})."))
