"""Pages any app shows in its own words: "too many tries", "this link does not work" and "confirm".
The app passes the wording (and its own breadcrumb); the page and its markup are one, under
templates/pages/."""

import math

from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse

TRY_AGAIN_LATER = "Please {when}. Nothing you sent just now was saved."


def too_many_tries(
    request, advice: str = TRY_AGAIN_LATER, *, retry_after: float | None, template: str = "pages/too_many_tries.html"
) -> TemplateResponse:
    """429 "Too many tries from your connection", then `advice`: when to try again and what else to
    do. Its "{when}" is filled in from `retry_after`, the seconds left in the limit's window (its
    wait()): "try again in 12 minutes", and the Retry-After header says the same in seconds; or
    "wait a while and try again" if the limit cannot say. `template` for a page of another look
    (the admin's), which shows `advice` as this one does."""
    advice = advice.format(when=when_to_try_again(retry_after))
    response = TemplateResponse(request, template, {"advice": advice}, status=429)
    if retry_after:
        response["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return response


def when_to_try_again(seconds: float | None) -> str:
    """When to try again, in words: "try again in 12 minutes" (`seconds` in whole minutes, rounded
    up; whole hours beyond two), or "wait a while and try again" if no one knows."""
    if not seconds:
        return "wait a while and try again"
    minutes = math.ceil(seconds / 60)
    if minutes <= 120:
        return f"try again in {minutes} minute{pluralize(minutes)}"
    hours = math.ceil(minutes / 60)
    return f"try again in {hours} hours"


def link_does_not_work(request, advice: str, *, breadcrumb: str, status: int = 400) -> TemplateResponse:
    """An emailed link that is old, incomplete or not real: one page whatever was wrong with it, so
    that it says nothing about whom the link was for. `advice` says how to get a new one."""
    context = {"advice": advice, "breadcrumb": breadcrumb}
    return TemplateResponse(request, "pages/link_does_not_work.html", context, status=status)


def confirm_page(
    request,
    *,
    title: str,
    button: str,
    breadcrumb: str,
    heading: str = "",
    explanation: str = "",
    afterword: str = "",
    csrf_token: bool = True,
) -> TemplateResponse:
    """A button that does what an emailed link is for: the link only shows this page, since mail
    software opens links by itself; pressing the button posts back to the same address. `heading`
    is the title unless given; `explanation` comes before the button and `afterword` after it.
    `csrf_token=False` for a view that takes a post without one (one-click unsubscribe, RFC 8058),
    so that its page sets no cookie."""
    context = {
        "title": title,
        "heading": heading or title,
        "button": button,
        "breadcrumb": breadcrumb,
        "explanation": explanation,
        "afterword": afterword,
        "csrf_token_needed": csrf_token,
    }
    return TemplateResponse(request, "pages/confirm.html", context)
