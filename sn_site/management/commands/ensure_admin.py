"""Make sure a first administrator can sign in to a new site, and say how."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the administrator 'admin' with a random password if the site has no administrator yet, "
        "and print the sign-in details. Never changes an existing account."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        saved = settings.VAR_DIR / "admin-login.txt"
        if User.objects.filter(is_superuser=True).exists():
            if saved.exists():
                self.stdout.write(saved.read_text().strip())
            else:
                self.stdout.write("An administrator already exists; sign in with that account.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        details = f"Admin sign-in: {settings.WAGTAILADMIN_BASE_URL}/admin/  username: {username}  password: {password}"
        settings.VAR_DIR.mkdir(exist_ok=True)
        saved.write_text(details + "\n")
        os.chmod(saved, 0o600)
        self.stdout.write(self.style.SUCCESS(details))
