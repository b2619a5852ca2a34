"""The sections of the officers' "Update my ward" (admin_views.ward_update), one form on the page
saved together. They take UK dates and times as people type them; the models' own rules (review
dates, outcomes, "we did" dates, finish times, meetings not in the past) are checked by the service,
whose messages the view puts back on these fields. The two "add" sections are optional: left empty,
they are not checked (the view builds them with empty_permitted). And the public form on which
residents propose a natural neighbourhood."""

import datetime
import secrets

from django import forms
from django.utils import timezone
from wagtail.admin.forms.choosers import BaseFilterForm

from geography.forms import PostcodeField
from sn_site.forms import email_field

from .models import (
    PROPOSAL_TEXT_MAX_LENGTH,
    WE_DID_MAX_LENGTH,
    BoroughPage,
    EventBase,
    NeighbourhoodProposal,
    Priority,
    PriorityCategory,
    PriorityUpdate,
    pages_public,
)

UK_DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d %m %Y", "%Y-%m-%d"]
TIME_FORMATS = ["%H:%M", "%H.%M", "%I:%M%p", "%I.%M%p", "%I%p"]


def uk_date(label: str, help_text: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        input_formats=UK_DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid": f"Enter the {label.lower()} as day/month/year, such as 27/03/2027."},
        **kwargs,
    )


def clock(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        help_text="Such as 18:30 or 6:30pm.",
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(format="%H:%M", attrs={"autocomplete": "off"}),
        error_messages={"required": f"Enter the {label.lower()}.", "invalid": f"Enter the {label.lower()} as 18:30."},
    )


class PriorityProgressForm(forms.Form):
    """One active priority after a meeting: what the team did, and whether it goes on."""

    we_did = forms.CharField(
        label="We did",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=PriorityUpdate._meta.get_field("we_did").validators,
        help_text=(
            "Optional. What the team did since the last meeting, plainly: 'Speed checks on three mornings'. "
            f"Up to {WE_DID_MAX_LENGTH:,} characters."
        ),
    )
    date = uk_date(
        "Date of the update",
        "When the team did it, such as 27/03/2027: today or before. Empty for today.",
        required=False,
    )
    status = forms.ChoiceField(
        label="Status",
        choices=Priority.Status.choices,
        help_text="Resolved or closed retires the priority: it moves to the ward's past priorities.",
    )
    outcome = forms.CharField(
        label="Outcome",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="When you resolve or close it: what changed, or why it was closed. Residents will read this.",
    )
    review_by = uk_date("Review date", "When the ward panel will look at it again, such as 27/03/2027.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("we_did", "").strip() and not cleaned.get("date"):
            cleaned["date"] = timezone.localdate()
        return cleaned


class PriorityAddForm(forms.Form):
    """A new priority agreed with the ward panel."""

    title = forms.CharField(
        label="Title",
        max_length=120,
        help_text="A short name residents will recognise, such as 'Speeding on Rye Lane'.",
    )
    category = forms.ModelChoiceField(
        label="Kind of problem",
        queryset=PriorityCategory.objects.all(),
        help_text="Ask an administrator if none fits.",
        error_messages={"required": "Choose the kind of problem."},
    )
    you_said = forms.CharField(
        label="You said",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What residents told you, in their words where you can: where, when and how it affects them.",
    )
    agreed_on = uk_date("Date agreed", "When the ward panel agreed it, such as 27/03/2027.")
    review_by = uk_date("Review date", "3 to 12 months after it was agreed. Leave empty for 3 months.", required=False)

    field_order = ["title", "category", "you_said", "agreed_on", "review_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "you_said", "agreed_on"):
            self.fields[name].error_messages["required"] = f"Enter the {self.fields[name].label.lower()}."


class EventAddForm(forms.Form):
    """A meeting, such as the next ward panel meeting."""

    kind = forms.ChoiceField(label="Kind of meeting", choices=EventBase.Kind.choices, initial=EventBase.Kind.WARD_PANEL)
    title = forms.CharField(label="Title", max_length=120, help_text="Such as 'Rye Lane ward panel meeting'.")
    day = uk_date("Date", "Such as 27/03/2027.")
    starts = clock("Start time")
    ends = clock("Finish time")
    place = forms.CharField(
        label="Place",
        max_length=200,
        help_text="Where, with a postcode: 'Peckham Library, 122 Peckham Hill St, SE15 5JR'.",
    )
    accessibility = forms.CharField(
        label="Access",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional. Step-free access, hearing loop, BSL interpreter on request, who to ask.",
    )

    # The Event's fields that these stand for, so that its own rules' messages land on them.
    ALIASES = {"starts_at": "starts", "ends_at": "ends"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "day", "place"):
            self.fields[name].error_messages["required"] = f"Enter the {self.fields[name].label.lower()}."

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        day = self.cleaned_data["day"]
        return (
            timezone.make_aware(datetime.datetime.combine(day, self.cleaned_data["starts"])),
            timezone.make_aware(datetime.datetime.combine(day, self.cleaned_data["ends"])),
        )


class CategorySearchForm(BaseFilterForm):
    """The category chooser's search box: any part of a name ("drug" finds "Drug dealing and drug
    use"), straight from the table, so categories need no search index."""

    q = forms.CharField(
        label="Search by name", required=False, widget=forms.TextInput(attrs={"placeholder": "Search by name"})
    )

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(name__icontains=query)
            self.is_searching, self.search_query = True, query
        return objects


class NeighbourhoodProposalForm(forms.Form):
    """A resident proposes a natural neighbourhood to a borough's officers. `website` is a trap for
    robots, hidden from people (and from screen readers): a form that fills it is thanked, and
    dropped. `submission` is the form's own token, so that sending it twice makes one proposal."""

    borough_page = forms.ModelChoiceField(
        label="Borough",
        queryset=pages_public(BoroughPage.objects.all()).order_by("title"),
        empty_label="Choose a borough",
        help_text="The London borough it is in (most of it, if it crosses into another). Its officers will read it.",
        error_messages={
            "required": "Choose the borough it is in",
            "invalid_choice": "Choose the borough it is in from the list",
        },
    )
    name = forms.CharField(
        label="What do you call where you live?",
        max_length=NeighbourhoodProposal._meta.get_field("name").max_length,
        help_text="The name people there use, such as ‘Bellenden’ or ‘the Crystal Palace Triangle’.",
        error_messages={
            "required": "Enter what you call where you live",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    covers = forms.CharField(
        label="Which streets, estate or places does it cover?",
        max_length=PROPOSAL_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Such as ‘Bellenden Road, Choumert Grove and the streets between them, up to the park’.",
        error_messages={
            "required": "Enter the streets, estate or places it covers",
            "max_length": f"What it covers must be {PROPOSAL_TEXT_MAX_LENGTH:,} characters or fewer",
        },
    )
    why = forms.CharField(
        label="Why is it one place?",
        max_length=PROPOSAL_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What people there share: the shops, the school, the park, the same worries.",
        error_messages={
            "required": "Enter why it is one place",
            "max_length": f"Why it is one place must be {PROPOSAL_TEXT_MAX_LENGTH:,} characters or fewer",
        },
    )
    postcode = PostcodeField(
        label="Your postcode (optional)",
        help_text="A postcode in it, such as SE15 5DB: it helps the officers find it on the map.",
    )
    email = email_field(
        label="Your email address (optional)",
        required=False,
        help_text="Only if you would like a reply: the officers use it to write to you about this, and nothing else.",
    )
    website = forms.CharField(label="Leave this empty", required=False)
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission"].initial = secrets.token_urlsafe(24)

    def clean_submission(self) -> str:
        # A form sent without its token (not from this page) is still one proposal.
        return self.cleaned_data["submission"] or secrets.token_urlsafe(24)

    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
