"""Admin pages beyond editing: preview a survey, send its invitations, read its results, import
members. Each is for the officers of the survey's or panel's own area (and administrators)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from .forms import MemberImportForm
from .models import PanelMember, Survey, WardPanel
from .permissions import AreaPermissionPolicy
from .selectors import survey_results
from .services import members_import as import_members
from .services import survey_panels
from .tasks import invitations_send as send_task
from .views import _fields


def _allowed(request, model, pk, action):
    instance = get_object_or_404(model, pk=pk)
    if not AreaPermissionPolicy(model).user_has_permission_for_instance(request.user, action, instance):
        raise PermissionDenied
    return instance


def survey_preview(request, pk: int):
    """The survey as people will see it, with nothing sent."""
    survey = _allowed(request, Survey, pk, "view")
    questions = list(survey.questions.all())
    return TemplateResponse(
        request,
        "ward_panels/survey.html",
        {"survey": survey, "fields": _fields(questions, None, {}), "errors": {}, "preview": True},
    )


@require_http_methods(["GET", "POST"])
def invitations_send(request, pk: int):
    survey = _allowed(request, Survey, pk, "change")
    members = PanelMember.objects.active().filter(panel__in=survey_panels(survey))
    if request.method == "POST" and survey.audience == Survey.Audience.PANEL and survey.is_open():
        transaction.on_commit(lambda: send_task.delay(survey.pk))
        messages.success(request, f"Invitations to '{survey.title}' are being sent to {members.count()} members.")
        return redirect("wagtailsnippets_ward_panels_survey:list")
    return TemplateResponse(
        request,
        "ward_panels/admin/send.html",
        {"survey": survey, "members": members.count(), "invited": survey.invitations.count()},
    )


def results(request, pk: int):
    survey = _allowed(request, Survey, pk, "view")
    return TemplateResponse(request, "ward_panels/admin/results.html", {"results": survey_results(survey)})


@require_http_methods(["GET", "POST"])
def members_import(request, pk: int):
    panel = _allowed(request, WardPanel, pk, "change")
    form = MemberImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = import_members(panel=panel, text=form.cleaned_data["file"])
    return TemplateResponse(request, "ward_panels/admin/import.html", {"panel": panel, "form": form, "report": report})
