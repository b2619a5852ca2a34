"""Forms: the admin's, which offer officers only the wards, boroughs, natural neighbourhoods, panels
and priorities in their area and build a survey's questions; a member's postcode; and joining a
ward panel."""

from django import forms
from django.utils.formats import date_format
from wagtail.admin.forms import WagtailAdminModelForm

from geography.forms import PostcodeField
from priorities.models import NeighbourhoodPage, Priority
from priorities.selectors import officer_boroughs, officer_wards, pages_in_area
from sn_site.forms import email_field

from .models import WardPanel


def priority_label(priority: Priority) -> str:
    """A priority as officers choose it, such as "Rye Lane: Speeding (agreed 1 September 2026)": the
    same titles come back from ward to ward and year to year."""
    status = "" if priority.status == Priority.Status.ACTIVE else f", {priority.get_status_display().lower()}"
    return f"{priority.ward_page.title}: {priority.title} (agreed {date_format(priority.agreed_on, 'j F Y')}{status})"


class AreaForm(WagtailAdminModelForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and not for_user.is_superuser:
            self._narrow_to_area(for_user)
        if "neighbourhood" in self.fields:
            # Published ones only: a neighbourhood's postcodes are worked out when it is published.
            field = self.fields["neighbourhood"]
            field.queryset = field.queryset.live().order_by("title")
        if "informed_priority" in self.fields:
            field = self.fields["informed_priority"]
            field.queryset = field.queryset.select_related("ward_page").order_by(
                "ward_page__title", "-agreed_on", "title"
            )
            field.label_from_instance = priority_label

    def _narrow_to_area(self, user) -> None:
        wards = officer_wards(user)
        choices = {
            "ward": wards,
            "borough": officer_boroughs(user),
            "neighbourhood": pages_in_area(NeighbourhoodPage.objects.all(), user),
            "panel": WardPanel.objects.filter(ward__in=wards),
            "informed_priority": Priority.objects.filter(ward_page__ward__in=wards),
        }
        for name, queryset in choices.items():
            if name in self.fields:
                self.fields[name].queryset = queryset


class PanelMemberForm(AreaForm):
    """A member in the admin: offered only the panels of the officer's wards, with their postcode
    checked as the join form checks it."""

    class Meta:
        field_classes = {"postcode": PostcodeField}


class OptionsTextarea(forms.Textarea):
    """A question's options, one per line. A box left out of the post (the admin's script disables
    it for a kind of question without options) means no options, not "keep the old ones"."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 5, **(attrs or {})})

    def value_omitted_from_data(self, data, files, name):
        return False


class OptionsField(forms.JSONField):
    """A list of options, stored as JSON, typed one per line: each line trimmed, blank lines left out.
    Whether there are enough, too many or the same one twice is the question's to say (Question.clean),
    so the admin and everything else meet the same rules."""

    widget = OptionsTextarea

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def bound_data(self, data, initial):
        return data

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def has_changed(self, initial, data):
        return self.to_python(initial or []) != self.to_python(data)


class QuestionForm(WagtailAdminModelForm):
    """A survey's question in the admin. Each setting that fits only some kinds of question
    (Question.SETTINGS_FOR_KINDS) says which in its help text, and carries them for the admin's
    script (sn_site/static/js/shown_for.js), which shows it only for those. Whatever a setting that
    does not fit holds is ignored and its default kept; options typed for a kind that has none are
    refused (Question.clean), since they are someone's words."""

    class Meta:
        field_classes = {"choices": OptionsField}

    class Media:
        js = ["js/shown_for.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        for name, kinds in model.SETTINGS_FOR_KINDS.items():
            if name not in self.fields:
                continue
            setting = self.fields[name]
            setting.widget.attrs.update({"data-shown-by": "kind", "data-shown-for": " ".join(kinds)})
            setting.help_text = f"For {model.kinds_label(name)} questions only. {setting.help_text}".strip()
            if name != "choices":
                setting.required = False  # checked in clean(), for the kinds it fits

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")  # none: the kind's own error says to choose one
        model = self._meta.model
        for name, kinds in model.SETTINGS_FOR_KINDS.items():
            if name == "choices" or name not in self.fields:
                continue
            if kind not in kinds:
                self.errors.pop(name, None)
                cleaned[name] = model._meta.get_field(name).get_default()
            elif cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, f"Enter the {model._meta.get_field(name).verbose_name}, as a whole number.")
        return cleaned


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A spreadsheet saved as CSV (UTF-8), with the columns described below in its first row.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2_000_000:
            raise forms.ValidationError("That file is too big: the limit is 2 MB.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("Save the file as CSV (UTF-8) and try again.") from None


class JoinForm(forms.Form):
    """Asking to join a ward panel. `consent_wording` is what ticking the box agrees to, the words
    the membership records (the models, which name this module's forms, hold them)."""

    name = forms.CharField(
        max_length=100,
        label="Your name",
        error_messages={"required": "Enter your name", "max_length": "Your name must be 100 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = email_field(label="Your email address", help_text="We will send you a link to confirm it.")
    phone = forms.CharField(
        max_length=30,
        required=False,
        label="Your phone number (optional)",
        error_messages={"max_length": "Your phone number must be 30 characters or fewer"},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    postcode = PostcodeField(
        label="Your postcode (optional)",
        help_text="So we can invite you to surveys about the natural neighbourhood you live in, such as your "
        "estate or high street. We use it for nothing else.",
    )
    consent = forms.BooleanField(
        error_messages={"required": "Tick the box to say the team may contact you: it is how the panel works"},
    )

    def __init__(self, *args, consent_wording: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_wording
