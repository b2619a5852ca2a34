"""The survey as a web page: works without JavaScript and on a phone, and answers through the same
service as the API. After answering, an optional equality step, kept apart from the answers."""

from dataclasses import dataclass, field

from django import forms
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from priorities.models import WardPage
from sn_site.api import AnonymousRateLimit

from .api import SurveyAnswerLimit
from .models import CONSENT_WORDING, EqualityMonitoring, Question, Survey
from .selectors import survey_for_answering, survey_rules
from .services import (
    SubmissionRefused,
    equality_record,
    invitation_for_token,
    membership_confirm,
    membership_request,
    receipt_for,
    response_submit,
)


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
    survey = survey_for_answering(pk)
    if survey is None or survey.opens_at > timezone.now():
        raise Http404
    token = request.POST.get("token") or request.GET.get("token") or ""
    if survey.audience == Survey.Audience.PANEL:
        invitation = invitation_for_token(token)
        if invitation is None or invitation.survey_id != survey.pk:
            return TemplateResponse(request, "ward_panels/survey_link_invalid.html", {"survey": survey}, status=404)
    questions = list(survey.questions.all())
    context = {"survey": survey, "token": token, "fields": _fields(questions, None, {}), "errors": {}}
    if request.method == "POST":
        if not SurveyAnswerLimit().allow_request(request, None):  # the API's limit, counted together
            return TemplateResponse(request, "ward_panels/too_many.html", {}, status=429)
        try:
            response = response_submit(
                survey=survey_rules(survey.pk),
                answers=_answers_from_form(survey, request.POST),
                token=token,
                respondent=request.POST.get("email", ""),
            )
        except SubmissionRefused as refused:
            context["errors"] = errors = _flat_errors(refused.errors)
            context["fields"] = _fields(questions, request.POST, errors)
            context["email"] = request.POST.get("email", "")
            return TemplateResponse(request, "ward_panels/survey.html", context, status=400)
        request.session["survey_receipt"] = receipt_for(response)
        return redirect(reverse("ward_panels:thanks", args=[survey.pk]))
    if not survey.is_open():
        return TemplateResponse(request, "ward_panels/survey_closed.html", context)
    return TemplateResponse(request, "ward_panels/survey.html", context)


@dataclass
class QuestionField:
    """A question as the form shows it, with what the person gave if the form comes back."""

    question: Question
    error: str = ""
    chosen: list = field(default_factory=list)
    text: str = ""
    ranks: list = field(default_factory=list)  # (index, option, rank given)

    @property
    def name(self) -> str:
        return f"q{self.question.pk}"


def _fields(questions, data, errors) -> list[QuestionField]:
    fields = []
    for question in questions:
        name = f"q{question.pk}"
        options = question.options()
        fields.append(
            QuestionField(
                question,
                error=errors.get(name, ""),
                chosen=data.getlist(name) if data else [],
                text=data.get(name, "") if data else "",
                ranks=[(i, option, data.get(f"{name}-{i}", "") if data else "") for i, option in enumerate(options)],
            )
        )
    return fields


def _flat_errors(errors: dict) -> dict[str, str]:
    """{"answers": {"12": [...]}, "token": [...]} -> {"q12": "...", "token": "..."} for the form."""
    flat = {}
    for name, messages in errors.items():
        if isinstance(messages, dict):
            for key, inner in messages.items():
                flat[f"q{key}" if name == "answers" else key] = inner[0]
        else:
            flat[name] = messages[0]
    return flat


EQUALITY_QUESTIONS = [
    ("age_band", "What is your age?"),
    ("sex", "What is your sex?"),
    ("gender_identity", "Is the gender you identify with the same as the sex you were registered at birth?"),
    ("ethnic_group", "What is your ethnic group?"),
    ("religion", "What is your religion?"),
    ("sexual_orientation", "Which of the following best describes your sexual orientation?"),
    ("disability", "Do you have a disability?"),
    ("caring", "Do you look after, or give help or support to, anyone because of their health or age?"),
]


@require_http_methods(["GET", "HEAD", "POST"])
def thanks(request, pk: int):
    """What happens next, and the optional equality questions (a separate step, skippable)."""
    survey = survey_for_answering(pk)
    if survey is None:
        raise Http404
    receipt = request.session.get("survey_receipt")
    questions = [
        (
            name,
            text,
            EqualityMonitoring._meta.get_field(name).choices,
            EqualityMonitoring._meta.get_field(name).help_text,
        )
        for name, text in EQUALITY_QUESTIONS
    ]
    context = {"survey": survey, "receipt": receipt, "equality_questions": questions, "done": False, "errors": {}}
    if request.method == "POST" and receipt:
        answers = {name: request.POST.get(name, "") for name in EqualityMonitoring.FIELDS}
        try:
            equality_record(survey=survey, receipt=receipt, answers=answers)
        except SubmissionRefused as refused:
            context["errors"] = _flat_errors(refused.errors)
            return TemplateResponse(request, "ward_panels/thanks.html", context, status=400)
        request.session.pop("survey_receipt", None)
        context.update(done=True, receipt=None)
    return TemplateResponse(request, "ward_panels/thanks.html", context)


class JoinForm(forms.Form):
    name = forms.CharField(max_length=100, label="Your name")
    email = forms.EmailField(label="Your email address", help_text="We will send you a link to confirm it.")
    phone = forms.CharField(max_length=30, required=False, label="Your phone number (optional)")
    consent = forms.BooleanField(
        label=CONSENT_WORDING,
        error_messages={"required": "Tick the box to say the team may contact you: it is how the panel works."},
    )


class JoinLimit(AnonymousRateLimit):
    """Requests to join per client address (SN_PANEL_JOIN_RATE)."""

    scope = "panel_join"


@require_http_methods(["GET", "HEAD", "POST"])
def join(request, ward_code: str):
    """Join your ward panel: a request, then a confirmation email (double opt-in)."""
    ward_page = WardPage.objects.live().select_related("ward").filter(ward_id=ward_code).first()
    if ward_page is None:
        raise Http404
    form = JoinForm(request.POST or None)
    if request.method == "POST":
        if not JoinLimit().allow_request(request, None):
            return TemplateResponse(request, "ward_panels/too_many.html", {}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            membership_request(ward=ward_page.ward, name=data["name"], email=data["email"], phone=data["phone"])
            return TemplateResponse(request, "ward_panels/join_sent.html", {"ward_page": ward_page})
    status = 400 if form.errors else 200
    return TemplateResponse(request, "ward_panels/join.html", {"ward_page": ward_page, "form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def join_confirm(request, token: str):
    """The emailed link shows a button; only pressing it confirms, since mail software opens links itself."""
    if request.method == "POST":
        member = membership_confirm(token=token)
        template = "ward_panels/join_confirmed.html" if member else "ward_panels/join_link_invalid.html"
        return TemplateResponse(request, template, {"member": member}, status=200 if member else 400)
    return TemplateResponse(request, "ward_panels/join_confirm.html", {})
