"""Reads shared by pages, the API and tasks."""

import math
from dataclasses import dataclass

import shapely
from django.db.models import F
from django.db.models.functions import Power
from shapely.geometry import shape

from .models import Borough, Postcode, Ward
from .postcodes import PostcodeError, PostcodeQuery, parse_postcode_query


class LookupFailed(Exception):
    """A lookup that cannot be answered; `code` is for machines, `message` for people."""

    code = "lookup_failed"
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAPostcode(LookupFailed):
    code = "invalid_postcode"


class NotInLondon(LookupFailed):
    code = "not_in_london"
    status = 404


class InvalidPosition(LookupFailed):
    code = "invalid_position"


@dataclass(frozen=True)
class Lookup:
    """What a lookup found: the wards for a postcode, part of one, or a position."""

    query: PostcodeQuery | None
    postcode: Postcode | None
    wards: list[Ward]


def _wards():
    return Ward.objects.select_related("borough", "page").defer("outline", "borough__outline")


def ward_lookup_by_postcode(text: str) -> Lookup:
    """Wards for a full postcode (one), a sector or a district (each ward it touches).

    One indexed query whatever the input.
    """
    try:
        query = parse_postcode_query(text)
    except PostcodeError:
        raise NotAPostcode(
            "Enter a postcode in London, such as SW1A 1AA, or the first part of one, such as SE15."
        ) from None
    if query.kind == "full":
        postcode = (
            Postcode.objects.select_related("ward__borough", "ward__page")
            .defer("ward__outline", "ward__borough__outline")
            .filter(postcode=query.value)
            .first()
        )
        if postcode is None:
            raise NotInLondon(f"We could not find {query.value} in London.")
        return Lookup(query, postcode, [postcode.ward])
    field = "sector" if query.kind == "sector" else "outward"
    matching = Postcode.objects.filter(**{field: query.value}).values("ward_id")
    wards = list(_wards().filter(code__in=matching).order_by("name"))
    if not wards:
        raise NotInLondon(f"We could not find any London postcodes starting {query.value}.")
    return Lookup(query, None, wards)


# The nearest postcode is searched for in growing squares around the point (in degrees of latitude).
_SEARCH_RADII = (0.003, 0.01, 0.03)


def ward_lookup_by_position(latitude, longitude) -> Lookup:
    """The ward of the postcode nearest a point; a point outside London is not found."""
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise InvalidPosition("Latitude and longitude must be numbers, such as 51.501 and -0.142.") from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)) or abs(latitude) > 90 or abs(longitude) > 180:
        raise InvalidPosition("Latitude must be between -90 and 90 and longitude between -180 and 180.")
    if not _london_contains(latitude, longitude):
        raise NotInLondon("That position is outside London.")
    # A degree of longitude is shorter than a degree of latitude this far north.
    squash = math.cos(math.radians(latitude))
    for radius in _SEARCH_RADII:
        distance = Power(F("latitude") - latitude, 2) + Power((F("longitude") - longitude) * squash, 2)
        nearest = (
            Postcode.objects.select_related("ward__borough", "ward__page")
            .defer("ward__outline", "ward__borough__outline")
            .filter(
                latitude__range=(latitude - radius, latitude + radius),
                longitude__range=(longitude - radius / squash, longitude + radius / squash),
            )
            .annotate(distance=distance)
            .order_by("distance")
            .first()
        )
        if nearest is not None:
            return Lookup(None, nearest, [nearest.ward])
    raise NotInLondon("There is no London postcode near that position.")


_london = {"outline": None}


def _london_outline():
    """The union of the boroughs' official outlines, built once per process (None until loaded)."""
    if _london["outline"] is None:
        outlines = [shape(o) for o in Borough.objects.exclude(outline=None).values_list("outline", flat=True)]
        if outlines:
            union = shapely.union_all(outlines)
            shapely.prepare(union)
            _london["outline"] = union
    return _london["outline"]


def _london_contains(latitude: float, longitude: float) -> bool:
    """Whether a point is inside the boroughs' official outlines (any point, if none are loaded)."""
    outline = _london_outline()
    return outline is None or outline.intersects(shapely.Point(longitude, latitude))


def london_outline_forget() -> None:
    """Drop the cached outline of London, after the geography changes."""
    _london["outline"] = None


def ward_page_of(ward: Ward):
    """The ward's published page, or None (City of London wards and unpublished pages have none)."""
    try:
        page = ward.page
    except Ward.page.RelatedObjectDoesNotExist:
        return None
    return page if page.live else None
