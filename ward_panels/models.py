"""Virtual ward panels: each ward's panel and its members, and the e-surveys that let people who
cannot come to an evening meeting tell their team what matters ("you said").

Contact details (PanelMember), answers (Response, Answer) and equality monitoring
(EqualityMonitoring) are kept in separate tables: equality answers carry no link to a person or a
response, by key, transaction, order or time, and are only ever counted (see services: the
equality pool).
"""

import datetime
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable, PreviewableMixin

from geography.models import Borough, Ward
from priorities.models import BoroughPage, NeighbourhoodPage, Priority, PriorityCategory

from .question_fields import question_fields

CONSENT_WORDING = (
    "I agree that my Safer Neighbourhoods Team may contact me about the ward panel and its surveys. "
    "I can withdraw at any time."
)


class WardPanel(models.Model):
    """The residents, businesses and groups who agree a ward's priorities with its team."""

    ward = models.OneToOneField(Ward, on_delete=models.PROTECT, related_name="panel")
    chair = models.CharField(max_length=100, blank=True, help_text="The panel's chair, as residents know them.")
    meeting_pattern = models.CharField(
        max_length=200, blank=True, help_text="When it meets, such as 'Every third Tuesday, 7pm, at the library'."
    )

    class Meta:
        ordering = ["ward__name"]

    def __str__(self) -> str:
        return f"{self.ward.name} ward panel"


class PanelMemberQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None):
        """Members who have confirmed, consented to be contacted and not left."""
        on = on or timezone.localdate()
        return self.filter(confirmed_at__isnull=False, consent_given_at__isnull=False, joined_on__lte=on).filter(
            Q(left_on__isnull=True) | Q(left_on__gt=on)
        )


class PanelMember(models.Model):
    """Someone on a ward panel, with their consent to be contacted. Removing a member removes
    their invitations and the answers given through them."""

    panel = models.ForeignKey(WardPanel, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    postcode = models.CharField(
        max_length=8,
        blank=True,
        help_text="Optional: where they live, such as SE15 5DB. Used only to invite them to surveys about "
        "the natural neighbourhood they live in.",
    )
    consent_given_at = models.DateTimeField(
        null=True, blank=True, help_text="When they agreed to be contacted. Empty: never contact them."
    )
    consent_wording = models.TextField(blank=True, help_text="The words they agreed to, exactly.")
    joined_on = models.DateField(default=datetime.date.today)
    left_on = models.DateField(null=True, blank=True, help_text="When they left the panel. They get no more surveys.")
    confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When they confirmed their email address. People imported with their consent on record count "
        "as confirmed.",
    )
    confirmation_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When they were emailed a link to confirm they want to be on the panel, after an officer "
        "imported them without their consent on record.",
    )

    objects = PanelMemberQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("panel", models.functions.Lower("email"), name="one_member_per_email")]

    def __str__(self) -> str:
        return f"{self.name} ({self.panel.ward.name})"


class Survey(PreviewableMixin, ClusterableModel):
    """An e-survey for one ward, every ward of a borough, or a natural neighbourhood (its panel
    audience: the members of its wards' panels who live in it, selectors.survey_audience): its
    questions, who may answer and when. Previewable: the editor's preview panel shows the survey's
    own page, unsaved edits included."""

    class Audience(models.TextChoices):
        PANEL = "panel", "Panel members only, by invitation"
        OPEN = "open", "Anyone who lives or works in the area"

    title = models.CharField(max_length=150)
    introduction = models.TextField(
        help_text="Why you are asking and what you will do with the answers. Say how long it takes."
    )
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.PROTECT, related_name="surveys")
    borough = models.ForeignKey(
        Borough,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
        help_text="For a survey of every ward in a borough; leave empty for one ward.",
    )
    neighbourhood = models.ForeignKey(
        NeighbourhoodPage,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
        help_text="For a survey of a natural neighbourhood: panel members are invited if the postcode they gave "
        "is in it. Leave the ward and borough empty.",
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PANEL)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    reminder_after_days = models.PositiveSmallIntegerField(
        default=7, help_text="Remind members who have not answered after this many days. 0: no reminder."
    )
    summary = models.TextField(
        "You said",
        blank=True,
        help_text=(
            "After it closes: a short summary of what people told you. To show it on the ward page, choose "
            "'Put on the ward page' in the list of surveys."
        ),
    )
    informed_priority = models.ForeignKey(
        Priority,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
        help_text="The priority these answers informed, if any.",
    )
    personal_data_deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ward__isnull=False, borough__isnull=True, neighbourhood__isnull=True)
                | Q(ward__isnull=True, borough__isnull=False, neighbourhood__isnull=True)
                | Q(ward__isnull=True, borough__isnull=True, neighbourhood__isnull=False),
                name="survey_for_a_ward_a_borough_or_a_neighbourhood",
            ),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors = {}
        if [bool(self.ward_id), bool(self.borough_id), bool(self.neighbourhood_id)].count(True) != 1:
            errors["ward"] = "Choose one of these: a ward, a borough for every ward in it, or a natural neighbourhood."
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = "The survey must close after it opens."
        if self.informed_priority_id and "ward" not in errors:
            outside = self._informed_priority_outside_area()
            if outside:
                errors["informed_priority"] = outside
        if errors:
            raise ValidationError(errors)

    def _informed_priority_outside_area(self) -> str | None:
        """Why the informed priority is not this survey's to name: it must be on the survey's ward's
        page or, for a borough's or a natural neighbourhood's survey, on one of its wards' pages."""
        title, ward_id, borough_id, ward_name = (
            Priority.objects.filter(pk=self.informed_priority_id)
            .values_list("title", "ward_page__ward_id", "ward_page__ward__borough_id", "ward_page__ward__name")
            .get()
        )
        if ward_id == self.ward_id or borough_id == self.borough_id:
            return None
        if self.neighbourhood_id and self.neighbourhood.wards.filter(pk=ward_id).exists():
            return None
        area = self.area_name if self.ward_id else f"a ward in {self.area_name}"
        return f"Choose a priority from {area}: “{title}” is from {ward_name}."

    def get_preview_template(self, request, mode_name):
        return "ward_panels/survey.html"

    def get_preview_context(self, request, mode_name):
        """The survey's page as people will see it, marked as a preview, with a form that sends nothing."""
        return {"survey": self, "fields": question_fields(self.questions.all()), "errors": [], "preview": True}

    @property
    def area_name(self) -> str:
        if self.neighbourhood_id:
            return self.neighbourhood.title
        return self.ward.name if self.ward_id else self.borough.name

    def area_borough(self) -> Borough | None:
        """The borough it is for: its own, its ward's, or that of the borough page its natural
        neighbourhood sits under (a neighbourhood may reach into others; that one keeps it)."""
        if self.neighbourhood_id:
            path = self.neighbourhood.path[: -NeighbourhoodPage.steplen]
            return Borough.objects.filter(page__in=BoroughPage.objects.filter(path=path)).first()
        return self.borough if self.borough_id else self.ward.borough

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at and self.personal_data_deleted_at is None


class Question(Orderable):
    """One question. Its settings (options, limits, a scale) each apply to some kinds of question
    only (SETTINGS_FOR_KINDS): the admin shows each under the kinds it fits and ignores the rest."""

    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        RATING = "rating", "Rating scale"
        TEXT = "text", "Free text"
        RANKING = "ranking", "Ranking"
        LOCAL_ISSUES = "local_issues", "Which local issues matter most to you"

    # Which kinds of question each setting is for; for any other kind it is not used.
    SETTINGS_FOR_KINDS = {
        "choices": (Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING),
        "max_choices": (Kind.MULTIPLE, Kind.LOCAL_ISSUES),
        "scale_min": (Kind.RATING,),
        "scale_max": (Kind.RATING,),
        "max_length": (Kind.TEXT,),
    }
    MAX_OPTIONS = 20  # a longer list is hard to read on a phone, and harder still to rank
    MAX_OPTION_LENGTH = 200
    MAX_SCALE_POINTS = 11  # such as 0 to 10

    survey = ParentalKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300, help_text="The question, plainly.")
    help_text = models.CharField(max_length=300, blank=True, help_text="Optional hint shown under the question.")
    required = models.BooleanField(default=True)
    choices = models.JSONField(
        "options",
        default=list,
        blank=True,
        help_text=f"One option per line, in the order people will see them: 2 to {MAX_OPTIONS}. "
        "'Which local issues' questions offer the priority categories instead.",
    )
    max_length = models.PositiveIntegerField(
        "longest answer",
        default=1000,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
        help_text="In characters, up to 5,000. A short paragraph is about 500.",
    )
    scale_min = models.SmallIntegerField("bottom of the scale", default=1, help_text="Usually 1 (or 0).")
    scale_max = models.SmallIntegerField(
        "top of the scale", default=5, help_text="Usually 5 (or 10). Say what the ends mean in the hint."
    )
    max_choices = models.PositiveSmallIntegerField(
        "most a person may choose", default=3, validators=[MinValueValidator(1)]
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("text"),
        FieldPanel("help_text"),
        FieldPanel("required"),
        FieldPanel("choices"),
        FieldPanel("max_choices"),
        FieldPanel("scale_min"),
        FieldPanel("scale_max"),
        FieldPanel("max_length"),
    ]

    def __str__(self) -> str:
        return self.text

    def clean(self):
        errors = {}
        if self.kind in self.SETTINGS_FOR_KINDS["choices"]:
            problem = self._options_problem()
            if problem:
                errors["choices"] = problem
        elif self.choices:
            errors["choices"] = (
                f"Options are only for {self.kinds_label('choices')} questions: "
                "clear this box, or choose one of those kinds."
            )
        if self.kind == self.Kind.RATING:
            if self.scale_max <= self.scale_min:
                errors["scale_max"] = "The top of the scale must be above the bottom."
            elif self.scale_max - self.scale_min + 1 > self.MAX_SCALE_POINTS:
                errors["scale_max"] = (
                    f"A scale can have at most {self.MAX_SCALE_POINTS} points (such as 0 to 10): "
                    f"{self.scale_min} to {self.scale_max} has {self.scale_max - self.scale_min + 1}."
                )
        if errors:
            raise ValidationError(errors)

    def _options_problem(self) -> str | None:
        options = self.choices
        if not isinstance(options, list) or not all(isinstance(option, str) and option.strip() for option in options):
            return "Give the options as words, one per line."
        if len(options) < 2:
            return f"Give at least two options, one per line: this has {len(options)}."
        if len(options) > self.MAX_OPTIONS:
            return f"Give at most {self.MAX_OPTIONS} options: this has {len(options)}. Split it into two questions."
        long = [option for option in options if len(option) > self.MAX_OPTION_LENGTH]
        if long:
            return f"Keep each option to {self.MAX_OPTION_LENGTH} characters: “{long[0][:40]}…” is longer."
        seen = set()
        for option in options:
            if option.casefold() in seen:
                return f"Each option must be different: “{option}” is there twice."
            seen.add(option.casefold())
        return None

    @classmethod
    def kinds_label(cls, setting: str) -> str:
        """The kinds a setting is for, as words: "single choice, multiple choice and ranking"."""
        names = [KIND_SHORT_NAMES.get(kind, cls.Kind(kind).label.lower()) for kind in cls.SETTINGS_FOR_KINDS[setting]]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"

    def options(self) -> list[str]:
        """The options a person chooses from: the question's own, or the priority categories."""
        if self.kind == self.Kind.LOCAL_ISSUES:
            return list(PriorityCategory.objects.values_list("name", flat=True))
        if self.kind == self.Kind.RATING:
            return [str(n) for n in range(self.scale_min, self.scale_max + 1)]
        return list(self.choices)


KIND_SHORT_NAMES = {Question.Kind.LOCAL_ISSUES: "local issues"}


def _nonce() -> str:
    return secrets.token_urlsafe(12)


class Invitation(models.Model):
    """One panel member's one-use link to one survey. The link's token is signed with the site's
    secret key (tokens.invitation_token), so it cannot be guessed or made from a copy of the
    database alone, and the same link can be sent again in a reminder. Sending goes: claimed
    (claimed_at) -> accepted by the mail server -> sent_at (or reminded_at); a claim that is never
    followed by its mark expires, so a killed worker's invitation is sent again (services._send)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="invitations")
    nonce = models.CharField(max_length=20, default=_nonce, help_text="Changing it withdraws the link.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the mail server accepted the invitation.")
    reminded_at = models.DateTimeField(null=True, blank=True, help_text="When the mail server accepted the reminder.")
    claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a worker took its invitation or reminder to send. After SN_NEWSLETTER_CLAIM_SECONDS "
        "without it being sent, another worker may take it.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "member"], name="one_invitation_per_member")]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to {self.survey_id}"


def respondent_key(survey: Survey, identity: str) -> str:
    """A keyed hash of an email address or a browser's id: enough to refuse a second response to an
    open survey, not enough to learn who answered."""
    return salted_hmac("ward_panels.respondent", f"{survey.pk}:{identity.strip().lower()}").hexdigest()


class Response(models.Model):
    """One person's answers to a survey. At most one per invitation, and for open surveys one per
    respondent (an email address's or a browser's key), enforced by the database."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # Kept when invitations are deleted at the end of the retention period: the answers stay, anonymous.
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    respondent_key = models.CharField(
        max_length=64, null=True, blank=True, help_text="A keyed hash of an email address or a browser's id."
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_key"],
                condition=Q(respondent_key__isnull=False),
                name="one_response_per_respondent",
            )
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.survey_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(help_text="A string, a number, or a list of strings, as the question's kind asks.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


PREFER_NOT = ("prefer_not", "Prefer not to say")


class EqualityMonitoring(models.Model):
    """Optional equality answers for a survey: counted, never shown per person. Deliberately no
    link to a response, a member or a time, and a random key (no order), so no answer can be traced
    back to who gave it. Rows are written only from the pool (EqualityPending), in shuffled batches
    of many people's answers, never as someone answers (services.equality_pool_flush)."""

    class AgeBand(models.TextChoices):
        UNDER_18 = "under_18", "Under 18"
        A18_24 = "18_24", "18 to 24"
        A25_34 = "25_34", "25 to 34"
        A35_44 = "35_44", "35 to 44"
        A45_54 = "45_54", "45 to 54"
        A55_64 = "55_64", "55 to 64"
        A65_74 = "65_74", "65 to 74"
        A75 = "75_over", "75 or over"
        PREFER_NOT_ = PREFER_NOT

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        PREFER_NOT_ = PREFER_NOT

    class GenderIdentity(models.TextChoices):
        SAME = "same", "Yes, my gender is the same as the sex I was registered at birth"
        DIFFERENT = "different", "No, my gender is different from the sex I was registered at birth"
        PREFER_NOT_ = PREFER_NOT

    class EthnicGroup(models.TextChoices):  # the ONS 2021 Census categories for England
        ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
        ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
        ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
        ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
        ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
        BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
        BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
        BLACK_OTHER = "black_other", "Black, Black British, Caribbean or African: any other Black background"
        MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or multiple ethnic groups: White and Asian"
        MIXED_WHITE_BLACK_AFRICAN = (
            "mixed_white_black_african",
            "Mixed or multiple ethnic groups: White and Black African",
        )
        MIXED_WHITE_BLACK_CARIBBEAN = (
            "mixed_white_black_caribbean",
            "Mixed or multiple ethnic groups: White and Black Caribbean",
        )
        MIXED_OTHER = "mixed_other", "Mixed or multiple ethnic groups: any other Mixed background"
        WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
        WHITE_IRISH = "white_irish", "White: Irish"
        WHITE_GYPSY = "white_gypsy", "White: Gypsy or Irish Traveller"
        WHITE_ROMA = "white_roma", "White: Roma"
        WHITE_OTHER = "white_other", "White: any other White background"
        ARAB = "arab", "Other ethnic group: Arab"
        OTHER = "other", "Other ethnic group: any other ethnic group"
        PREFER_NOT_ = PREFER_NOT

    class Religion(models.TextChoices):
        NONE = "none", "No religion"
        BUDDHIST = "buddhist", "Buddhist"
        CHRISTIAN = "christian", "Christian"
        HINDU = "hindu", "Hindu"
        JEWISH = "jewish", "Jewish"
        MUSLIM = "muslim", "Muslim"
        SIKH = "sikh", "Sikh"
        OTHER = "other", "Any other religion"
        PREFER_NOT_ = PREFER_NOT

    class SexualOrientation(models.TextChoices):
        STRAIGHT = "straight", "Straight or heterosexual"
        GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
        BISEXUAL = "bisexual", "Bisexual"
        OTHER = "other", "Another sexual orientation"
        PREFER_NOT_ = PREFER_NOT

    class YesNo(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        PREFER_NOT_ = PREFER_NOT

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="equality_answers")
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    gender_identity = models.CharField(max_length=10, choices=GenderIdentity.choices, blank=True)
    ethnic_group = models.CharField(max_length=30, choices=EthnicGroup.choices, blank=True)
    religion = models.CharField(max_length=10, choices=Religion.choices, blank=True)
    sexual_orientation = models.CharField(max_length=12, choices=SexualOrientation.choices, blank=True)
    disability = models.CharField(
        "Disability",
        max_length=10,
        choices=YesNo.choices,
        blank=True,
        help_text="A physical or mental health condition or illness lasting or expected to last 12 months or more "
        "that reduces your ability to carry out day-to-day activities.",
    )
    caring = models.CharField(
        "Caring responsibilities",
        max_length=10,
        choices=YesNo.choices,
        blank=True,
        help_text="Looking after, or giving help or support to, anyone because of their long-term condition, "
        "illness, disability or old age.",
    )

    def __str__(self) -> str:
        return "Equality answers"  # never shown per person

    # Each answer's question, as people are asked it (the web survey's equality step, and its errors).
    QUESTIONS = {
        "age_band": "What is your age?",
        "sex": "What is your sex?",
        "gender_identity": "Is the gender you identify with the same as the sex you were registered at birth?",
        "ethnic_group": "What is your ethnic group?",
        "religion": "What is your religion?",
        "sexual_orientation": "Which of the following best describes your sexual orientation?",
        "disability": "Do you have a disability?",
        "caring": "Do you look after, or give help or support to, anyone because of their health or age?",
    }
    FIELDS = tuple(QUESTIONS)


class EqualityPending(models.Model):
    """Equality answers waiting in the pool, sealed (encrypted with a key made from the site's
    secret key), so a reader of the database alone cannot see them while the time they were written
    still says whose they might be. Nothing links a row to a response: it is written in a
    transaction of its own, after the response's, with a random key and no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="equality_pending")
    sealed = models.TextField()

    def __str__(self) -> str:
        return "Equality answers (waiting)"


class EqualityReceiptUsed(models.Model):
    """A receipt that has been used for equality answers, so it cannot be used twice: the hash of
    its random nonce (never stored with the response), and the day it was used, kept two days."""

    digest = models.CharField(max_length=64, primary_key=True)
    used_on = models.DateField()

    def __str__(self) -> str:
        return "Used receipt"


class EqualityTables(models.Model):
    """A survey's equality figures, made once after it closed and never again, so no two views of
    them can differ by one person. `tables`: for each question, [label, count or null] pairs
    including "Not answered", with small counts hidden (suppression.suppress_counts)."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, primary_key=True, related_name="equality_tables")
    answered = models.PositiveIntegerField(help_text="How many people gave equality answers.")
    tables = models.JSONField()
    made_on = models.DateField()

    class Meta:
        verbose_name_plural = "equality tables"

    def __str__(self) -> str:
        return f"Equality tables for survey {self.survey_id}"
