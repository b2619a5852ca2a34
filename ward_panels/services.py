"""Every write that matters for ward panels: answering a survey, invitations and reminders,
equality answers, importing and removing members, erasing a person's data on request, and deleting
personal data when its retention period ends."""

import base64
import csv
import datetime
import hashlib
import io
import json
import logging
import random
from collections import Counter
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from priorities.models import BoroughPage, BoroughYouSaid, WardPage, WardYouSaid
from priorities.services import Revised, team_page_revise, team_page_submit
from sn_site.cache import generation_forget
from sn_site.emails import email_message, email_render
from sn_site.errors import AppError
from sn_site.formats import date_from_text, moment_from_text
from sn_site.forms import EMAIL_INVALID, EMAIL_REQUIRED
from sn_site.links import site_hostname, site_url

from .models import (
    CONSENT_WORDING,
    Answer,
    EqualityMonitoring,
    EqualityPending,
    EqualityReceiptUsed,
    EqualityTables,
    Invitation,
    PanelMember,
    Question,
    Response,
    Survey,
    WardPanel,
    respondent_key,
)
from .selectors import (
    NEIGHBOURHOOD_HEAVY_FIELDS,
    SURVEY_CATEGORIES_GENERATION,
    QuestionRules,
    SurveyRules,
    member_for_join_token,
    member_for_leave_token,
    survey_audience,
    survey_invitation,
    survey_reply_addresses,
    survey_rules_generation,
)
from .suppression import suppress_counts
from .tokens import (
    EQUALITY_SALT,
    JOIN_LINK_DAYS,
    RECEIPT_DAYS,
    invitation_token,
    join_token,
    leave_token,
    receipt_token_opened,
)

logger = logging.getLogger(__name__)


class SurveyNotFound(AppError):
    """Not a survey this person may know of: a panel survey without its invitation's token, or an
    open survey that has not opened yet. Answered exactly as an id that does not exist (a 404), in
    the same words whether it is missing or not theirs to see."""

    status = 404
    code = "not_found"
    message = "There is no such survey."
    template = "404.html"


class SubmissionRefused(AppError):
    """Answers that cannot be stored, with what was wrong, field by field (a 400)."""

    message = "The answers were not saved. Nothing was stored."

    def __init__(self, errors: dict):
        super().__init__(errors=errors)


# Caches -----------------------------------------------------------------------------------------


def survey_rules_forget(pk=None) -> None:
    """A survey (or, with no pk, every survey's categories) changed: every process starts afresh."""
    generation_forget(survey_rules_generation(pk) if pk else SURVEY_CATEGORIES_GENERATION)


# Answering --------------------------------------------------------------------------------------


def _checked_answer(question: QuestionRules, value):
    """The answer as stored, or raise ValueError with a message for the person answering, naming
    the question (a form shows every message together at its top)."""
    kind, text, options = question.Kind, question.text, question.options
    if question.kind == kind.TEXT:
        if not isinstance(value, str):
            raise ValueError(f"Write your answer to '{text}' as text")
        value = value.strip()
        if len(value) > question.max_length:
            raise ValueError(f"Keep your answer to '{text}' to {question.max_length} characters (it has {len(value)})")
        return value
    if question.kind == kind.SINGLE:
        if value not in options:
            raise ValueError(f"Choose one of the options for '{text}'")
        return value
    if question.kind == kind.RATING:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        # Not 4.5, not 1e999, not "four".
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not question.scale_min <= value <= question.scale_max
        ):
            raise ValueError(f"Choose a whole number from {question.scale_min} to {question.scale_max} for '{text}'")
        return value
    if question.kind == kind.RANKING:
        if (
            not isinstance(value, list)
            or not all(isinstance(item, str) for item in value)
            or sorted(value) != sorted(options)
        ):
            raise ValueError(
                f"Put every option for '{text}' in order, giving each a different number from 1 to {len(options)}"
            )
        return value
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"Choose from the options for '{text}'")
    if len(set(value)) != len(value) or any(item not in options for item in value):
        raise ValueError(f"Choose only from the options for '{text}', each once")
    if len(value) > question.max_choices:
        raise ValueError(f"Choose up to {question.max_choices} for '{text}'")
    return value


def _is_empty(value) -> bool:
    return value is None or value == "" or value == []


def _answers_checked(survey: SurveyRules, answers, errors: dict) -> dict[QuestionRules, object]:
    """Each answer checked against its question; every problem is added to `errors`."""
    if not isinstance(answers, dict):
        errors["answers"] = ["Send the answers as an object keyed by question id."]
        return {}
    questions = {str(question.pk): question for question in survey.questions}
    problems: dict[str, list[str]] = {}
    checked: dict[QuestionRules, object] = {}
    for key in answers:
        if str(key) not in questions:
            problems[str(key)] = ["There is no such question in this survey."]
    for key, question in questions.items():
        value = answers.get(key, answers.get(int(key)) if key.isdigit() else None)
        if _is_empty(value):
            if question.required:
                problems[key] = [f"Answer '{question.text}'"]
            continue
        try:
            checked[question] = _checked_answer(question, value)
        except ValueError as error:
            problems[key] = [str(error)]
    if problems:
        errors["answers"] = problems
    return checked


ALREADY_ANSWERED_BY_EMAIL = (
    "This email address has already answered this survey: thank you, there is no need to answer again"
)


def response_submit(
    *, survey: SurveyRules, answers, token: str | None = None, respondent: str | None = None, now=None
) -> Response:
    """Store one person's answers, or refuse with every reason at once. The database keeps it to
    one response per invitation, and for open surveys one per respondent, however many arrive at
    once. Takes the survey's rules (selectors.survey_rules), so checking costs no queries. Raises
    SurveyNotFound for a panel survey without a valid token and an open survey not yet open."""
    now = now or timezone.now()
    invitation = None
    if survey.audience == Survey.Audience.PANEL:
        invitation = survey_invitation(survey, token)
        if invitation is None:
            raise SurveyNotFound
    elif now < survey.opens_at:
        raise SurveyNotFound
    if not survey.is_open(now):
        raise SubmissionRefused({"survey": ["This survey is closed." if now >= survey.opens_at else "Not open yet."]})
    errors: dict = {}
    key = None
    if survey.audience == Survey.Audience.OPEN:
        respondent = (respondent or "").strip()
        try:
            validate_email(respondent)
        except DjangoValidationError:
            errors["email"] = [EMAIL_INVALID if respondent else EMAIL_REQUIRED]
        else:
            key = respondent_key(survey, respondent)
    checked = _answers_checked(survey, answers, errors)
    if errors:
        raise SubmissionRefused(errors)
    try:
        with transaction.atomic():
            response = Response.objects.create(survey_id=survey.pk, invitation=invitation, respondent_key=key)
            Answer.objects.bulk_create(
                [Answer(response=response, question_id=question.pk, value=value) for question, value in checked.items()]
            )
    except IntegrityError:
        if invitation is not None:
            raise SubmissionRefused({"token": ["This invitation has already been used to answer."]}) from None
        raise SubmissionRefused({"email": [ALREADY_ANSWERED_BY_EMAIL]}) from None
    return response


def _receipt_opened(receipt: str) -> dict:
    opened = receipt_token_opened(receipt)
    if opened is None:
        raise SubmissionRefused({"receipt": ["This form has expired. Thank you for answering."]})
    return opened


def _equality_key() -> MultiFernet:
    """The key equality answers are sealed with in the pool, made from the site's secret key (and
    its fallbacks, so that a rotated key can still open what was sealed before)."""
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"{EQUALITY_SALT}:{key}".encode()).digest())) for key in keys]
    )


def equality_record(*, survey: Survey, receipt: str, answers: dict, now=None) -> None:
    """The optional equality answers, once per response, with the receipt given for it: sealed
    into the pool (EqualityPending) in a transaction that touches nothing of the response, so not
    even the database's own bookkeeping (a shared transaction id) ties them together.
    equality_pool_flush writes them out later among others'."""
    now = now or timezone.now()
    opened = _receipt_opened(receipt)
    if opened.get("survey") != survey.pk:
        raise SubmissionRefused({"receipt": ["This receipt is for another survey."]})
    if not isinstance(answers, dict):
        raise SubmissionRefused({"equality": ["Send the answers as an object."]})
    errors, values = {}, {}
    for name, given in answers.items():
        if name not in EqualityMonitoring.QUESTIONS:
            errors[name] = ["There is no such question."]
            continue
        allowed = {value for value, _label in EqualityMonitoring._meta.get_field(name).choices}
        if given in ("", None):
            continue
        if not isinstance(given, str) or given not in allowed:
            errors[name] = [f"Choose one of the options for '{EqualityMonitoring.QUESTIONS[name]}'"]
        values[name] = given
    if errors:
        raise SubmissionRefused({"equality": errors})
    if EqualityTables.objects.filter(survey=survey).exists():
        raise SubmissionRefused({"receipt": ["This survey has closed and its figures are made. Thank you."]})
    digest = hashlib.sha256(opened["nonce"].encode()).hexdigest()
    try:
        with transaction.atomic():
            EqualityReceiptUsed.objects.create(digest=digest, used_on=timezone.localdate(now))
            if values:
                sealed = _equality_key().encrypt(json.dumps(values).encode()).decode()
                EqualityPending.objects.create(survey=survey, sealed=sealed)
    except IntegrityError:
        raise SubmissionRefused({"receipt": ["These answers have already been given. Thank you."]}) from None


def equality_pool_flush(*, now=None, survey: Survey | None = None) -> int:
    """Write the pool's equality answers out, in shuffled order and in one transaction a survey,
    for each survey with at least SN_EQUALITY_BATCH waiting or that has closed (or just `survey`'s,
    all of them): none can then be told from the others by its key, its place or its transaction.
    Celery beat runs it every 15 minutes. Returns how many were written."""
    now = now or timezone.now()
    if survey is not None:
        surveys = [survey.pk]
    else:
        waiting = EqualityPending.objects.values("survey_id").annotate(waiting=Count("pk"))
        surveys = [
            row["survey_id"]
            for row in waiting.filter(Q(waiting__gte=settings.SN_EQUALITY_BATCH) | Q(survey__closes_at__lte=now))
        ]
    key = _equality_key()
    written = 0
    for survey_id in surveys:
        with transaction.atomic():
            pending = list(EqualityPending.objects.select_for_update().filter(survey_id=survey_id))
            rows = []
            for item in pending:
                try:
                    values = json.loads(key.decrypt(item.sealed.encode()))
                except InvalidToken:  # sealed with a secret key the site no longer has
                    logger.warning(
                        "Dropped equality answers for survey %s sealed with a secret key the site no longer has: "
                        "keep an old key in SECRET_KEY_FALLBACKS until the pool is written out",
                        survey_id,
                    )
                    continue
                rows.append(EqualityMonitoring(survey_id=survey_id, **values))
            random.SystemRandom().shuffle(rows)
            EqualityMonitoring.objects.bulk_create(rows)
            EqualityPending.objects.filter(pk__in=[item.pk for item in pending]).delete()
        written += len(rows)
    return written


def equality_tables_freeze(*, survey: Survey, now=None) -> EqualityTables | None:
    """A closed survey's equality figures, made once (the pool written out first) and kept as they
    are: small counts hidden, and others with them where a hidden one could be worked out. None
    while the survey is open, or in the day after it closed when a receipt can still be used."""
    now = now or timezone.now()
    made = EqualityTables.objects.filter(survey=survey).first()
    if made is not None or now < survey.closes_at + datetime.timedelta(days=RECEIPT_DAYS):
        return made
    equality_pool_flush(now=now, survey=survey)
    rows = list(EqualityMonitoring.objects.filter(survey=survey).values_list(*EqualityMonitoring.FIELDS))
    tables = {}
    for index, name in enumerate(EqualityMonitoring.FIELDS):
        choices = EqualityMonitoring._meta.get_field(name).choices
        tally = Counter(row[index] for row in rows)
        labels = [label for _value, label in choices] + ["Not answered"]
        counts = [tally[value] for value, _label in choices] + [tally[""]]
        shown, _total = suppress_counts(counts)
        tables[name] = [[label, count] for label, count in zip(labels, shown, strict=True)]
    try:
        with transaction.atomic():
            return EqualityTables.objects.create(
                survey=survey, answered=len(rows), tables=tables, made_on=timezone.localdate(now)
            )
    except IntegrityError:  # made at the same moment by another request
        return EqualityTables.objects.get(survey=survey)


# Invitations and reminders ----------------------------------------------------------------------


# What an invitation's email reads, in the query that finds the invitations: its survey (and a
# natural neighbourhood's name), its member and their ward, without the places' outlines.
_INVITATION_EMAIL_RELATED = ("survey__neighbourhood", "member__panel__ward")
_INVITATION_EMAIL_DEFERRED = (
    "member__panel__ward__outline",
    *(f"survey__{name}" for name in NEIGHBOURHOOD_HEAVY_FIELDS),
)


def survey_link(survey: Survey, token: str | None = None) -> str:
    path = reverse("ward_panels:survey", args=[survey.pk])
    return site_url(path + (f"?token={token}" if token else ""))


def _invitation_email(invitation: Invitation, reminder: bool, reply_to: str) -> EmailMultiAlternatives:
    """The survey's link, and in every one a link to leave the panel. Replies go to reply_to (from
    selectors.survey_reply_addresses: the ward's team, else the borough's, else the site's
    mailbox); with none, the email asks for none."""
    survey, member = invitation.survey, invitation.member
    leave = site_url(reverse("ward_panels:leave", args=[leave_token(member.pk)]))
    context = {
        "survey": survey,
        "member": member,
        "reminder": reminder,
        "reply_to": reply_to,  # the reply may reach the ward's team, the borough's or the site's mailbox
        "survey_url": survey_link(survey, invitation_token(invitation.pk, invitation.nonce)),
        "leave_url": leave,
    }
    return email_message(
        email_render("ward_panels/invitation", context),
        to=[member.email],
        reply_to=[reply_to] if reply_to else None,
        headers={"List-Unsubscribe": f"<{leave}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def invitations_send(*, survey: Survey, now=None) -> int:
    """One invitation per member of the survey's audience (selectors.survey_audience: the active
    members of its panels, and for a natural neighbourhood's survey only those who live in it),
    each emailed once over one connection. Safe to run again: members already invited are skipped.
    Returns how many were sent."""
    now = now or timezone.now()
    if survey.audience != Survey.Audience.PANEL or not survey.is_open(now) and now >= survey.closes_at:
        return 0
    members = survey_audience(survey, timezone.localdate(now))
    Invitation.objects.bulk_create(
        [Invitation(survey=survey, member=member) for member in members], ignore_conflicts=True
    )
    unsent = (
        Invitation.objects.filter(survey=survey, sent_at__isnull=True)
        .select_related(*_INVITATION_EMAIL_RELATED)
        .defer(*_INVITATION_EMAIL_DEFERRED)
    )
    return _send(unsent, reminder=False, now=now, reply_to=survey_reply_addresses(survey))


def reminders_send(*, now=None) -> int:
    """Remind invited members who have not answered once the survey's reminder delay has passed."""
    now = now or timezone.now()
    sent = 0
    for survey in Survey.objects.filter(opens_at__lte=now, closes_at__gt=now, reminder_after_days__gt=0):
        due = (
            Invitation.objects.filter(
                survey=survey,
                sent_at__lte=now - datetime.timedelta(days=survey.reminder_after_days),
                reminded_at__isnull=True,
                response__isnull=True,
                member__left_on__isnull=True,
            )
            .select_related(*_INVITATION_EMAIL_RELATED)
            .defer(*_INVITATION_EMAIL_DEFERRED)
        )
        sent += _send(due, reminder=True, now=now, reply_to=survey_reply_addresses(survey))
    return sent


def invitations_unsent_sweep(*, now=None) -> int:
    """Invitations that an officer sent but that never went (a worker was killed, or its retries
    ran out), for panel surveys not yet closed: sent now. Celery beat runs it with the reminders."""
    now = now or timezone.now()
    sent = 0
    for survey in Survey.objects.filter(
        audience=Survey.Audience.PANEL, closes_at__gt=now, personal_data_deleted_at__isnull=True
    ):
        unsent = Invitation.objects.filter(survey=survey, sent_at__isnull=True, member__left_on__isnull=True)
        sent += _send(
            unsent.select_related(*_INVITATION_EMAIL_RELATED).defer(*_INVITATION_EMAIL_DEFERRED),
            reminder=False,
            now=now,
            reply_to=survey_reply_addresses(survey),
        )
    return sent


def _claimable(field: str) -> Q:
    """Not yet sent (`field`: sent_at or reminded_at), and not claimed, or claimed so long ago that
    its worker must have died."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.SN_NEWSLETTER_CLAIM_SECONDS)
    return Q(**{f"{field}__isnull": True}) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))


def _message_id(invitation: Invitation, reminder: bool) -> str:
    """The same for every copy of one invitation (or reminder), so that in the rare case a copy
    goes twice (a worker killed between the mail server's acceptance and its mark) mail software
    can tell it is one message."""
    return f"<survey-{'reminder' if reminder else 'invitation'}-{invitation.pk}@{site_hostname()}>"


def _send(invitations, *, reminder: bool, now, reply_to: dict[str, str]) -> int:
    """Email each invitation once. A row is claimed (a conditional update of claimed_at) before its
    email goes, so two workers running at once never both send it; it is marked sent only once the
    mail server has accepted it. A worker killed in between leaves a claim that expires after
    SN_NEWSLETTER_CLAIM_SECONDS, and the invitation is then sent again (the task's retry, its
    redelivery, or invitations_unsent_sweep): nobody is left without their link. If sending fails,
    the claim is let go for the task's retry. `reply_to`: each ward's address for replies."""
    field = "reminded_at" if reminder else "sent_at"
    sent = 0
    with get_connection() as connection:
        for invitation in invitations:
            claim = timezone.now()
            if not Invitation.objects.filter(_claimable(field), pk=invitation.pk).update(claimed_at=claim):
                continue  # another worker has it, or has sent it
            try:
                email = _invitation_email(invitation, reminder, reply_to.get(invitation.member.panel.ward_id, ""))
                email.extra_headers["Message-ID"] = _message_id(invitation, reminder)
                connection.send_messages([email])
            except Exception:
                Invitation.objects.filter(pk=invitation.pk, claimed_at=claim).update(claimed_at=None)
                raise
            Invitation.objects.filter(pk=invitation.pk).update(**{field: now, "claimed_at": None})
            sent += 1
    return sent


# Members ----------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did. With problems, it did nothing: a file is imported whole or not at all."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)  # "Row 4: no email address."
    to_confirm: list[int] = field(default_factory=list)  # members to email a link to confirm


# The columns of a members file (docs/ward_panels.md, and the import page).
MEMBER_COLUMNS = ("name", "email", "phone", "joined_on", "consent_wording", "consented_at")
MEMBER_COLUMNS_REQUIRED = ("name", "email")


@dataclass(frozen=True)
class _MemberRow:
    email: str
    name: str
    phone: str
    joined_on: datetime.date | None
    consented_at: datetime.datetime | None
    consent_wording: str


def _member_row(cells: dict[str, str], *, new: bool, now: datetime.datetime) -> _MemberRow:
    """One row of a members file, checked; ValueError naming everything wrong with it."""
    problems = []
    email = cells.get("email", "").lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        problems.append(f"{email} is not an email address" if email else "no email address")
    name, phone, wording = cells.get("name", ""), cells.get("phone", ""), cells.get("consent_wording", "")
    if not name and new:
        problems.append("no name")
    if len(name) > 100:
        problems.append("the name is longer than 100 characters")
    if len(phone) > 30:
        problems.append("the phone number is longer than 30 characters")
    joined_on = consented_at = None
    if cells.get("joined_on"):
        try:
            joined_on = date_from_text(cells["joined_on"])
        except ValueError as error:
            problems.append(f"joined_on {error}")
    if cells.get("consented_at"):
        try:
            consented_at = moment_from_text(cells["consented_at"])
        except ValueError as error:
            problems.append(f"consented_at {error}")
        else:
            if consented_at > now:
                problems.append("consented_at is in the future")
    if bool(wording) != bool(cells.get("consented_at")):
        problems.append(
            "give both consent_wording and consented_at (the words they agreed to, and when), "
            "or neither to ask them by email"
        )
    if problems:
        raise ValueError("; ".join(problems))
    return _MemberRow(email, name, phone, joined_on, consented_at, wording)


def _members_file_rows(panel: WardPanel, text: str, now, report: ImportReport) -> list[_MemberRow]:
    """The file's rows, checked; every problem goes into the report, by row number."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in MEMBER_COLUMNS_REQUIRED if name not in columns]
    unknown = [name for name in columns if name and name not in MEMBER_COLUMNS]
    if missing:
        report.problems.append(f"The first row must name the columns; missing: {', '.join(missing)}.")
    if unknown:
        report.problems.append(
            f"The first row names columns this import does not know: {', '.join(unknown)}. "
            f"Use only these: {', '.join(MEMBER_COLUMNS)}."
        )
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if repeated:
        report.problems.append(f"The first row names a column twice: {', '.join(repeated)}.")
    if report.problems:
        return []
    known = {email.lower() for email in PanelMember.objects.filter(panel=panel).values_list("email", flat=True)}
    rows, seen = [], {}
    try:
        for number, raw in enumerate(reader, start=2):
            if None in raw:  # more cells than the first row names
                report.problems.append(f"Row {number}: more cells than the first row has column names.")
                continue
            cells = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items()}
            if not any(cells.values()):
                continue  # an empty line
            try:
                row = _member_row(cells, new=cells.get("email", "").lower() not in known, now=now)
            except ValueError as error:
                report.problems.append(f"Row {number}: {error}.")
                continue
            if row.email in seen:
                report.problems.append(f"Row {number}: {row.email} is also on row {seen[row.email]}.")
                continue
            seen[row.email] = number
            rows.append(row)
    except csv.Error as error:
        report.problems.append(f"The file could not be read as CSV ({error}). Save it from the spreadsheet as CSV.")
    return rows


def _member_import(panel: WardPanel, row: _MemberRow, member: PanelMember | None, now, report: ImportReport):
    given = {"name": row.name, "phone": row.phone, "joined_on": row.joined_on}
    if row.consented_at:
        given |= {"consent_given_at": row.consented_at, "consent_wording": row.consent_wording}
    given = {name: value for name, value in given.items() if value}  # a blank cell keeps what is there
    if member is None:
        member = PanelMember(panel=panel, email=row.email, **{"joined_on": timezone.localdate(now)} | given)
        member.confirmed_at = now if row.consented_at else None
        member.save()
        report.added += 1
    else:
        changed = {name: value for name, value in given.items() if getattr(member, name) != value}
        if row.consented_at and member.confirmed_at is None:
            changed["confirmed_at"] = now
        for name, value in changed.items():
            setattr(member, name, value)
        if changed:
            member.save(update_fields=list(changed))
            report.updated += 1
        else:
            report.unchanged += 1
    if member.consent_given_at is None and member.confirmation_requested_at is None and member.left_on is None:
        report.to_confirm.append(member.pk)


def members_import(*, panel: WardPanel, text: str, now=None) -> ImportReport:
    """Members from a CSV file (MEMBER_COLUMNS), imported whole or not at all: if any row has a
    problem, nothing changes and every problem is reported by row number. An address already on the
    panel is updated, never added twice, and a blank cell never overwrites what is there. Consent is
    recorded exactly as the file gives it (consent_wording, consented_at: 25/12/2026 18:30, or a date
    alone for the start of that day), and such people count as confirmed. Everyone else without
    consent on record is listed in `to_confirm`, to be emailed once a link to confirm
    (members_confirmation_request); until they do, they are sent nothing else. Nobody who left is
    brought back."""
    now = now or timezone.now()
    report = ImportReport()
    rows = _members_file_rows(panel, text, now, report)
    if report.problems:
        return report
    try:
        with transaction.atomic():
            members = {member.email.lower(): member for member in PanelMember.objects.filter(panel=panel)}
            for row in rows:
                _member_import(panel, row, members.get(row.email), now, report)
    except IntegrityError:  # someone joined online with one of these addresses as the file went in
        return ImportReport(problems=["Someone joined the panel while the file was imported. Import it again."])
    return report


def members_erase(*, email: str) -> int:
    """Erase everything ward panels hold about an address on its owner's request: every panel
    membership (any ward), with its invitations and answers (member_answers_delete), and answers to open
    surveys still keyed to the address. Returns how many memberships and responses went."""
    email = email.strip().lower()
    with transaction.atomic():
        # A queryset's delete sends pre_delete for each member: their answers go too (member_answers_delete).
        erased = PanelMember.objects.filter(email__iexact=email).delete()[1].get(PanelMember._meta.label, 0)
        open_surveys = Survey.objects.filter(audience=Survey.Audience.OPEN, personal_data_deleted_at__isnull=True)
        keys = [respondent_key(survey, email) for survey in open_surveys]
        erased += Response.objects.filter(respondent_key__in=keys).delete()[1].get(Response._meta.label, 0)
    return erased


def member_answers_delete(sender, instance: PanelMember, **kwargs) -> None:
    """Before a member is deleted, by any route: the answers they gave through their invitations."""
    Response.objects.filter(invitation__member=instance).delete()


# Joining and leaving online ---------------------------------------------------------------------


def membership_request(*, ward, name: str, email: str, phone: str = "", postcode: str = "", now=None) -> None:
    """Someone asks to join a ward panel: kept unconfirmed, with their consent, and sent a link to
    confirm their address. Nothing is sent to the panel's officers, and no survey is sent, until
    they confirm. Every request sends exactly one email, so neither the page nor how long it takes
    tells a stranger who is on a panel (the join page queues this as a task): someone already on
    the panel is told so, with the link to leave. A member who left, or whom an officer imported
    without their consent on record, is only sent the link: anyone can type an address into the
    form, so nothing about them changes until the link is used (membership_confirm). `postcode`:
    optional, already checked (geography.forms.PostcodeField)."""
    now = now or timezone.now()
    panel, _ = WardPanel.objects.get_or_create(ward=ward)
    email = email.strip().lower()
    member = PanelMember.objects.filter(panel=panel, email__iexact=email).first()
    if member is not None and member.confirmed_at and member.consent_given_at and member.left_on is None:
        leave = site_url(reverse("ward_panels:leave", args=[leave_token(member.pk)]))
        note = email_render("ward_panels/already_member", {"ward": ward, "member": member, "leave_url": leave})
        email_message(note, to=[member.email]).send()
        return
    if member is None:
        member = PanelMember.objects.create(
            panel=panel,
            name=name.strip(),
            email=email,
            phone=phone.strip()[:30],
            postcode=postcode,
            consent_given_at=now,
            consent_wording=CONSENT_WORDING,
            joined_on=timezone.localdate(now),
        )
    elif member.confirmed_at is None and member.confirmation_requested_at is None:
        # Asked online before without confirming: this request replaces it.
        PanelMember.objects.filter(pk=member.pk).update(
            name=name.strip(), postcode=postcode, consent_given_at=now, consent_wording=CONSENT_WORDING
        )
    context = {"ward": ward, "member": member, "days": JOIN_LINK_DAYS, "confirm_url": _join_link(member)}
    email_message(email_render("ward_panels/join_confirm", context), to=[email]).send()


def _join_link(member: PanelMember) -> str:
    """The emailed link that confirms a membership (membership_confirm), valid JOIN_LINK_DAYS."""
    return site_url(reverse("ward_panels:join_confirm", args=[join_token(member.pk)]))


def membership_confirm(*, token: str, now=None) -> PanelMember | None:
    """Confirm a membership from the emailed link; None if the link is wrong or too old. A member
    who had left is back on the panel from today, with their consent given now; so is the consent
    of someone an officer imported without it, who confirms under the words they agree to."""
    now = now or timezone.now()
    member = member_for_join_token(token)
    if member is None:
        return None
    fields = []
    if member.left_on is not None:
        member.left_on, member.joined_on = None, timezone.localdate(now)
        fields += ["left_on", "joined_on"]
    if member.consent_given_at is None or "left_on" in fields:
        member.consent_given_at, member.consent_wording = now, CONSENT_WORDING
        fields += ["consent_given_at", "consent_wording"]
    if member.confirmed_at is None:
        member.confirmed_at = now
        fields.append("confirmed_at")
    if fields:
        member.save(update_fields=fields)
    return member


def members_confirmation_request(*, members, now=None) -> int:
    """Email each member an officer imported without their consent on record a link to confirm
    they want to be on the panel: the link for joining online, whose page shows the words they agree
    to by confirming (membership_confirm records them). Once each: a member is claimed
    (confirmation_requested_at) before their email goes, so a repeated import or a second worker
    sends nothing more. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    with get_connection() as connection:
        for member in members:
            waiting = PanelMember.objects.filter(
                pk=member.pk,
                consent_given_at__isnull=True,
                left_on__isnull=True,
                confirmation_requested_at__isnull=True,
            )
            if not waiting.update(confirmation_requested_at=now):
                continue  # asked already, by another import or worker; or agreed, or left, since
            context = {
                "ward": member.panel.ward,
                "member": member,
                "days": JOIN_LINK_DAYS,
                "confirm_url": _join_link(member),
            }
            try:
                email_message(
                    email_render("ward_panels/imported_confirm", context), to=[member.email], connection=connection
                ).send()
            except Exception:
                PanelMember.objects.filter(pk=member.pk, confirmation_requested_at=now).update(
                    confirmation_requested_at=None
                )
                raise
            sent += 1
    return sent


def membership_leave(*, token: str, now=None) -> PanelMember | None:
    """End a membership from the link in a survey email: no more invitations or reminders, and
    its details are erased SN_PANEL_MEMBER_RETENTION_DAYS later (members_left_purge). None if
    the link is wrong or the member has already been erased."""
    member = member_for_leave_token(token)
    today = timezone.localdate(now or timezone.now())
    if member is not None and (member.left_on is None or member.left_on > today):
        member.left_on = today
        member.save(update_fields=["left_on"])
    return member


# Retention --------------------------------------------------------------------------------------


def personal_data_purge(*, now=None) -> int:
    """For surveys closed longer ago than SN_SURVEY_RETENTION_DAYS: delete the invitations (who was
    asked), the respondents' keys and the free-text answers, which may name people. The counted
    answers stay, and so do the equality figures until equality_answers_purge. Also deletes
    members who never confirmed, a day after their link expired (JOIN_LINK_DAYS). Returns how many
    surveys were purged."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.SN_SURVEY_RETENTION_DAYS)
    purged = 0
    for survey in Survey.objects.filter(closes_at__lt=cutoff, personal_data_deleted_at__isnull=True):
        with transaction.atomic():
            Answer.objects.filter(response__survey=survey, question__kind=Question.Kind.TEXT).delete()
            Response.objects.filter(survey=survey).update(respondent_key=None, invitation=None)
            Invitation.objects.filter(survey=survey).delete()
            Survey.objects.filter(pk=survey.pk).update(personal_data_deleted_at=now)
        purged += 1
    # Never confirmed, a day after the link expired: requests to join online, and people imported
    # without their consent on record who were emailed the link (members_confirmation_request).
    expired = now - datetime.timedelta(days=JOIN_LINK_DAYS + 1)
    PanelMember.objects.filter(
        Q(consent_given_at__lt=expired) | Q(consent_given_at__isnull=True, confirmation_requested_at__lt=expired),
        confirmed_at__isnull=True,
    ).delete()
    return purged


def members_left_purge(*, now=None) -> int:
    """Members who left their panel more than SN_PANEL_MEMBER_RETENTION_DAYS ago are erased: their
    details, invitations and the answers given through them (member_answers_delete). Returns how
    many."""
    now = now or timezone.now()
    left_before = timezone.localdate(now) - datetime.timedelta(days=settings.SN_PANEL_MEMBER_RETENTION_DAYS)
    return PanelMember.objects.filter(left_on__lt=left_before).delete()[1].get(PanelMember._meta.label, 0)


def equality_answers_purge(*, now=None) -> int:
    """Equality answers for surveys that closed more than SN_EQUALITY_RETENTION_DAYS ago are
    deleted (they are linked to no one, only to their survey). Returns how many."""
    now = now or timezone.now()
    closed_before = now - datetime.timedelta(days=settings.SN_EQUALITY_RETENTION_DAYS)
    deleted, _ = EqualityMonitoring.objects.filter(survey__closes_at__lt=closed_before).delete()
    EqualityTables.objects.filter(survey__closes_at__lt=closed_before).delete()
    # A used receipt is kept only while the receipt itself could still be used.
    EqualityReceiptUsed.objects.filter(
        used_on__lt=timezone.localdate(now) - datetime.timedelta(days=RECEIPT_DAYS + 1)
    ).delete()
    return deleted


def survey_summary_publish(*, survey: Survey, user, now=None) -> Revised:
    """Put a closed survey's "You said" summary on its ward's page (a borough's survey: on its
    borough's page, which every ward page of the borough shows), or bring the one there up to date.

    The summary becomes part of the page's content, through the page's revisions
    (priorities.services.team_page_revise), so it follows the borough's approval setting like every
    other change officers make to a ward page: live at once where they may publish, otherwise sent
    straight to a sergeant (with any other changes they have saved to the page), and live only once
    a sergeant approves it. There is no other way to publish a summary."""
    now = now or timezone.now()
    if survey.neighbourhood_id:
        raise DjangoValidationError(
            "A natural neighbourhood's page has no place for survey summaries: "
            "tell people what they said in a “we did” update on its page."
        )
    if not survey.summary.strip():
        raise DjangoValidationError("Write the summary (You said) first.")
    if survey.closes_at > now:
        raise DjangoValidationError("A summary goes on the ward page once the survey has closed.")
    answered = survey.responses.count()
    if answered < settings.SN_PUBLIC_RESULTS_MIN_ANSWERS:
        raise DjangoValidationError(
            f"A summary is published only when at least {settings.SN_PUBLIC_RESULTS_MIN_ANSWERS} people "
            f"answered, so that no one can be picked out: this survey has {answered}."
        )
    if survey.ward_id:
        page, model = WardPage.objects.filter(ward_id=survey.ward_id).first(), WardYouSaid
    else:
        page, model = BoroughPage.objects.filter(borough_id=survey.borough_id).first(), BoroughYouSaid
    if page is None:
        raise DjangoValidationError(f"{survey.area_name} has no page on this site to show the summary on.")
    fields = {
        "title": survey.title,
        "summary": survey.summary.strip(),
        "answered": answered,
        "closed_on": timezone.localdate(survey.closes_at),
        "informed_priority_id": survey.informed_priority_id,
    }

    def change(draft) -> None:
        shown = next((s for s in draft.survey_summaries.all() if s.survey_id == survey.pk), None)
        if shown is None:
            draft.survey_summaries.add(model(survey_id=survey.pk, **fields))
        else:
            for name, value in fields.items():
                setattr(shown, name, value)

    with transaction.atomic():
        revised = team_page_revise(page=page, user=user, change=change)
        if revised is Revised.SAVED_FOR_APPROVAL:
            revised = team_page_submit(page=type(page).objects.get(pk=page.pk), user=user)
    return revised
