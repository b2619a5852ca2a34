"""A "You said" summary is now part of its ward's (or borough's) page, published through the page's
revisions like any other change (services.survey_summary_publish), instead of a tick on the survey
that went live without a sergeant. Each summary that was showing moves onto its page: into the
live page and into its live and latest revisions, so that the next publish keeps it."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone


def summaries_to_pages(apps, schema_editor):
    Survey = apps.get_model("ward_panels", "Survey")
    WardPage = apps.get_model("priorities", "WardPage")
    BoroughPage = apps.get_model("priorities", "BoroughPage")
    WardYouSaid = apps.get_model("priorities", "WardYouSaid")
    BoroughYouSaid = apps.get_model("priorities", "BoroughYouSaid")
    Page = apps.get_model("wagtailcore", "Page")
    Revision = apps.get_model("wagtailcore", "Revision")
    showing = (
        Survey.objects.filter(summary_published=True, closes_at__lte=timezone.now())
        .exclude(summary="")
        .annotate(answered=Count("responses"))
        .filter(answered__gte=settings.SN_PUBLIC_RESULTS_MIN_ANSWERS)
    )
    for survey in showing:
        if survey.ward_id:
            page = WardPage.objects.filter(ward_id=survey.ward_id).first()
            model, parent = WardYouSaid, "ward_page"
        else:
            page = BoroughPage.objects.filter(borough_id=survey.borough_id).first()
            model, parent = BoroughYouSaid, "borough_page"
        if page is None:
            continue
        said = model.objects.create(
            **{f"{parent}_id": page.pk},
            survey_id=survey.pk,
            title=survey.title,
            summary=survey.summary,
            answered=survey.answered,
            closed_on=timezone.localdate(survey.closes_at),
            informed_priority_id=survey.informed_priority_id,
        )
        serialised = {
            "pk": said.pk,
            parent: page.pk,
            "sort_order": None,
            "survey_id": survey.pk,
            "title": said.title,
            "summary": said.summary,
            "answered": said.answered,
            "closed_on": said.closed_on.isoformat(),
            "informed_priority": said.informed_priority_id,
        }
        revisions = Page.objects.filter(pk=page.pk).values_list("latest_revision_id", "live_revision_id").get()
        for revision in Revision.objects.filter(pk__in=[pk for pk in revisions if pk]):
            revision.content.setdefault("survey_summaries", []).append(serialised)
            revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("ward_panels", "0005_panel_member_confirmation_requested"),
        ("priorities", "0008_survey_summaries_on_team_pages"),
    ]

    operations = [
        migrations.RunPython(summaries_to_pages, migrations.RunPython.noop),
        migrations.RemoveField(model_name="survey", name="summary_published"),
        migrations.AlterField(
            model_name="survey",
            name="summary",
            field=models.TextField(
                blank=True,
                help_text=(
                    "After it closes: a short summary of what people told you. To show it on the ward page, "
                    "choose 'Put on the ward page' in the list of surveys."
                ),
                verbose_name="You said",
            ),
        ),
    ]
