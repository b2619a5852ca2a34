"""Reads for ward panels: what a survey asks, and its results (every opinion count for the team;
equality figures frozen, with small numbers hidden). Who may see them: permissions.survey_visible_to."""

import re
from collections import Counter
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Q, Subquery
from django.utils import timezone

from geography.models import Ward
from priorities.models import NeighbourhoodPage, NeighbourhoodPostcode
from sn_site.cache import HeldInProcess

from .models import (
    Answer,
    EqualityTables,
    Invitation,
    PanelMember,
    Question,
    Response,
    Survey,
    WardPanel,
    respondent_key,
)
from .suppression import THRESHOLD
from .tokens import invitation_token_opened, join_token_pk, leave_token_pk

# What a survey's natural neighbourhood holds that no survey page needs (its drawn area, outline).
NEIGHBOURHOOD_HEAVY_FIELDS = ("neighbourhood__outline", "neighbourhood__area_drawing", "neighbourhood__area_postcodes")


def survey_for_answering(pk) -> Survey | None:
    """A survey with its questions, and its area's name (not its outline, which is large)."""
    return (
        Survey.objects.select_related("ward", "borough", "neighbourhood")
        .defer("ward__outline", "borough__outline", *NEIGHBOURHOOD_HEAVY_FIELDS)
        .prefetch_related("questions")
        .filter(pk=pk)
        .first()
    )


def survey_panels(survey: Survey):
    """The panels a survey asks: its ward's, every panel in its borough, or those of the wards its
    natural neighbourhood is in."""
    if survey.ward_id:
        return WardPanel.objects.filter(ward_id=survey.ward_id)
    if survey.neighbourhood_id:
        return WardPanel.objects.filter(ward__neighbourhood_pages=survey.neighbourhood_id)
    return WardPanel.objects.filter(ward__borough_id=survey.borough_id)


def survey_audience(survey: Survey, on=None):
    """The members a panel survey invites: the active members of its panels and, for a natural
    neighbourhood's, only those whose postcode is in its published area. Members of panels of
    wards it does not reach are not asked, wherever they live: they agreed to hear from their own
    ward's team, and the neighbourhood's officers come from the teams of the wards it is in."""
    members = PanelMember.objects.active(on).filter(panel__in=survey_panels(survey))
    if survey.neighbourhood_id:
        inside = NeighbourhoodPostcode.objects.filter(page_id=survey.neighbourhood_id).values("postcode_id")
        members = members.filter(postcode__in=inside)
    return members


def _read_by_someone(address: str) -> bool:
    """Whether people read an address's mailbox: not a no-reply (or do-not-reply) one."""
    local = parseaddr(address)[1].partition("@")[0]
    return bool(local) and not re.fullmatch(r"(no|do-?not)[-_.]?reply", local, re.IGNORECASE)


def survey_reply_addresses(survey: Survey) -> dict[str, str]:
    """Where replies to a survey's emails go, for each ward asked: the email on its natural
    neighbourhood's page (for a neighbourhood's survey), else the team email on the ward's page,
    else on its borough's page, else SN_REPLY_TO_EMAIL; '' when none is read by anyone."""
    rows = survey_panels(survey).values_list("ward_id", "ward__page__email", "ward__borough__page__email")
    neighbourhood = ""
    if survey.neighbourhood_id:
        neighbourhood = (
            NeighbourhoodPage.objects.filter(pk=survey.neighbourhood_id).values_list("email", flat=True).first()
        )
    return {
        ward: next(
            (a for a in (neighbourhood, own, borough, settings.SN_REPLY_TO_EMAIL) if a and _read_by_someone(a)), ""
        )
        for ward, own, borough in rows
    }


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a member's survey link opens; None for a wrong link."""
    opened = invitation_token_opened(token)
    if opened is None:
        return None
    pk, nonce = opened
    invitation = Invitation.objects.select_related("survey", "member").filter(pk=pk).first()
    return invitation if invitation and invitation.nonce == nonce else None


def member_for_join_token(token: str) -> PanelMember | None:
    """Whose request to join an emailed link confirms; None if the link is wrong or too old."""
    pk = join_token_pk(token)
    return None if pk is None else PanelMember.objects.select_related("panel__ward").filter(pk=pk).first()


def member_for_leave_token(token: str) -> PanelMember | None:
    """Whose link to leave a panel this is; None if the link is wrong or the member is erased."""
    pk = leave_token_pk(token)
    return None if pk is None else PanelMember.objects.select_related("panel__ward").filter(pk=pk).first()


def survey_invitation(survey, token: str | None) -> Invitation | None:
    """The invitation `token` opens, if it is to this survey (a Survey or its SurveyRules)."""
    invitation = invitation_for_token(token or "")
    return invitation if invitation is not None and invitation.survey_id == survey.pk else None


def survey_is_known_to(survey, token: str | None, now=None) -> bool:
    """Whether someone holding `token` (or none) may learn that this survey exists, and its title:
    a panel survey only with one of its invitations (before it opens, too: a member may be told
    when it does); an open survey to anyone once it has opened, as it is listed then and not before."""
    if survey.audience == Survey.Audience.PANEL:
        return survey_invitation(survey, token) is not None
    return survey.opens_at <= (now or timezone.now())


def invitation_answered(invitation: Invitation) -> bool:
    return Response.objects.filter(invitation_id=invitation.pk).exists()


@dataclass(frozen=True)
class QuestionRules:
    """What answering a question needs to know, as plain values."""

    Kind = Question.Kind
    pk: int
    kind: str
    text: str
    required: bool
    options: tuple[str, ...]
    max_length: int
    max_choices: int
    scale_min: int
    scale_max: int


@dataclass(frozen=True)
class SurveyRules:
    """What answering a survey needs to know: who may answer, when, and each question's rules.
    Held by each process and rebuilt when the survey, its questions or the categories change."""

    pk: int
    audience: str
    opens_at: object
    closes_at: object
    purged: bool
    questions: tuple[QuestionRules, ...]

    def is_open(self, now) -> bool:
        return self.opens_at <= now < self.closes_at and not self.purged


# Each survey's rules, held by each process (sn_site.cache.HeldInProcess): answering reads them on
# every request, and SurveyRules is small. Rebuilt when the survey, its questions or the categories
# change (services.survey_rules_forget), or after RULES_SECONDS.
_rules = HeldInProcess()
RULES_SECONDS = 300
SURVEY_CATEGORIES_GENERATION = "survey-rules:categories"


def survey_rules_generation(pk) -> str:
    return f"survey-rules:{pk}"


def survey_rules(pk) -> SurveyRules | None:
    """A survey's rules for answering, without touching the database when nothing has changed."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return _rules.get(
        pk,
        lambda: _survey_rules_read(pk),
        generations_of=[survey_rules_generation(pk), SURVEY_CATEGORIES_GENERATION],
        seconds=RULES_SECONDS,
    )


def _survey_rules_read(pk: int) -> SurveyRules | None:
    survey = survey_for_answering(pk)
    if survey is None:
        return None
    return SurveyRules(
        pk=survey.pk,
        audience=survey.audience,
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        purged=survey.personal_data_deleted_at is not None,
        questions=tuple(
            QuestionRules(
                q.pk,
                q.kind,
                q.text,
                q.required,
                tuple(q.options()),
                q.max_length,
                q.max_choices,
                q.scale_min,
                q.scale_max,
            )
            for q in survey.questions.all()
        ),
    )


def _open_to_anyone(now) -> Q:
    return Q(audience=Survey.Audience.OPEN, opens_at__lte=now, closes_at__gt=now, personal_data_deleted_at__isnull=True)


def surveys_open(*, ward: str | None = None, borough: str | None = None):
    """Surveys anyone may answer now, soonest to close first. For a ward (by code): its own and its
    borough's, as its page lists them; for a borough: its own and those of each of its wards. A
    natural neighbourhood's surveys are on its own page, and in the list when it is not filtered."""
    surveys = (
        Survey.objects.filter(_open_to_anyone(timezone.now()))
        .select_related("ward__borough", "borough", "neighbourhood")
        .defer(
            *("ward__outline", "ward__borough__outline", "borough__outline"),
            *NEIGHBOURHOOD_HEAVY_FIELDS,
        )
        .order_by("closes_at", "pk")
    )
    if ward:
        surveys = surveys.filter(
            Q(ward_id=ward) | Q(borough_id=Subquery(Ward.objects.filter(pk=ward).values("borough_id")))
        )
    if borough:
        surveys = surveys.filter(Q(borough_id=borough) | Q(ward__borough_id=borough))
    return surveys


def ward_page_open_surveys(ward: Ward) -> list[Survey]:
    """The surveys a ward's page invites everyone to answer, its own and its borough's, soonest to
    close first, in one query: it is the busiest page of the site. (Its "You said" summaries are
    part of the page itself: see services.survey_summary_publish.)"""
    area = Q(ward_id=ward.pk) | Q(borough_id=ward.borough_id)
    return list(
        Survey.objects.filter(area & _open_to_anyone(timezone.now()))
        .select_related("borough")
        .defer("introduction", "borough__outline")
        .order_by("closes_at", "pk")
    )


def neighbourhood_page_open_surveys(page: NeighbourhoodPage) -> list[Survey]:
    """The surveys a natural neighbourhood's page invites everyone to answer, soonest to close
    first, in one query. (Its wards' and borough's own surveys are on their pages.)"""
    return list(
        Survey.objects.filter(Q(neighbourhood_id=page.pk) & _open_to_anyone(timezone.now()))
        .defer("introduction")
        .order_by("closes_at", "pk")
    )


@dataclass(frozen=True)
class OptionResult:
    label: str
    count: int | None  # None: hidden (equality figures only)
    percent: float | None  # of the people who answered the question


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    answered: int  # people who answered this question
    options: list[OptionResult]
    mean: float | None  # rating: the average
    texts: list[str]  # free text answers, for the team to read


@dataclass(frozen=True)
class SurveyResults:
    """What the survey's own team reads: every opinion count, percentage and mean (the answers are
    anonymous opinions it asked for), and the equality figures only once the survey has closed,
    from their frozen tables, with small counts hidden."""

    survey: Survey
    invited: int
    responded: int
    questions: list[QuestionResult]
    equality: dict[str, list[OptionResult]] | None  # None: not made yet (the survey is open)
    equality_answered: int | None  # None: fewer than THRESHOLD people, or not made yet


def _options(labels: list[str], counts: list[int], answered: int) -> list[OptionResult]:
    """Each option's count, and its share of the people who answered (so with multiple choice the
    shares can add up to more than 100%: 10 of 10 people choosing it is 100%)."""
    return [
        OptionResult(label, count, round(100 * count / answered, 1) if answered else None)
        for label, count in zip(labels, counts, strict=True)
    ]


def survey_results(survey: Survey) -> SurveyResults:
    """A survey's results for the officers of its area: every count, percentage and mean, the
    written answers, and its equality tables once made (services.equality_tables_freeze)."""
    answers_by_question: dict[int, list] = {}
    for question_id, value in Answer.objects.filter(response__survey=survey).values_list("question_id", "value"):
        answers_by_question.setdefault(question_id, []).append(value)
    questions = []
    for question in survey.questions.all():
        values = answers_by_question.get(question.pk, [])
        labels = question.options()
        mean, texts, options = None, [], []
        if question.kind == Question.Kind.TEXT:
            texts = [value for value in values if value]
        elif question.kind == Question.Kind.RANKING:
            # How often each option was put first.
            firsts = Counter(value[0] for value in values if value)
            options = _options(labels, [firsts[label] for label in labels], len(values))
        else:
            tally = Counter()
            for value in values:
                tally.update(value if isinstance(value, list) else [str(value)])
            options = _options(labels, [tally[label] for label in labels], len(values))
            if question.kind == Question.Kind.RATING and values:
                mean = round(sum(int(value) for value in values) / len(values), 2)
        questions.append(QuestionResult(question, len(values), options, mean, texts))
    frozen = EqualityTables.objects.filter(survey=survey).first()
    equality, equality_answered = None, None
    if frozen is not None:
        equality = {
            name: [OptionResult(label, count, None) for label, count in rows] for name, rows in frozen.tables.items()
        }
        equality_answered = frozen.answered if frozen.answered >= THRESHOLD else None
    return SurveyResults(
        survey=survey,
        invited=Invitation.objects.filter(survey=survey).count(),
        responded=survey.responses.count(),
        questions=questions,
        equality=equality,
        equality_answered=equality_answered,
    )


def _answers_export(response) -> dict:
    return {
        "survey": response.survey.title,
        "submitted_at": response.submitted_at,
        "answers": [{"question": answer.question.text, "answer": answer.value} for answer in response.answers.all()],
    }


def member_export(*, email: str) -> dict:
    """Everything ward panels hold about an address, for its owner's copy: each panel membership
    (any ward) with its invitations and the answers given through them, and answers to open surveys
    whose respondent key (a keyed hash of this address) is still held. Equality answers are not
    linked to anyone, so they cannot be found or included."""
    email = email.strip().lower()
    members = (
        PanelMember.objects.filter(email__iexact=email)
        .select_related("panel__ward")
        .prefetch_related(
            "invitations__survey",
            "invitations__response__survey",
            "invitations__response__answers__question",
        )
        .order_by("pk")
    )
    open_surveys = Survey.objects.filter(audience=Survey.Audience.OPEN, personal_data_deleted_at__isnull=True)
    keys = [respondent_key(survey, email) for survey in open_surveys]
    open_responses = (
        Response.objects.filter(respondent_key__in=keys)
        .select_related("survey")
        .prefetch_related("answers__question")
        .order_by("submitted_at")
    )
    return {
        "panel_memberships": [
            {
                "ward": member.panel.ward.name,
                "ward_code": member.panel.ward_id,
                "name": member.name,
                "email": member.email,
                "phone": member.phone,
                "postcode": member.postcode,
                "joined_on": member.joined_on,
                "left_on": member.left_on,
                "email_confirmed_at": member.confirmed_at,
                "asked_to_confirm_at": member.confirmation_requested_at,
                "consent_given_at": member.consent_given_at,
                "consent_wording": member.consent_wording,
                "invitations": [
                    {
                        "survey": invitation.survey.title,
                        "sent_at": invitation.sent_at,
                        "reminded_at": invitation.reminded_at,
                        "response": _answers_export(response) if (response := _response_of(invitation)) else None,
                    }
                    for invitation in member.invitations.all()
                ],
            }
            for member in members
        ],
        "open_survey_responses": [_answers_export(response) for response in open_responses],
    }


def _response_of(invitation: Invitation) -> Response | None:
    return getattr(invitation, "response", None)  # a missing one-to-one raises an AttributeError


def invitations_held(*, survey: Survey) -> bool:
    """Whether some of the survey's invitations are claimed but not yet sent: by another worker
    still sending, or by one that was killed (its claims expire after SN_NEWSLETTER_CLAIM_SECONDS)."""
    return (
        survey.closes_at > timezone.now()
        and Invitation.objects.filter(survey=survey, sent_at__isnull=True, claimed_at__isnull=False).exists()
    )
