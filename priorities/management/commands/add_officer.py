"""Give a person the pages of their borough or ward to look after, and nothing else, making their
account if they have none (they are emailed a link to choose a password)."""

import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from geography.models import Borough, PoliceForce, Ward
from priorities.models import BoroughPage, WardPage
from priorities.services import officer_add

KINDS = {"borough": ("E09", "E09000022 (Lambeth)"), "ward": ("E05", "E05014100")}


class Command(BaseCommand):
    help = (
        "Add a person to the officers of one borough (ONS E09 code), the editors of one ward (E05 code), or "
        "with --sergeant the sergeants of a borough. A person with no account yet needs --email: their account "
        "is made and they are emailed a link to choose a password."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        area = parser.add_mutually_exclusive_group(required=True)
        area.add_argument("--borough", help="ONS code of the borough, such as E09000022 (Lambeth).")
        area.add_argument("--ward", help="ONS code of the ward, such as E05014100.")
        parser.add_argument("--email", default="", help="Their work email address, to make a new account.")
        parser.add_argument(
            "--sergeant",
            action="store_true",
            help="With --borough: one of the borough's sergeants, who may publish and approve officers' changes.",
        )

    def handle(self, *args, username, borough, ward, email, sergeant, **options):
        kind, code = ("borough", borough) if borough else ("ward", ward)
        if sergeant and kind != "borough":
            raise CommandError("--sergeant goes with --borough: sergeants look after a whole borough.")
        page = self._page(kind, code.strip().upper())
        try:
            added = officer_add(username=username, page=page, email=email.strip(), sergeant=sergeant)
        except ValidationError as error:
            messages = [message for field in error.message_dict.values() for message in field]
            raise CommandError(" ".join(messages)) from error
        except ValueError as error:
            raise CommandError(f"{str(error).rstrip('.')} (--email).") from error
        if added.created:
            self.stdout.write(f"Made the account '{username}' ({added.user.email}).")
        elif email and email.strip().lower() != added.user.email.lower():
            self.stdout.write(f"'{username}' already has an account, with {added.user.email}: --email was not used.")
        if added.link_sent_to:
            self.stdout.write(f"Sent a link to choose a password to {added.link_sent_to}.")
        elif not added.user.has_usable_password():
            self.stdout.write(
                f"'{username}' has no password yet and no email address to send a link to: give them one in the "
                "admin (Settings, Users), then run this again."
            )
        self.stdout.write(self.style.SUCCESS(f"{username} is now in '{added.group.name}': they look after {page.url}"))

    def _page(self, kind: str, code: str) -> BoroughPage | WardPage:
        prefix, example = KINDS[kind]
        other = "ward" if kind == "borough" else "borough"
        if not re.fullmatch(r"E\d{8}", code):
            raise CommandError(f"'{code}' is not an ONS code: a {kind}'s looks like {example}.")
        if code.startswith(KINDS[other][0]):
            raise CommandError(f"{code} is a {other}'s code: use --{other} {code}.")
        if not code.startswith(prefix):
            raise CommandError(f"{code} is not a {kind}'s code: a {kind}'s starts {prefix}, like {example}.")
        model, place_model = (BoroughPage, Borough) if kind == "borough" else (WardPage, Ward)
        page = model.objects.filter(**{kind: code}).first()
        if page is not None:
            return page
        place = (
            place_model.objects.filter(code=code).select_related(*([] if kind == "borough" else ["borough"])).first()
        )
        if place is None:
            raise CommandError(f"There is no page for {code}: no {kind} has that code (has import_geography run?).")
        force = place.police_force if kind == "borough" else place.borough.police_force
        if force == PoliceForce.CITY_OF_LONDON:
            raise CommandError(f"There is no page for {code}: {place.name} is policed by the City of London Police.")
        raise CommandError(f"There is no page for {code} ({place.name}): run build_page_tree first.")
