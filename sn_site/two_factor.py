"""Two-factor sign-in for the admin (django-otp): an authenticator app's six-digit codes (TOTP),
with one-use backup codes for a lost phone.

Anyone who signs in to the admin can switch it on for themselves (account menu, "Two-factor
authentication"). With SN_TWO_FACTOR_REQUIRED_FOR_ADMINS on (the default in production), an admin
(superuser) cannot use the admin until they have set it up. Once a person has it, every admin
request needs a session that was verified with a code. Codes are throttled by django-otp (each
wrong code doubles the wait), and every change is in the audit log.

Someone who lost their phone and their backup codes asks an administrator, who resets their
two-factor (Settings -> Users, the user's "More" menu): their devices are removed, and they must
set up a new authenticator app when they next sign in.
"""

import io
import math
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_permission_codename, get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log

from .forms import AppCodeForm, CodeForm

BACKUP_CODES = 10
# Admin addresses open to a signed-in person who has not yet given a code: signing in and out, the
# code pages, and what those pages fetch besides static files (Wagtail's translations, and its icons,
# which its script puts into the page whatever comes back). The last two are public and the same for
# everyone, so they tell such a session nothing.
OPEN_PATHS = ("/admin/login/", "/admin/logout/", "/admin/two-factor/", "/admin/jsi18n/", "/admin/sprite/")


# The unconfirmed device an administrator's reset leaves: its owner must confirm it (set up a new
# authenticator app) before they use the admin again.
REPLACEMENT = "Authenticator app (after a reset)"


def required_for(user) -> bool:
    return bool(settings.SN_TWO_FACTOR_REQUIRED_FOR_ADMINS and user.is_superuser) or replacement_due(user)


def replacement_due(user) -> bool:
    """Was their two-factor reset by an administrator, with no new app set up since?"""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=False, name=REPLACEMENT).exists()


def may_reset(by, user) -> bool:
    """Who may reset someone else's two-factor: whoever may change their account (an administrator,
    or a holder of Django's "change user" permission), and only an administrator an administrator's."""
    change_user = f"{user._meta.app_label}.{get_permission_codename('change', user._meta)}"
    if by.pk == user.pk or not (by.is_superuser or by.has_perm(change_user)):
        return False
    return by.is_superuser or not user.is_superuser


class AdminTwoFactorMiddleware:
    """After AuthenticationMiddleware and django-otp's OTPMiddleware: a signed-in person with a
    device must have given a code this session, and an admin who must have one must set it up.
    Under /admin/ they are sent to do so; anywhere else they count as not signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:  # nobody signed in: leave the session be
            return self.get_response(request)
        if path.startswith(OPEN_PATHS) or not request.user.is_authenticated or request.user.is_verified():
            return self.get_response(request)
        has_device = user_has_device(request.user)
        if not has_device and not required_for(request.user):
            return self.get_response(request)
        if path.startswith("/admin/"):
            target = "two_factor_verify" if has_device else "two_factor_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        # Elsewhere (the officers' results API, say) a session that has not given its code is not
        # signed in at all.
        request.user = AnonymousUser()
        return self.get_response(request)


def _devices_for(user, code: str) -> list:
    """The devices a code can be for: six digits come from the authenticator app, anything else is a
    backup code. Each kind counts its own wrong codes, so a right backup code is not also a wrong
    app code (which would make the app's next code wait)."""
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    return list(kind.objects.devices_for_user(user, confirmed=True).select_for_update())


def _too_soon(devices) -> str | None:
    """What to say while django-otp will not check a code yet (each wrong code in a row doubles the
    wait, from one second): any code, even the right one, would be refused unseen."""
    now = timezone.now()
    until = [
        refusal["locked_until"]
        for allowed, refusal in (device.verify_is_allowed() for device in devices)
        if not allowed and refusal and "locked_until" in refusal
    ]
    if not until:
        return None
    seconds = max(1, math.ceil((max(until) - now).total_seconds()))
    return f"Too many wrong codes in a row. Wait {seconds} second{pluralize(seconds)}, then enter the newest code."


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("wagtailadmin_home")


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode().split("?>", 1)[-1]  # without the XML declaration, to sit in HTML


@never_cache
@sensitive_post_parameters("code")
def verify(request):
    """Asks a signed-in person for a code before the admin opens."""
    user = request.user
    if not user.is_authenticated:
        return redirect(f"{reverse('wagtailadmin_login')}?next={reverse('wagtailadmin_home')}")
    if user.is_verified() or not user_has_device(user):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        with transaction.atomic():  # the devices' rows locked: a backup code is used once, even twice at once
            devices = _devices_for(user, code)
            too_soon = _too_soon(devices)
            device = None if too_soon else next((d for d in devices if d.verify_token(code)), None)
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", too_soon or "That code is not right, or has expired. Try the newest code.")
    return TemplateResponse(request, "sn_site/admin/two_factor_verify.html", {"form": form, "next": _next(request)})


@never_cache
@sensitive_post_parameters("code")
def setup(request):
    """Shows a new authenticator secret (as a QR code and as text) and switches two-factor on once a
    code from it is given; then shows the backup codes, once."""
    user = request.user
    if not user.is_authenticated:
        return redirect(reverse("wagtailadmin_login"))
    if user_has_device(user) and not user.is_verified():
        return redirect(reverse("two_factor_verify"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if too_soon := _too_soon([device]):
            form.add_error("code", too_soon)
        elif device.verify_token(form.cleaned_data["code"]):
            codes = _enable(user, device)
            otp_login(request, device)
            return TemplateResponse(
                request, "sn_site/admin/two_factor_backup_codes.html", {"codes": codes, "next": _next(request)}
            )
        else:
            form.add_error("code", "That code is not right. Check the time on your phone is set automatically.")
    context = {
        "form": form,
        "qr": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - an SVG we drew, holding no user text
        "secret": _grouped(device),
        "has_device": user_has_device(user),
        "required": required_for(user),
        "after_reset": replacement_due(user),
        "next": _next(request),
    }
    return TemplateResponse(request, "sn_site/admin/two_factor_setup.html", context)


def _grouped(device: TOTPDevice) -> str:
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def _enable(user, device: TOTPDevice) -> list[str]:
    """Confirm the new authenticator (replacing any old one) and issue fresh backup codes."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.name = "Authenticator app"
    device.save(update_fields=["confirmed", "name"])
    StaticDevice.objects.filter(user=user).delete()
    backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
    account = _account(user)
    log(instance=account, action="sn_site.two_factor_enable", user=account)
    return codes


def _account(user):
    """The User row itself: request.user is a lazy wrapper (twice over, with django-otp's), which
    Wagtail's audit log cannot tell the model of."""
    return get_user_model().objects.get(pk=user.pk)


@never_cache
def disable(request):
    """Switches two-factor off for oneself (not allowed where it is required)."""
    user = request.user
    if not user.is_authenticated or not user.is_verified():
        return redirect(reverse("wagtailadmin_login"))
    if required_for(user):
        messages.error(request, "Two-factor authentication is required for administrators.")
        return redirect(reverse("two_factor_setup"))
    if request.method == "POST":
        two_factor_reset(user=_account(user), by=user)
        messages.success(request, "Two-factor authentication is off.")
        return redirect(reverse("wagtailadmin_home"))
    return TemplateResponse(request, "sn_site/admin/two_factor_disable.html", {})


def two_factor_reset(*, user, by=None) -> int:
    """Remove every device of a user. By themself, that switches two-factor off. By anyone else (an
    administrator who has made sure who is asking: they lost their phone and backup codes), a user
    who had two-factor must set up a new authenticator app at their next sign-in. Returns how many
    devices were removed."""
    by_themself = by is not None and by.pk == user.pk
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        had_two_factor = any(device.confirmed for device in devices)
        for device in devices:
            device.delete()
        if had_two_factor and not by_themself:
            TOTPDevice.objects.create(user=user, name=REPLACEMENT, confirmed=False)
        action = "sn_site.two_factor_disable" if by_themself else "sn_site.two_factor_reset"
        log(instance=_account(user), action=action, user=_account(by) if by else None)
    return len(devices)


@never_cache
def reset(request, user_id: int):
    """An administrator resets someone's two-factor (they lost their phone and backup codes)."""
    account = get_object_or_404(get_user_model(), pk=user_id)
    if not may_reset(request.user, account):
        raise PermissionDenied
    if request.method == "POST":
        two_factor_reset(user=account, by=request.user)
        messages.success(
            request, f"Two-factor reset for {account.get_username()}: they set up a new app when they next sign in."
        )
        return redirect(reverse("wagtailusers_users:index"))
    context = {"account": account, "has_device": user_has_device(account)}
    return TemplateResponse(request, "sn_site/admin/two_factor_reset.html", context)
