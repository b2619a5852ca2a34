"""JSON shapes for the lookup API.

Built as plain dictionaries rather than DRF serializers: the lookup is the busiest endpoint on the
site, and a nested DRF serializer cost more than the lookup itself (bench/lookup_throughput.py).
"""

from .models import FORCE_WEBSITES
from .selectors import Lookup, WardSummary


def ward_output(ward: WardSummary, request) -> dict:
    if ward.page_path:
        url = request.build_absolute_uri(ward.page_path)
    else:  # no team page here: the City of London Police's site, or nothing yet
        url = None if ward.is_policed_by_met else FORCE_WEBSITES[ward.police_force]
    return {
        "code": ward.code,
        "name": ward.name,
        "url": url,
        "borough": {"code": ward.borough_code, "name": ward.borough_name},
        "policed_by": ward.police_force,
    }


def lookup_output(lookup: Lookup, request) -> dict:
    return {
        "postcode": lookup.postcode,
        "query": lookup.query,
        "kind": lookup.kind,
        "latitude": lookup.latitude,
        "longitude": lookup.longitude,
        "wards": [ward_output(ward, request) for ward in lookup.wards],
    }
