"""The newsletter forms: signing up from a ward's, a borough's or a natural neighbourhood's page,
choosing which newsletters to keep, and the admin's send button."""

from django import forms

from geography.forms import PostcodeField
from geography.models import Borough, Ward
from priorities.models import NeighbourhoodPage
from sn_site.forms import email_field

from .models import Send, Subscriber, Subscription

NEWSLETTERS_LISTED = "Choose from the newsletters listed"
POSTCODE_WHY = "So we can send you news of the natural neighbourhood you live in."


def could_be_page_id(value) -> bool:
    """Whether a value sent is a number the database could hold as a page's id: asking SQLite or
    PostgreSQL for a page by a larger one is an error, not "none"."""
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= 2**31 - 1


class PagesChosen(forms.ModelMultipleChoiceField):
    """Pages chosen by id. An id no page could have is refused as not listed (could_be_page_id)."""

    def _check_values(self, value):
        if not all(could_be_page_id(pk) for pk in value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super()._check_values(value)


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
    neighbourhood = PagesChosen(
        NeighbourhoodPage.objects.live(),
        required=False,
        error_messages={"invalid_choice": NEWSLETTERS_LISTED, "invalid_pk_value": NEWSLETTERS_LISTED},
    )
    postcode = PostcodeField()

    NEWSLETTERS = ("ward", "borough", "neighbourhood")

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in self.NEWSLETTERS) and not set(self.NEWSLETTERS) & set(self.errors):
            raise forms.ValidationError("Choose at least one newsletter")
        return cleaned


KEEP_LISTED = "Choose the newsletters to keep from those listed"


class PreferencesForm(forms.Form):
    keep = forms.ModelMultipleChoiceField(
        Subscription.objects.none(),
        required=False,
        error_messages={"invalid_choice": KEEP_LISTED, "invalid_pk_value": KEEP_LISTED},
    )
    postcode = PostcodeField()

    def __init__(self, *args, subscriber: Subscriber, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = subscriber.subscriptions.all()


OUT_OF_DATE = "This page was out of date: check what it says now and send again."


class SendForm(forms.Form):
    """The send button's form: whom it sends to (the button's value), and how many sends of the
    issue the page showed, so that a second click (or a colleague's send meanwhile) starts nothing."""

    sends_seen = forms.IntegerField(min_value=0, widget=forms.HiddenInput, error_messages={"required": OUT_OF_DATE})
    audience = forms.ChoiceField(
        choices=[(Send.Audience.EVERYONE, "everyone"), (Send.Audience.NEW_SUBSCRIBERS, "new subscribers")],
        error_messages={"required": OUT_OF_DATE, "invalid_choice": OUT_OF_DATE},
    )
