from django.db import migrations, models


def earlier_resends_were_to_everyone_again(apps, schema_editor):
    """Before this, an issue could be sent to everyone more than once: its first send stays the
    one to everyone, and each later one is recorded as what it was, everyone again."""
    Send = apps.get_model("newsletters", "Send")
    first = {}
    for pk, newsletter_id in Send.objects.order_by("created_at", "pk").values_list("pk", "newsletter_id"):
        first.setdefault(newsletter_id, pk)
    Send.objects.exclude(pk__in=first.values()).update(audience="again")


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0003_delivery_subscription"),
    ]

    operations = [
        migrations.AddField(
            model_name="send",
            name="audience",
            field=models.CharField(
                choices=[
                    ("everyone", "Everyone subscribed"),
                    ("new", "People who subscribed since it was sent"),
                    ("again", "Everyone again"),
                ],
                default="everyone",
                max_length=10,
            ),
        ),
        migrations.RunPython(earlier_resends_were_to_everyone_again, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="send",
            constraint=models.UniqueConstraint(
                condition=models.Q(("audience", "everyone")),
                fields=("newsletter",),
                name="an_issue_goes_to_everyone_once",
                violation_error_message="This issue has already been sent to everyone.",
            ),
        ),
    ]
