"""Make sure a first administrator can sign in to a new site, and say how."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the administrator 'admin' with a random password if the site has no administrator yet, "
        "and print the sign-in details once. Never changes an existing account."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            self.stdout.write(
                f"Administrator '{existing.get_username()}' exists: sign in at {settings.WAGTAILADMIN_BASE_URL}/admin/ "
                f"(forgotten the password? python manage.py changepassword {existing.get_username()})"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin sign-in: {settings.WAGTAILADMIN_BASE_URL}/admin/  username: {username}  password: {password}"
                "  (shown once: keep it)"
            )
        )
