"""Public newsletter pages: subscribe, confirm, preferences, one-click unsubscribe, and the
delivery events endpoint for bounces and complaints."""

import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from geography.models import Borough, Ward
from priorities.models import NeighbourhoodPage
from sn_site.security import same_site_only
from sn_site.views import confirm_page, link_does_not_work, too_many_tries

from . import tasks
from .forms import PreferencesForm, SubscribeForm, could_be_page_id
from .selectors import subscriber_for_confirm_token, subscriber_for_preferences, unsubscribe_target
from .services import delivery_events_record, preferences_update, subscription_confirm, unsubscribe_one_click
from .throttles import SignupLimit
from .tokens import preferences_token

NEWSLETTERS = "Newsletters"  # the breadcrumb of every page here


def _link_does_not_work(request, status: int = 400):
    return link_does_not_work(
        request,
        "It may be old or incomplete. Subscribe again from your ward team's page, "
        "or use the link in your latest newsletter.",
        breadcrumb=NEWSLETTERS,
        status=status,
    )


@dataclass(frozen=True)
class SignupAgain:
    """The sign-up form as it was sent, with what was wrong, to show it again."""

    email: str
    postcode: str
    chosen: list[str]  # the codes of the wards and boroughs ticked, and the ids of natural neighbourhoods
    errors: list[tuple[str, str]]  # the error summary: (id of the field, message)
    email_error: str
    postcode_error: str
    newsletters_error: str


def _signup_again(request, form: SubscribeForm) -> TemplateResponse:
    """The form again, on a page of its own, for the ward, borough or natural neighbourhood whose
    page it was sent from."""
    chosen = [value for name in SubscribeForm.NEWSLETTERS for value in form.data.getlist(name)]
    # The hidden `area`; from a page cached before the form had one, the first newsletter ticked.
    code = form.data.get("area") or next(iter(chosen), "")
    ward = Ward.objects.filter(code=code, page__live=True).select_related("borough", "page").first()
    borough = None if ward else Borough.objects.filter(code=code, page__live=True).select_related("page").first()
    neighbourhood = (
        NeighbourhoodPage.objects.live().filter(pk=code).first()
        if not ward and not borough and could_be_page_id(code)
        else None
    )
    newsletters_error = next(
        iter([*form.non_field_errors(), *(error for name in SubscribeForm.NEWSLETTERS for error in form[name].errors)]),
        "",
    )
    email_error = next(iter(form["email"].errors), "")
    postcode_error = next(iter(form["postcode"].errors), "")
    errors = [("subscribe-email", email_error)] if email_error else []
    if newsletters_error:
        first_box = "subscribe-ward" if ward else "subscribe-neighbourhood" if neighbourhood else "subscribe-borough"
        errors.append((first_box, newsletters_error))
    if postcode_error:
        errors.append(("subscribe-postcode", postcode_error))
    signup = SignupAgain(
        email=form.data.get("email", ""),
        postcode=form.data.get("postcode", ""),
        chosen=chosen,
        errors=errors,
        email_error=email_error,
        postcode_error=postcode_error,
        newsletters_error=newsletters_error,
    )
    area_page = ward.page if ward else borough.page if borough else neighbourhood
    context = {
        "signup": signup,
        "ward": ward,
        "borough": borough,
        "neighbourhood": neighbourhood,
        "area_page": area_page,
    }
    return TemplateResponse(request, "newsletters/subscribe.html", context, status=400)


@csrf_exempt
@same_site_only
@require_POST
def subscribe(request):
    """The same answer whether the address was known or not: nothing here says who subscribes.
    Something wrong shows the form again, as it was sent, with what to put right.

    No CSRF token: the form is on every ward, borough and natural neighbourhood page, and a token would set a cookie on
    each of them (no cookies unless asked, and none in the page cache). Cross-site posts are
    refused by what the browser says of the request's origin instead (sn_site.security). Even a
    forged request could do no more than the form itself: ask for a confirmation email, which
    changes nothing until its link is opened, and is rate limited per client."""
    limit = SignupLimit()
    if not limit.allow_request(request, None):
        return too_many_tries(request, "Please {when}.", retry_after=limit.wait())
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _signup_again(request, form)
    # Queued: the page takes the same time whether the address already subscribes or not.
    tasks.subscription_request.delay(
        email=form.cleaned_data["email"],
        ward_codes=[ward.pk for ward in form.cleaned_data["ward"]],
        borough_codes=[borough.pk for borough in form.cleaned_data["borough"]],
        neighbourhood_ids=[page.pk for page in form.cleaned_data["neighbourhood"]],
        postcode=form.cleaned_data["postcode"],
    )
    return TemplateResponse(request, "newsletters/check_email.html", {})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    """The emailed link shows a button; only pressing it confirms, since mail software opens links itself."""
    # GET and HEAD only ever show the page (with its button), or say that the link does not work.
    subscriber = subscription_confirm(token=token) if request.method == "POST" else subscriber_for_confirm_token(token)
    if subscriber is None:
        return _link_does_not_work(request)
    if request.method != "POST":
        return confirm_page(
            request, title="Confirm your subscription", button="Yes, send me the newsletter", breadcrumb=NEWSLETTERS
        )
    return TemplateResponse(request, "newsletters/confirmed.html", {"subscriber": subscriber})


@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token: str):
    subscriber = subscriber_for_preferences(token)
    if subscriber is None:
        return _link_does_not_work(request, status=404)
    form = PreferencesForm(request.POST if request.method == "POST" else None, subscriber=subscriber)
    done = errors = False
    if request.method == "POST":
        if "unsubscribe_all" in request.POST:
            preferences_update(subscriber=subscriber, keep=[])
            done = True
        elif form.is_valid():
            preferences_update(
                subscriber=subscriber,
                keep=[subscription.pk for subscription in form.cleaned_data["keep"]],
                # A form without the field (a page from before it had one) leaves the postcode be.
                postcode=form.cleaned_data["postcode"] if "postcode" in request.POST else None,
            )
            done = True
        else:
            errors = True
    subscriptions = list(subscriber.subscriptions.select_related("ward", "borough", "neighbourhood").order_by("pk"))
    keep_errors = [(f"keep-{subscriptions[0].pk}" if subscriptions else "", m) for m in form["keep"].errors]
    context = {
        "subscriptions": subscriptions,
        "done": done,
        "token": token,
        # Ticked: every newsletter, or what was sent if it comes back.
        "kept": form.data.getlist("keep") if errors else [str(subscription.pk) for subscription in subscriptions],
        "postcode": form.data.get("postcode", "") if errors else subscriber.postcode,
        "keep_errors": keep_errors,
        "postcode_errors": [("preferences-postcode", m) for m in form["postcode"].errors],
        "errors": [*keep_errors, *[("preferences-postcode", m) for m in form["postcode"].errors]],
    }
    return TemplateResponse(request, "newsletters/preferences.html", context, status=400 if errors else 200)


@csrf_exempt  # RFC 8058: mail providers POST here from the email's List-Unsubscribe header, with no form
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """GET never unsubscribes (mail software fetches links by itself): it shows a button. POST does."""
    target = unsubscribe_one_click(token=token) if request.method == "POST" else unsubscribe_target(token)
    if target is None:
        return _link_does_not_work(request)
    preferences_url = reverse("newsletters:preferences", args=[preferences_token(target.subscriber.pk)])
    if request.method != "POST" and target.subscription is not None:  # GET and HEAD only show the button
        return confirm_page(
            request,
            title="Unsubscribe",
            heading=f"Unsubscribe from {target.subscription.newsletter_name}?",
            button="Unsubscribe",
            afterword=format_html('Or <a href="{}">change which newsletters you get</a>.', preferences_url),
            breadcrumb=NEWSLETTERS,
            csrf_token=False,
        )
    context = {
        "subscription": target.subscription,
        "still_getting": target.subscriber.subscriptions.select_related("ward", "borough", "neighbourhood").order_by(
            "pk"
        ),
        "preferences_url": preferences_url,
    }
    return TemplateResponse(request, "newsletters/unsubscribed.html", context)


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
