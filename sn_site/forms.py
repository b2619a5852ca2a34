"""What the public forms share: an email address field whose messages name it, and the list an
error summary shows. Every error on a public form says which field it is about."""

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
