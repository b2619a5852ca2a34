"""The public newsletter forms: signing up from a ward or borough page, and choosing which
newsletters to keep."""

from django import forms

from geography.models import Borough, Ward
from sn_site.forms import email_field

from .models import Subscriber, Subscription

NEWSLETTERS_LISTED = "Choose from the newsletters listed"


class SubscribeForm(forms.Form):
    email = email_field()
    ward = forms.ModelMultipleChoiceField(
        Ward.objects.filter(page__live=True),
        required=False,
        to_field_name="code",
        error_messages={"invalid_choice": NEWSLETTERS_LISTED, "invalid_pk_value": NEWSLETTERS_LISTED},
    )
    borough = forms.ModelMultipleChoiceField(
        Borough.objects.filter(page__live=True),
        required=False,
        to_field_name="code",
        error_messages={"invalid_choice": NEWSLETTERS_LISTED, "invalid_pk_value": NEWSLETTERS_LISTED},
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("ward") and not cleaned.get("borough") and not {"ward", "borough"} & set(self.errors):
            raise forms.ValidationError("Choose at least one newsletter")
        return cleaned


KEEP_LISTED = "Choose the newsletters to keep from those listed"


class PreferencesForm(forms.Form):
    keep = forms.ModelMultipleChoiceField(
        Subscription.objects.none(),
        required=False,
        error_messages={"invalid_choice": KEEP_LISTED, "invalid_pk_value": KEEP_LISTED},
    )

    def __init__(self, *args, subscriber: Subscriber, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = subscriber.subscriptions.all()
