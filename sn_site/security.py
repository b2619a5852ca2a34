"""Security that spans the site: the Content Security Policy for each part of it, the other
response headers, cross-site protection for forms that carry no CSRF cookie, and the rate limits
on public forms and on signing in.

The public site runs no inline script and no inline style at all, so its policy needs no nonce and
a page in the page cache is as safe to serve as a fresh one. A view that must run an inline script
(the API docs) reads `request.csp_nonce`, which adds that nonce to its own response's policy only.
"""

import functools
import json
import re

from csp.constants import HEADER, SELF, UNSAFE_INLINE
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, JsonResponse
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail.admin.views.account import LoginView

from .errors import AppError, error_page
from .throttles import AnonymousRateLimit
from .views import too_many_tries

# The public policy is in settings (CONTENT_SECURITY_POLICY): this site only, nothing inline.
PUBLIC_POLICY = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]

# Wagtail 8's editor still writes a few inline scripts (inline panels, date pickers) and inline
# styles, so the admin, behind sign-in and two-factor, allows those and nothing else more.
ADMIN_POLICY = {
    **PUBLIC_POLICY,
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:", *settings.SN_MAP_TILES_ORIGINS],  # the area drawing's street map
    "frame-src": [SELF],  # the live preview
    "frame-ancestors": [SELF],
}

# Browser features the site never uses are switched off; location only for "use my location".
PERMISSIONS_POLICY = "camera=(), microphone=(), payment=(), usb=(), geolocation=(self)"


# A page as the editor's preview panel shows it: the public policy, framed by the admin only.
PREVIEW_POLICY = {**PUBLIC_POLICY, "frame-ancestors": [SELF]}


def _is_preview(request) -> bool:
    """Wagtail renders previews (and moderators' views of a draft) by passing a made-up request for
    the page's own address through the middleware, and hands that response to the admin as is."""
    return getattr(request, "is_dummy", False)


# The site's own policies (None: the public one, in settings), each built into its header once.
_OWN_POLICIES = (None, ADMIN_POLICY, PREVIEW_POLICY)


@functools.cache
def _own_policy_header(index: int) -> str:
    return build_policy(config=_OWN_POLICIES[index])


@receiver(setting_changed)
def _own_policies_changed(setting, **kwargs) -> None:
    if setting == "CONTENT_SECURITY_POLICY":  # tests only: settings are fixed in a running site
        _own_policy_header.cache_clear()


def _own_policy_index(config) -> int | None:
    return next((index for index, own in enumerate(_OWN_POLICIES) if config is own), None)


class SiteSecurityHeadersMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing the admin's policy under /admin/ and the preview's for a
    page being previewed, and adding the Permissions-Policy header. Other headers come from
    Django's SecurityMiddleware."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.config is not None:
            return parts
        if _is_preview(request):
            return PolicyParts(PREVIEW_POLICY, parts.update, parts.replace, parts.nonce)
        if request.path_info.startswith("/admin/"):
            return PolicyParts(ADMIN_POLICY, parts.update, parts.replace, parts.nonce)
        return parts

    def process_response(self, request, response):
        parts = self.get_policy_parts(request, response)
        own = _own_policy_index(parts.config)
        if own is not None and not (parts.update or parts.replace or parts.nonce):
            # One of the site's own policies as it stands: built once, not again on every request.
            if HEADER not in response and not getattr(response, "_csp_exempt", False):
                response[HEADER] = _own_policy_header(own)
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        else:  # a view's own change (the API docs), or a nonce it used
            response = super().process_response(request, response)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if _is_preview(request):
            response["X-Frame-Options"] = "SAMEORIGIN"
        return response


def same_site_only(view):
    """Cross-site request protection for a form that carries no CSRF token.

    The newsletter form sits on every cached ward and borough page, where a CSRF token would mean
    a cookie per visitor and no page cache. Instead the browser says where the request came from:
    `Sec-Fetch-Site` (every current browser sends it) must be same-origin (or "none", typed by
    the user), and failing that, `Origin` (sent with every cross-site POST) must be this site. A
    request with neither comes from no browser, and so cannot carry a victim's session: it is
    only as strong as sending the form oneself, which the form's rate limit covers."""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if not request_is_same_site(request):
            return TemplateResponse(request, "403_csrf.html", {}, status=403)
        return view(request, *args, **kwargs)

    return checked


def request_is_same_site(request: HttpRequest) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    if origin == "null":
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    return url_has_allowed_host_and_scheme(
        origin, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


class AdminSignInLimit(AnonymousRateLimit):
    """Sign-in attempts per client address (SN_ADMIN_LOGIN_RATE), whatever the username: on top of
    django-axes locking a username out from an address after repeated failures."""

    scope = "admin_login"


class AdminLoginView(LoginView):
    """Wagtail's sign-in page, rate limited per address."""

    def post(self, request, *args, **kwargs):
        limit = AdminSignInLimit()
        if not limit.allow_request(request, None):
            return too_many_tries(
                request,
                "There have been too many attempts to sign in from your network. "
                "Please {when}, or ask your administrator for help.",
                retry_after=limit.wait(),
                template="sn_site/admin/sign_in_too_many.html",
            )
        return super().post(request, *args, **kwargs)


class PublicFormLimit(AnonymousRateLimit):
    """Posts to the public site's forms per client address (SN_PUBLIC_FORM_RATE), on top of each
    form's own tighter limit where it has one (sign-ups, joining a panel, answers)."""

    scope = "public_forms"


# Posts that are not people's forms, and not counted: the APIs (DRF's throttles count those), and
# each address an app names with public_form_limit_exempt. Signed-in editors are never counted;
# anyone else posting to the admin (signing in, asking for a password reset email) is.
_APIS = "/api/"
_not_public_forms: list[str] = []


def public_form_limit_exempt(address: str) -> None:
    """Posts to `address` (a path as reverse() gives it, or reverse_lazy() of one), and to anything
    below it, are not people's forms and are not counted: an app's webhook, say, which checks its
    own secret and is sent many events at once. Called from the app's ready()."""
    _not_public_forms.append(address)


def _is_public_form(request: HttpRequest) -> bool:
    return not request.path_info.startswith(_APIS) and not request.path.startswith(tuple(map(str, _not_public_forms)))


class PublicFormRateLimitMiddleware:
    """Every POST to the public site counts against one limit per address, so no form, now or
    later, is without one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and _is_public_form(request):
            limit = PublicFormLimit()
            if not limit.allow_request(request, None):
                # A middleware's answer is not rendered for it.
                return too_many_tries(request, retry_after=limit.wait()).render()
        return self.get_response(request)


# What no address, search, form field or JSON string may hold: NUL (PostgreSQL cannot store it and
# refuses any query that names it) and UTF-16 surrogates on their own (not text at all: they cannot
# be encoded to send to the database). A pair in JSON ("\\ud83d\\ude00") decodes to one character,
# so any surrogate left is a lone one.
_UNREADABLE = re.compile("[\x00\ud800-\udfff]")
# Bodies the site takes are three levels deep; anything much deeper is not for it, and deep enough
# (thousands) it overflows Python's stack as it is read.
MAX_JSON_DEPTH = 20
_WRITES = ("POST", "PUT", "PATCH", "DELETE")


class UnreadableInputMiddleware:
    """A request holding what no view can use is a 400 saying what is wrong, before any view sees
    it: NUL (%00) or a lone surrogate in the address, the query string, a cookie, a form field or a
    JSON string, or JSON nested too deeply. A JSON answer under /api/, the "could not read that
    request" page elsewhere. Without this each was a 500 somewhere below (the database refusing the
    NUL, the JSON reader's RecursionError)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = unreadable(request)
        if problem is None:
            return self.get_response(request)
        error = UnreadableInput(problem)
        if request.path_info.startswith(_APIS):
            return JsonResponse(error.as_json(), status=error.status)
        return error_page(request, error)


class UnreadableInput(AppError):
    """A request no view can use (what `unreadable` found), answered before any view sees it."""

    code = "bad_request"
    template = "400.html"


def unreadable(request: HttpRequest) -> str | None:
    """What is wrong with the request, in words for whoever sent it, or None."""
    if _UNREADABLE.search(request.path_info):
        return "The web address holds a character that cannot be in one (such as %00)."
    if _any_unreadable(request.GET.lists()):
        return "The query (after the ? in the web address) holds a character that cannot be in one (such as %00)."
    if _any_unreadable((name, [value]) for name, value in request.COOKIES.items()):
        return "A cookie holds a character that cannot be in one. Clear this site's cookies and try again."
    if request.method not in _WRITES:
        return None
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if request.path_info.startswith("/api/"):
            return None  # refused by the APIs with a 415, which reading the form here would hide
        if _any_unreadable(request.POST.lists()):
            return (
                "What was sent holds a character that cannot be in text (such as a NUL byte). Remove it and try again."
            )
    elif request.content_type == "application/json" or request.content_type.endswith("+json"):
        return _json_problem(request.body)
    return None


def _any_unreadable(lists) -> bool:
    return any(_UNREADABLE.search(name) or any(_UNREADABLE.search(value) for value in values) for name, values in lists)


def _json_problem(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except RecursionError:
        return f"The JSON is nested too deeply: at most {MAX_JSON_DEPTH} levels."
    except ValueError:
        return None  # not JSON at all: the view says so, as ever
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return f"The JSON is nested too deeply: at most {MAX_JSON_DEPTH} levels."
        if isinstance(value, str):
            if _UNREADABLE.search(value):
                return (
                    "The JSON holds a string that is not text: a NUL (\\u0000) or half of a surrogate pair "
                    "(such as \\ud800 alone)."
                )
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, dict):
            stack.extend((key, depth + 1) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
    return None
