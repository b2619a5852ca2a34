"""What the public forms share: an email address field whose messages name it, and the list an
error summary shows (every error on a public form says which field it is about); and the admin's
two-factor code forms."""

from django import forms

EMAIL_REQUIRED = "Enter your email address"
EMAIL_INVALID = "Enter an email address like name@example.com"
EMAIL_TOO_LONG = "Your email address must be 254 characters or fewer"


def email_field(**kwargs) -> forms.EmailField:
    """The person's own email address, no longer than the columns that keep one; the browser may
    fill it in (WCAG 1.3.5)."""
    return forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": EMAIL_REQUIRED, "invalid": EMAIL_INVALID, "max_length": EMAIL_TOO_LONG},
        **kwargs,
    )


def error_summary(form: forms.Form) -> list[tuple[str, str]]:
    """(id of the field to go to, message) for each of a form's errors, in the form's order: what
    includes/error_summary.html lists."""
    return [(field.id_for_label, error) for field in form for error in field.errors]


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": "Enter the code from your authenticator app."},
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "").strip()


class AppCodeForm(CodeForm):
    """Setting up: only the new app's code will do (backup codes come after)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = "The 6-digit code your authenticator app shows."
