"""Site-wide API plumbing shared by every app's DRF views: content negotiation, the error shape,
pagination and the cache of answers built from published content."""

import functools
import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.http import http_date
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from .cache import keep, read_kept
from .errors import AppError


class JSONOnly(BaseContentNegotiation):
    """Every API answers in JSON, so there is nothing to negotiate: skipping DRF's parsing of the
    Accept header is a measurable share of a cached lookup (bench/lookup_throughput.py).

    And every API write takes JSON only, sent as `Content-Type: application/json`: a body of any
    other type (text/plain, a form) is refused with 415. Those are the types a web page can make
    its visitors' browsers post to another site without asking it first (no CORS preflight), so
    taking them as JSON would let any page answer open surveys in its visitors' names."""

    def select_parser(self, request, parsers):
        sent = request.content_type.partition(";")[0].strip().lower()  # no wildcards: exactly JSON
        for parser in parsers:
            if parser.media_type == sent:
                return parser
        return None  # DRF answers 415 Unsupported Media Type

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def error_response(exc, context):
    """Every API error in one shape: {"code", "message", "errors"?}. `code` is for machines,
    `message` for people, `errors` names each field that was wrong and why. An application error
    (sn_site.errors.AppError) raised by a service or selector is answered here with its own status,
    so no view turns one into a response by hand."""
    if isinstance(exc, AppError):
        set_rollback()  # as DRF does for its own errors: nothing the request wrote is kept
        return Response(exc.as_json(), status=exc.status)
    if isinstance(exc, Http404):  # as DRF's own handler does, so the shape below applies
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django's handling (a 500 page, logged) applies
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {"code": "invalid", "message": "Some of what was sent is not valid.", "errors": detail}
    elif isinstance(exc, exceptions.Throttled):
        body = {
            "code": "throttled",
            "message": f"Too many requests. Try again in {exc.wait or 1:.0f} seconds.",
        }
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        body = {
            "code": "unsupported_media_type",
            "message": "Send the body as JSON, with the header Content-Type: application/json.",
        }
    else:
        body = {"code": exc.default_code, "message": str(exc.detail)}
    response.data = body
    return response


class Pages(PageNumberPagination):
    """?page=2&page_size=100: 50 to a page unless asked, at most 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def cached_read(*generations_of: str):
    """Cache a GET handler's JSON answer, by address, until any of the named generations starts
    afresh (each app names those its answers are built from: published pages, the geography) or
    SN_API_CACHE_SECONDS pass, since upcoming meetings move into the past.

    The handler returns a Response; its data is rendered once and the bytes reused, with the
    Last-Modified header it set. Only 200 answers are kept. Throttling runs before this, as ever.
    """

    def decorator(view_method):
        @functools.wraps(view_method)
        def get(self, request, *args, **kwargs):
            seconds = settings.SN_API_CACHE_SECONDS
            key = None
            if seconds:
                key = "api:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()
                hit, token = read_kept(key, generations_of)
                if hit is not None:
                    return _json_response(*hit)
            response = view_method(self, request, *args, **kwargs)
            if response.status_code != 200:
                return response
            body = JSONRenderer().render(response.data)
            last_modified = response.get("Last-Modified")
            if key is not None:
                keep(key, token, (body, last_modified), timeout=seconds)
            return _json_response(body, last_modified)

        return get

    return decorator


def _json_response(body: bytes, last_modified: str | None) -> HttpResponse:
    response = HttpResponse(body, content_type="application/json")
    if last_modified:
        response["Last-Modified"] = last_modified
    return response


def with_last_modified(data, when) -> Response:
    """A Response saying when its content last changed, so clients can ask If-Modified-Since."""
    response = Response(data)
    if when is not None:
        response["Last-Modified"] = http_date(when.timestamp())
    return response


def public_endpoints_only(endpoints):
    """The OpenAPI schema documents the public APIs under /api/, not Wagtail's admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
