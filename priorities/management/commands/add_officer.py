"""Give a user the pages of their borough or ward to look after, and nothing else."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from priorities.models import BoroughPage, WardPage
from priorities.services import officer_group_ensure


class Command(BaseCommand):
    help = "Add a user to the officers of one borough (ONS E09 code) or the editors of one ward (E05 code)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        area = parser.add_mutually_exclusive_group(required=True)
        area.add_argument("--borough", help="ONS code of the borough, such as E09000022 (Lambeth).")
        area.add_argument("--ward", help="ONS code of the ward, such as E05014100.")

    def handle(self, *args, username, borough, ward, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user '{username}'.")
        page = (
            BoroughPage.objects.filter(borough_id=borough).first()
            if borough
            else WardPage.objects.filter(ward_id=ward).first()
        )
        if page is None:
            raise CommandError(f"There is no page for {borough or ward}; run build_page_tree first.")
        group = officer_group_ensure(page=page)
        user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f"{username} is now in '{group.name}': they look after {page.url}"))
