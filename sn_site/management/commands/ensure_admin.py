"""Make sure a first administrator can sign in to a new site, and say how, with the addresses to try
first: the block `make run` ends with, above the server's own lines."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from sn_site.links import site_url
from sn_site.welcome import addresses

RULE = "-" * 72


class Command(BaseCommand):
    help = (
        "Create the administrator 'admin' (named Site Administrator, with an email address, and a random "
        "password printed once) if the site has no administrator yet, then print how to sign in and the addresses "
        "to try. Never changes an existing account."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@example.org", help='For newsletters\' "send me a test".')

    def handle(self, *args, username: str, email: str, **options):
        base = site_url()
        User = get_user_model()
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        lines = ["", RULE, f"Safer Neighbourhoods is ready: {base}/", ""]
        if admin is None:
            password = secrets.token_urlsafe(12)
            # Named, as Wagtail's Account page requires before it saves anything; the audit log shows it.
            admin = User.objects.create_superuser(
                username=username, email=email, password=password, first_name="Site", last_name="Administrator"
            )
            lines += [
                f"Sign in to the admin at {base}/admin/",
                f"  username  {username}",
                f"  password  {password}   (shown this once: keep it)",
            ]
        else:
            name = admin.get_username()
            lines += [
                f"Sign in to the admin at {base}/admin/ as {name} (its password was shown when it was made).",
                f"  Forgotten it? Choose a new one: .venv/bin/python manage.py changepassword {name}",
            ]
        if admin.email and settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            lines.append(
                f"  Email to {admin.email} (such as a newsletter's test) is written to {settings.EMAIL_FILE_PATH}"
            )
        elif not admin.email:
            lines.append("  Add an email address to the account (Account, in the admin) to get newsletter tests.")
        tries = [*addresses(), ("The admin", "/admin/"), ("The API's documentation", "/api/v1/docs/")]
        width = max(len(what) for what, _ in tries)
        lines += ["", "Try:", *(f"  {what:<{width}}  {base}{path}" for what, path in tries), RULE, ""]
        self.stdout.write("\n".join(lines))
