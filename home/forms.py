"""The forms of the site's own pages."""

from django import forms


class AddressForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The address the person used with us. Everything held about it, in any ward, is shown.",
        error_messages={
            "required": "Enter an email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
