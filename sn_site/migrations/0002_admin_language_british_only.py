"""The admin speaks British English only (WAGTAILADMIN_PERMITTED_LANGUAGES): anyone who chose another
language on their Account page before goes back to the site's own, so that their date fields read
25/12/2026 day first, like everyone else's, and never 01/02/2026 as the 2nd of January."""

from django.db import migrations


def preferred_languages_forget(apps, schema_editor):
    UserProfile = apps.get_model("wagtailusers", "UserProfile")
    UserProfile.objects.exclude(preferred_language__in=["", "en-gb"]).update(preferred_language="")


class Migration(migrations.Migration):
    dependencies = [
        ("sn_site", "0001_initial"),
        ("wagtailusers", "0015_userprofile_keyboard_shortcuts"),
    ]

    operations = [migrations.RunPython(preferred_languages_forget, migrations.RunPython.noop)]
