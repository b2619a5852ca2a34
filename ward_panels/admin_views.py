"""Admin pages beyond editing: preview a survey, send its invitations, read its results, import
members. Each is for the officers of the survey's or panel's own area (and administrators)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from sn_site.operations import queued

from .forms import MemberImportForm
from .models import CONSENT_WORDING, EqualityMonitoring, PanelMember, Survey, WardPanel
from .permissions import AreaPermissionPolicy, in_area, survey_visible_to
from .selectors import survey_audience, survey_results
from .services import equality_tables_freeze, survey_summary_publish
from .services import members_import as import_members
from .tasks import invitations_send as send_task
from .tasks import members_confirmation_request as confirmation_task


def _allowed(request, model, pk, action):
    instance = get_object_or_404(model, pk=pk)
    if not AreaPermissionPolicy(model).user_has_permission_for_instance(request.user, action, instance):
        raise PermissionDenied
    return instance


def _visible_survey(request, pk) -> Survey:
    """A survey to look at (its preview, its results): by the same rule as the results API."""
    survey = get_object_or_404(Survey, pk=pk)
    if not survey_visible_to(request.user, survey):
        raise PermissionDenied
    return survey


@require_http_methods(["GET", "HEAD"])
def survey_preview(request, pk: int):
    """The saved survey's page as people will see it, with nothing sent (the editor's preview panel
    shows unsaved edits the same way)."""
    survey = _visible_survey(request, pk)
    return survey.serve_preview(request, survey.default_preview_mode)


@require_http_methods(["GET", "HEAD", "POST"])
def invitations_send(request, pk: int):
    survey = _allowed(request, Survey, pk, "change")
    members = survey_audience(survey)
    if request.method == "POST" and survey.audience == Survey.Audience.PANEL and survey.is_open():
        if not queued(send_task, survey.pk):
            messages.error(request, "The invitations could not be sent just now. Nothing was sent: try again shortly.")
            return redirect("ward_panels_admin:send", survey.pk)
        log(instance=survey, action="ward_panels.invitations_send", user=request.user)
        messages.success(request, f"Invitations to '{survey.title}' are being sent to {members.count()} members.")
        return redirect("wagtailsnippets_ward_panels_survey:list")
    return TemplateResponse(
        request,
        "ward_panels/admin/send.html",
        {"survey": survey, "members": members.count(), "invited": survey.invitations.count()},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def summary_publish(request, pk: int):
    """Put a closed survey's "You said" summary on the ward page: live, or sent to a sergeant where
    the borough has sergeant approval on (services.survey_summary_publish)."""
    survey = _allowed(request, Survey, pk, "change")
    if request.method == "POST":
        try:
            done = survey_summary_publish(survey=survey, user=request.user)
        except DjangoValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("ward_panels_admin:summary", survey.pk)
        messages.success(request, f"The summary of '{survey.title}': {done}.")
        return redirect("wagtailsnippets_ward_panels_survey:list")
    return TemplateResponse(
        request,
        "ward_panels/admin/summary.html",
        {"survey": survey, "answered": survey.responses.count(), "min_public": settings.SN_PUBLIC_RESULTS_MIN_ANSWERS},
    )


def results(request, pk: int):
    survey = _visible_survey(request, pk)
    equality_tables_freeze(survey=survey)
    results = survey_results(survey)
    equality = [(EqualityMonitoring.QUESTIONS[name], options) for name, options in (results.equality or {}).items()]
    return TemplateResponse(
        request,
        "ward_panels/admin/results.html",
        {"results": results, "equality": equality, "min_public": settings.SN_PUBLIC_RESULTS_MIN_ANSWERS},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def members_import(request, pk: int):
    panel = _allowed(request, WardPanel, pk, "change")
    form = MemberImportForm(request.POST or None, request.FILES or None)
    report, asking = None, False
    if request.method == "POST" and form.is_valid():
        report = import_members(panel=panel, text=form.cleaned_data["file"])
        # The import has committed: the task finds every member it names.
        asking = bool(report.to_confirm) and queued(confirmation_task, report.to_confirm)
        log(
            instance=panel,
            action="ward_panels.members_import",
            user=request.user,
            data={
                "added": report.added,
                "updated": report.updated,
                "problems": len(report.problems),
                "asked_to_confirm": len(report.to_confirm),
            },
        )
    return TemplateResponse(
        request,
        "ward_panels/admin/import.html",
        {"panel": panel, "form": form, "report": report, "asking": asking, "consent_wording": CONSENT_WORDING},
    )


class SiteHistoryView(LogEntriesView):
    """Wagtail's site history report, where officers see the log entries of panels, members and
    surveys in their own area only (Wagtail's own report shows every entry of a model to anyone
    with a permission on it, whatever the area: who joined another ward's panel, say)."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        user = self.request.user
        if user.is_superuser or queryset.model is not ModelLogEntry:
            return queryset
        for model in (WardPanel, PanelMember, Survey):
            theirs = in_area(model.objects.all(), user).annotate(key=Cast("pk", CharField())).values("key")
            content_type = ContentType.objects.get_for_model(model)
            queryset = queryset.exclude(Q(content_type=content_type) & ~Q(object_id__in=theirs))
        return queryset
