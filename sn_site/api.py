"""Site-wide API plumbing shared by every app's DRF views."""

from rest_framework.negotiation import BaseContentNegotiation


class JSONOnly(BaseContentNegotiation):
    """Every API answers in JSON, so there is nothing to negotiate: skipping DRF's parsing of the
    Accept header is a measurable share of a cached lookup (bench/lookup_throughput.py)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
