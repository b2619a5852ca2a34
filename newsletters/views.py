"""Public newsletter pages: subscribe, confirm, preferences, one-click unsubscribe, and the
delivery events endpoint for bounces and complaints."""

import hmac
import json

from django import forms
from django.conf import settings
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from priorities.models import Borough, Ward
from sn_site.api import AnonymousRateLimit
from sn_site.security import same_site_only

from .services import (
    delivery_events_record,
    preferences_update,
    subscriber_for_preferences,
    subscription_confirm,
    subscription_request,
    unsubscribe_one_click,
)


class SignupLimit(AnonymousRateLimit):
    """Sign-ups per client address (SN_NEWSLETTER_SIGNUP_RATE)."""

    scope = "newsletter_signup"


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        }
    )
    ward = forms.ModelMultipleChoiceField(Ward.objects.filter(page__live=True), required=False, to_field_name="code")
    borough = forms.ModelMultipleChoiceField(
        Borough.objects.filter(page__live=True), required=False, to_field_name="code"
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("ward") and not cleaned.get("borough") and not self.errors:
            raise forms.ValidationError("Choose at least one newsletter.")
        return cleaned


@csrf_exempt
@same_site_only
@require_POST
def subscribe(request):
    """The same answer whether the address was known or not: nothing here says who subscribes.

    No CSRF token: the form is on every ward and borough page, and a token would set a cookie on
    each of them (no cookies unless asked, and none in the page cache). Cross-site posts are
    refused by what the browser says of the request's origin instead (sn_site.security). Even a
    forged request could do no more than the form itself: ask for a confirmation email, which
    changes nothing until its link is opened, and is rate limited per client."""
    if not SignupLimit().allow_request(request, None):
        return TemplateResponse(request, "newsletters/too_many.html", {}, status=429)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(request, "newsletters/subscribe_problem.html", {"form": form}, status=400)
    subscription_request(
        email=form.cleaned_data["email"],
        wards=list(form.cleaned_data["ward"]),
        boroughs=list(form.cleaned_data["borough"]),
    )
    return TemplateResponse(request, "newsletters/check_email.html", {})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    """The emailed link shows a button; only pressing it confirms, since mail software opens links itself."""
    if request.method != "POST":  # GET and HEAD only ever show the page
        return TemplateResponse(request, "newsletters/confirm.html", {})
    subscriber = subscription_confirm(token=token)
    if subscriber is None:
        return TemplateResponse(request, "newsletters/link_invalid.html", {}, status=400)
    return TemplateResponse(request, "newsletters/confirmed.html", {"subscriber": subscriber})


@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token: str):
    subscriber = subscriber_for_preferences(token)
    if subscriber is None:
        return TemplateResponse(request, "newsletters/link_invalid.html", {}, status=404)
    done = False
    if request.method == "POST":
        keep = (
            []
            if "unsubscribe_all" in request.POST
            else [int(pk) for pk in request.POST.getlist("keep") if pk.isdigit()]
        )
        preferences_update(subscriber=subscriber, keep=keep)
        done = True
    subscriptions = subscriber.subscriptions.select_related("ward", "borough").order_by("pk")
    return TemplateResponse(
        request, "newsletters/preferences.html", {"subscriptions": subscriptions, "done": done, "token": token}
    )


@csrf_exempt  # RFC 8058: mail providers POST here from the email's List-Unsubscribe header, with no form
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """GET never unsubscribes (mail software fetches links by itself): it shows a button. POST does."""
    if request.method != "POST":  # GET and HEAD only ever show the page
        return TemplateResponse(request, "newsletters/unsubscribe.html", {})
    subscriber = unsubscribe_one_click(token=token)
    if subscriber is None:
        return TemplateResponse(request, "newsletters/link_invalid.html", {}, status=400)
    return TemplateResponse(request, "newsletters/unsubscribed.html", {})


@csrf_exempt  # called by the email service, authenticated by the shared secret
@require_POST
def delivery_events(request):
    """Bounces and complaints from the email service, in Anymail's normalised shape: a JSON list of
    {"event_type": "bounced" | "complained" | ..., "recipient": "..."} (or one such object). Needs
    the header `Authorization: Bearer <SN_NEWSLETTER_WEBHOOK_SECRET>`."""
    secret = settings.SN_NEWSLETTER_WEBHOOK_SECRET
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"code": "not_authenticated", "message": "A valid secret is needed."}, status=401)
    try:
        events = json.loads(request.body or b"null")
    except ValueError:
        return JsonResponse({"code": "invalid", "message": "The body must be JSON."}, status=400)
    if isinstance(events, dict):
        events = [events]
    if not isinstance(events, list) or not all(isinstance(event, dict) for event in events):
        return JsonResponse({"code": "invalid", "message": "Send a list of event objects."}, status=400)
    suppressed = delivery_events_record(events)
    return JsonResponse({"received": len(events), "suppressed": suppressed})
