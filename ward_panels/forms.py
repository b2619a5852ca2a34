"""Admin forms that offer officers only the wards, boroughs, panels and priorities in their area."""

from django import forms
from django.utils.formats import date_format
from wagtail.admin.forms import WagtailAdminModelForm

from priorities.models import Priority
from priorities.selectors import officer_boroughs, officer_wards


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
        if "informed_priority" in self.fields:
            field = self.fields["informed_priority"]
            field.queryset = field.queryset.select_related("ward_page").order_by(
                "ward_page__title", "-agreed_on", "title"
            )
            field.label_from_instance = priority_label

    def _narrow_to_area(self, user) -> None:
        from .models import WardPanel  # models name this form

        wards = officer_wards(user)
        choices = {
            "ward": wards,
            "borough": officer_boroughs(user),
            "panel": WardPanel.objects.filter(ward__in=wards),
            "informed_priority": Priority.objects.filter(ward_page__ward__in=wards),
        }
        for name, queryset in choices.items():
            if name in self.fields:
                self.fields[name].queryset = queryset


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
