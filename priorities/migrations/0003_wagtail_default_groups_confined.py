"""Wagtail's default "Editors" and "Moderators" groups lose their rights over the whole site's
pages (the root page) and the root image and document collection, as page_tree_build keeps them
(services.default_groups_confine)."""

from django.db import migrations

WAGTAIL_DEFAULT_GROUPS = ("Editors", "Moderators")


def confine(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupPagePermission.objects.filter(group__name__in=WAGTAIL_DEFAULT_GROUPS, page__depth__lte=2).delete()
    GroupCollectionPermission.objects.filter(group__name__in=WAGTAIL_DEFAULT_GROUPS, collection__depth__lte=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("priorities", "0002_priority_rules"),
        # After Wagtail's own migrations that give the groups those rights.
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(confine, migrations.RunPython.noop)]
