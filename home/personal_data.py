"""The admin's "Personal data" page: everything held about one email address, across newsletters,
ward panels and residents' proposals of natural neighbourhoods, with a copy to download for its
owner and erasure on request. For administrators only.

Each copy and each erasure is recorded in Wagtail's log against the administrator who made it (the
records themselves may be gone), naming the address only by its SHA-256, so the log never holds
the address. Addresses travel in POST bodies, not URLs, so they stay out of access logs.
"""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.log_actions import log

from newsletters.selectors import subscriber_export
from newsletters.services import subscriber_erase
from priorities.selectors import neighbourhood_proposals_export
from priorities.services import neighbourhood_proposals_erase
from ward_panels.selectors import member_export
from ward_panels.services import members_erase

from .forms import AddressForm

EXPORT_ACTION = "home.personal_data_export"
ERASE_ACTION = "home.personal_data_erase"


def _administrators_only(request) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied


def _held(email: str) -> dict:
    return {
        **subscriber_export(email=email),
        **member_export(email=email),
        **neighbourhood_proposals_export(email=email),
    }


def _is_empty(held: dict) -> bool:
    return not any(held.values())


def _address_hash(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


def _log(request, action: str, email: str, held: dict) -> None:
    address_hash = _address_hash(email)
    # The user itself, not request.user: Wagtail finds no log model for a (doubly) lazy object.
    administrator = get_user_model()._default_manager.get(pk=request.user.pk)
    log(
        instance=administrator,
        action=action,
        user=administrator,
        title=f"Personal data of address {address_hash[:12]}",
        data={
            "address_sha256": address_hash,
            "newsletter_subscriber": held["newsletter_subscriber"] is not None,
            "panel_memberships": len(held["panel_memberships"]),
            "open_survey_responses": len(held["open_survey_responses"]),
            "neighbourhood_proposals": len(held["neighbourhood_proposals"]),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def index(request):
    """Type an address, see what is held about it."""
    _administrators_only(request)
    form = AddressForm(request.POST or None)
    held = _held(form.cleaned_data["email"]) if request.method == "POST" and form.is_valid() else None
    return TemplateResponse(
        request,
        "home/admin/personal_data.html",
        {"form": form, "held": held, "nothing_held": held is not None and _is_empty(held)},
    )


@require_POST
def export(request):
    """Everything held about the address, as a JSON file for its owner."""
    _administrators_only(request)
    form = AddressForm(request.POST)
    if not form.is_valid():
        return redirect("home_personal_data:index")
    email = form.cleaned_data["email"]
    held = _held(email)
    _log(request, EXPORT_ACTION, email, held)
    body = {"email": email, "controller": settings.SN_DATA_CONTROLLER, "exported_at": timezone.now(), **held}
    response = HttpResponse(json.dumps(body, cls=DjangoJSONEncoder, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{_address_hash(email)[:12]}.json"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def erase(request):
    """Shows what will go and asks to confirm; only a POST that confirms erases."""
    _administrators_only(request)
    form = AddressForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return redirect("home_personal_data:index")
    email = form.cleaned_data["email"]
    held = _held(email)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        with transaction.atomic():
            subscriber_erase(email=email)
            members_erase(email=email)
            neighbourhood_proposals_erase(email=email)
            _log(request, ERASE_ACTION, email, held)
        messages.success(request, "Everything held about that address has been erased.")
        return redirect("home_personal_data:index")
    return TemplateResponse(
        request,
        "home/admin/personal_data_erase.html",
        {"email": email, "held": held, "nothing_held": _is_empty(held)},
    )
