"""The survey as a web page: works without JavaScript and on a phone, and answers through the same
service as the API. After answering, an optional equality step, kept apart from the answers."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from priorities.models import WardPage, pages_public
from sn_site.forms import error_summary
from sn_site.throttles import AnonymousRateLimit
from sn_site.views import confirm_page, link_does_not_work, too_many_tries

from . import tasks
from .forms import JoinForm
from .models import CONSENT_WORDING, EqualityMonitoring, Question, Survey
from .question_fields import QuestionField, question_fields
from .selectors import (
    invitation_answered,
    member_for_join_token,
    member_for_leave_token,
    survey_for_answering,
    survey_invitation,
    survey_is_known_to,
    survey_rules,
)
from .services import (
    SubmissionRefused,
    equality_record,
    membership_confirm,
    membership_leave,
    response_submit,
)
from .throttles import JoinLimit, SurveyAnswerLimit
from .tokens import receipt_token, receipt_token_opened


def _answers_from_form(survey: Survey, data) -> dict:
    """The form's fields as the service takes them, keyed by question id."""
    answers = {}
    for question in survey.questions.all():
        name = f"q{question.pk}"
        if question.kind in (Question.Kind.MULTIPLE, Question.Kind.LOCAL_ISSUES):
            answers[str(question.pk)] = data.getlist(name)
        elif question.kind == Question.Kind.RANKING:
            ranks = {option: data.get(f"{name}-{index}", "") for index, option in enumerate(question.options())}
            if any(ranks.values()):
                try:
                    answers[str(question.pk)] = sorted(ranks, key=lambda option: int(ranks[option]))
                except ValueError:
                    answers[str(question.pk)] = ["(not a rank)"]  # refused by the service with a message
                if len(set(ranks.values())) != len(ranks):
                    answers[str(question.pk)] = ["(ranks repeated)"]
            else:
                answers[str(question.pk)] = []
        else:
            answers[str(question.pk)] = data.get(name, "")
    return answers


@require_http_methods(["GET", "HEAD", "POST"])
def survey(request, pk: int):
    """A panel survey shows itself only to a link from one of its invitations, and an open survey
    only once it has opened: anyone else gets the page a survey that does not exist gets."""
    survey = survey_for_answering(pk)
    token = request.POST.get("token") or request.GET.get("token") or ""
    if survey is None or not survey_is_known_to(survey, token):
        raise Http404
    context = {"survey": survey, "token": token}
    if survey.opens_at > timezone.now():  # a member's link, before the survey opens
        return TemplateResponse(request, "ward_panels/survey_not_open.html", context)
    if survey.audience == Survey.Audience.PANEL and invitation_answered(survey_invitation(survey, token)):
        return TemplateResponse(request, "ward_panels/survey_answered.html", context)  # before the form, not after
    questions = list(survey.questions.all())
    context.update(fields=question_fields(questions, None, {}), errors=[])
    if request.method == "POST":
        limit = SurveyAnswerLimit() if survey.audience == Survey.Audience.OPEN else None
        if limit is not None and not limit.take(request):  # the API's limit, counted together
            return _too_many(request, limit)
        try:
            response = response_submit(
                survey=survey_rules(survey.pk),
                answers=_answers_from_form(survey, request.POST),
                token=token,
                respondent=request.POST.get("email", ""),
            )
        except SubmissionRefused as refused:
            if limit is not None:
                limit.give_back(request)  # only accepted answers count
            fields = question_fields(questions, request.POST, refused.errors.get("answers", {}))
            context.update(
                fields=fields,
                errors=_summary(fields, refused.errors),
                email=request.POST.get("email", ""),
                email_error=refused.errors.get("email", [""])[0],
            )
            return TemplateResponse(request, "ward_panels/survey.html", context, status=400)
        receipts = request.session.get("survey_receipts", {})
        receipts[str(survey.pk)] = receipt_token(response.survey_id)
        request.session["survey_receipts"] = receipts
        return redirect(reverse("ward_panels:thanks", args=[survey.pk]))
    if not survey.is_open():
        return TemplateResponse(request, "ward_panels/survey_closed.html", context)
    return TemplateResponse(request, "ward_panels/survey.html", context)


def _too_many(request, limit: AnonymousRateLimit) -> TemplateResponse:
    """429, saying when the limit lets this address try again."""
    advice = "Please {when}, or contact your Safer Neighbourhoods Team."
    return too_many_tries(request, advice, retry_after=limit.wait())


def _summary(fields: list[QuestionField], errors: dict) -> list[tuple[str, str]]:
    """Every problem, in the page's order, each linked to where it is put right."""
    summary = [(item.anchor, item.error) for item in fields if item.error]
    if "email" in errors:
        summary.append(("email", errors["email"][0]))
    summary += [("", errors[name][0]) for name in ("token", "survey") if name in errors]
    return summary


@require_http_methods(["GET", "HEAD", "POST"])
def thanks(request, pk: int):
    """What happens next, and the optional equality questions (a separate step, skippable), for
    whoever has just answered in this browser; anyone else is told there is nothing to thank them for."""
    survey = survey_for_answering(pk)
    receipts = request.session.get("survey_receipts", {})
    receipt = receipts.get(str(pk))
    has_answered = receipt is not None and receipt_token_opened(receipt) is not None
    if survey is None or not (has_answered or survey_is_known_to(survey, None)):
        raise Http404  # a panel survey, to someone who has not just answered it
    if not has_answered:
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "ward_panels/thanks_no_answer.html", {"survey": survey}, status=status)
    given = {name: request.POST.get(name, "") for name in EqualityMonitoring.QUESTIONS}
    context = {"survey": survey, "done": False, "errors": [], "equality_questions": _equality_fields({}, {})}
    if request.method == "POST":
        try:
            equality_record(survey=survey, receipt=receipt, answers=given)
        except SubmissionRefused as refused:
            problems = refused.errors.get("equality", {})
            context["equality_questions"] = _equality_fields(given, problems)
            context["errors"] = [
                (f"{name}-0", problems[name][0]) for name in EqualityMonitoring.QUESTIONS if name in problems
            ]
            context["errors"] += [("", refused.errors["receipt"][0])] if "receipt" in refused.errors else []
            return TemplateResponse(request, "ward_panels/thanks.html", context, status=400)
        del receipts[str(survey.pk)]
        if receipts:
            request.session["survey_receipts"] = receipts
        else:
            request.session.pop("survey_receipts")
            if not request.session.keys():  # held nothing else: it goes, and its cookie (the privacy notice)
                request.session.flush()
        context["done"] = True
    return TemplateResponse(request, "ward_panels/thanks.html", context)


def _equality_fields(given: dict, problems: dict) -> list[dict]:
    return [
        {
            "name": name,
            "text": text,
            "choices": EqualityMonitoring._meta.get_field(name).choices,
            "help": EqualityMonitoring._meta.get_field(name).help_text,
            "given": given.get(name, ""),
            "error": problems.get(name, [""])[0],
        }
        for name, text in EqualityMonitoring.QUESTIONS.items()
    ]


@require_http_methods(["GET", "HEAD", "POST"])
def join(request, ward_code: str):
    """Join your ward panel: a request, then a confirmation email (double opt-in)."""
    # A private ward page (a password, signing in) is no door to its panel for everyone.
    ward_page = pages_public(WardPage.objects.select_related("ward")).filter(ward_id=ward_code).first()
    if ward_page is None:
        raise Http404
    # An empty form is still a form sent.
    form = JoinForm(request.POST if request.method == "POST" else None, consent_wording=CONSENT_WORDING)
    if request.method == "POST":
        limit = JoinLimit()
        if not limit.allow_request(request, None):
            return _too_many(request, limit)
        if form.is_valid():
            data = form.cleaned_data
            # Queued: the page takes the same time whether the address is on the panel or not.
            tasks.membership_request.delay(
                ward_code=ward_page.ward_id,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                postcode=data["postcode"],
            )
            return TemplateResponse(request, "ward_panels/join_sent.html", {"ward_page": ward_page})
    context = {"ward_page": ward_page, "form": form, "errors": error_summary(form)}
    return TemplateResponse(request, "ward_panels/join.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def join_confirm(request, token: str):
    """The emailed link shows a button; only pressing it confirms, since mail software opens links itself."""
    member = membership_confirm(token=token) if request.method == "POST" else member_for_join_token(token)
    if member is None:
        return link_does_not_work(
            request,
            "It may be more than 7 days old. Ask to join again from your ward team's page.",
            breadcrumb="Join a ward panel",
        )
    on_panel = member.confirmed_at is not None and member.consent_given_at is not None and member.left_on is None
    if request.method == "POST" or on_panel:
        return TemplateResponse(request, "ward_panels/join_confirmed.html", {"member": member})
    return confirm_page(
        request,
        title="Confirm you want to join",
        heading=f"Confirm you want to join the {member.panel.ward.name} ward panel",
        explanation=format_html("By joining, you agree to this: “{}”", CONSENT_WORDING),
        button="Yes, I want to join",
        breadcrumb="Join a ward panel",
    )


LEAVE = "Leave the ward panel"  # the breadcrumb of leaving's pages


@csrf_exempt  # RFC 8058: mail providers POST here from the email's List-Unsubscribe header, with no form
@require_http_methods(["GET", "HEAD", "POST"])
def leave(request, token: str):
    """The link in every survey email. GET (and HEAD) never ends a membership (mail software fetches
    links by itself): it shows a button. POST does. The signed link is the secret, as for joining."""
    member = membership_leave(token=token) if request.method == "POST" else member_for_leave_token(token)
    if member is None:
        return link_does_not_work(
            request,
            "Check that you used the whole link from the email, or contact your Safer Neighbourhoods Team.",
            breadcrumb=LEAVE,
        )
    if member.left_on is None or member.left_on > timezone.localdate():
        panel = f"the {member.panel.ward.name} ward panel"
        return confirm_page(
            request,
            title=LEAVE,
            heading=f"Leave {panel}?",
            explanation="You will get no more invitations to surveys or meetings from the panel.",
            button=f"Leave {panel}",
            breadcrumb=LEAVE,
            csrf_token=False,
        )
    context = {"member": member, "retention_days": settings.SN_PANEL_MEMBER_RETENTION_DAYS}
    return TemplateResponse(request, "ward_panels/left.html", context)
