"""Reads about places: which wards a postcode, a postcode sector or district covers, which ward a
point is in (the official outline around it, or else the nearest postcode's), and whether a point
is in London. Plain values (ward codes), and
the errors a lookup raises when it cannot be answered. What a ward's team page is, and keeping
answers, is for the layers above (`priorities` finds your team)."""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Power
from shapely.geometry import shape

from sn_site.cache import HeldInProcess
from sn_site.errors import AppError

from .models import Borough, Postcode, Ward
from .outlines import area_outline, drawn_area
from .postcodes import (
    LONDON_POSTCODE_AREAS,
    UK_POSTCODE_AREAS,
    EmptyPostcode,
    PostcodeError,
    PostcodeQuery,
    outward_codes_of_district,
    parse_postcode_query,
)


class LookupFailed(AppError):
    """A lookup that cannot be answered; `code` is for machines, `message` for people."""

    code = "lookup_failed"


class PostcodeMissing(LookupFailed):
    """Nothing was typed: the same code as an API call with no query."""

    code = "missing_query"


class NotAPostcode(LookupFailed):
    code = "invalid_postcode"


class NotInLondon(LookupFailed):
    code = "not_in_london"
    status = 404


class PostcodeNotFound(LookupFailed):
    """A postcode in one of London's postcode areas that is not a London postcode we know, or in no
    postcode area at all."""

    code = "postcode_not_found"
    status = 404


class InvalidPosition(LookupFailed):
    code = "invalid_position"


@dataclass(frozen=True)
class PostcodeWards:
    """The wards a postcode, a sector or a district covers. For a full postcode (or the postcode
    nearest a point) the postcode and its position too; for a sector or district, no position.
    A point inside an official ward outline with no postcode anywhere near has its own position."""

    postcode: str | None
    latitude: float | None
    longitude: float | None
    ward_codes: tuple[str, ...]  # each once; none for a postcode, sector or district nobody knows


# The generation of what is worked out from the imported geography and held by each process (the
# outline of London, the official ward outlines): it starts afresh (geography.services) once an
# import of the geography or the ward boundaries commits.
GEOGRAPHY_GENERATION = "geography"

# Held by each process (sn_site.cache.HeldInProcess): the outline of London, a prepared shapely
# geometry, and an index of the official ward outlines (_Places), which cannot be pickled into the
# shared cache. Reloaded when the geography generation
# starts afresh or SN_LOOKUP_CACHE_SECONDS have passed.
_held = HeldInProcess()


def postcode_query(text: str) -> PostcodeQuery:
    """A London postcode, sector or district as typed, understood; a LookupFailed saying what is
    wrong where it is none. No query: a postcode outside London's postcode areas needs none."""
    try:
        query = parse_postcode_query(text)
    except EmptyPostcode:
        raise PostcodeMissing("Enter your postcode.") from None
    except PostcodeError:
        raise NotAPostcode(
            "Check the postcode and try again, for example SW1A 1AA, or the first part such as SE15."
        ) from None
    if query.area not in UK_POSTCODE_AREAS:
        raise postcode_not_found(query)  # not outside London: nowhere at all, most likely a slip
    if query.area not in LONDON_POSTCODE_AREAS:
        raise NotInLondon(
            f"{query.value} is outside London. This site covers London's Metropolitan Police area: "
            "find your local police team on police.uk."
        )
    return query


def postcode_not_found(query: PostcodeQuery) -> PostcodeNotFound:
    """The error for a postcode, sector or district that covers no ward we know."""
    if query.kind == "full":
        return PostcodeNotFound(f"We could not find {query.value}. Check the postcode and try again.")
    return PostcodeNotFound(
        f"We could not find any postcodes starting {query.value}. Check the postcode and try again."
    )


# A full postcode's row, by its key: the query behind every lookup the cache does not hold. Written
# once rather than built by the ORM on each lookup, which cost about four times the query itself.
_POSTCODE_ROW = f'SELECT "latitude", "longitude", "ward_id" FROM "{Postcode._meta.db_table}" WHERE "postcode" = %s'  # noqa: S608 - no input in it


def postcode_wards(query: PostcodeQuery) -> PostcodeWards:
    """The ward of a full postcode, with its position, or each ward a sector or a district touches
    (with those of its lettered sub-districts: SW1 is SW1A to SW1Y). One indexed query."""
    if query.kind == "full":
        with connection.cursor() as cursor:
            cursor.execute(_POSTCODE_ROW, [query.value])
            rows = cursor.fetchall()
        if not rows:
            return PostcodeWards(None, None, None, ())
        latitude, longitude, ward = rows[0]
        return PostcodeWards(query.value, latitude, longitude, (ward,))
    if query.kind == "sector":
        postcodes = Postcode.objects.filter(sector=query.value)
    else:
        postcodes = Postcode.objects.filter(outward__in=outward_codes_of_district(query.value))
    return PostcodeWards(None, None, None, tuple(sorted(set(postcodes.values_list("ward_id", flat=True).distinct()))))


def postcode_positions(postcodes: Iterable[str]) -> dict[str, tuple[float, float]]:
    """(latitude, longitude) of each of some formatted postcodes that is held, in one query."""
    rows = Postcode.objects.filter(postcode__in=set(postcodes)).values_list("postcode", "latitude", "longitude")
    return {postcode: (latitude, longitude) for postcode, latitude, longitude in rows}


# The nearest postcode is searched for in growing squares around the point (in degrees of latitude).
_SEARCH_RADII = (0.003, 0.01, 0.03)


def nearest_postcode(latitude, longitude) -> PostcodeWards:
    """The ward a point is in (as typed: numbers or text), with the postcode nearest it and that
    postcode's position. Where the point is inside a ward's official outline, that ward; otherwise
    the nearest postcode's ward (a derived outline is exactly the area where that is so). A point
    that is not one raises InvalidPosition; one outside London, NotInLondon. One query for a point
    in a built-up area, at most one per search radius."""
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise InvalidPosition("Latitude and longitude must be numbers, such as 51.501 and -0.142.") from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)) or abs(latitude) > 90 or abs(longitude) > 180:
        raise InvalidPosition("Latitude must be between -90 and 90 and longitude between -180 and 180.")
    places = _places()
    if not places.london_contains(latitude, longitude):
        raise NotInLondon("That position is outside London.")
    official = places.official_ward_at(latitude, longitude)
    # A degree of longitude is shorter than a degree of latitude this far north.
    squash = math.cos(math.radians(latitude))
    for radius in _SEARCH_RADII:
        distance = Power(F("latitude") - latitude, 2) + Power((F("longitude") - longitude) * squash, 2)
        row = (
            Postcode.objects.filter(
                latitude__range=(latitude - radius, latitude + radius),
                longitude__range=(longitude - radius / squash, longitude + radius / squash),
            )
            .annotate(distance=distance)
            .order_by("distance")
            .values_list("postcode", "latitude", "longitude", "ward_id")
            .first()
        )
        if row is not None:
            postcode, lat, lng, ward = row
            return PostcodeWards(postcode, lat, lng, (official or ward,))
    if official:  # a park or a river, far from any postcode, inside an official outline
        return PostcodeWards(None, latitude, longitude, (official,))
    raise NotInLondon("There is no London postcode near that position.")


def official_ward_at(latitude: float, longitude: float) -> str | None:
    """The code of the ward whose official outline holds a point (on a shared edge, the first by
    code); None where no official outline does."""
    return _places().official_ward_at(latitude, longitude)


def london_contains(latitude: float, longitude: float) -> bool:
    """Whether a point is in London (within about 200 m of a borough's outline); any point is, where
    no borough outlines are loaded."""
    return _places().london_contains(latitude, longitude)


# The union of the boroughs' official outlines. The outlines are generalised, and about 0.3% of
# London's postcodes fall up to 130 m outside them: a margin of about 200 m keeps every postcode's
# own position inside London.
_LONDON_MARGIN = 0.0025  # degrees: 280 m north-south, 170 m east-west


@dataclass(frozen=True)
class _Places:
    """What a process holds to place a point (one round trip to check it is current): London's
    outline, and an index of the wards' official outlines."""

    london: object | None  # prepared, with its margin; None where no borough outlines are loaded
    official: shapely.STRtree | None  # None where no official ward outlines are loaded
    official_codes: tuple[str, ...]

    def london_contains(self, latitude: float, longitude: float) -> bool:
        return self.london is None or self.london.intersects(shapely.Point(longitude, latitude))

    def official_ward_at(self, latitude: float, longitude: float) -> str | None:
        if self.official is None:
            return None
        found = self.official.query(shapely.Point(longitude, latitude), predicate="intersects")
        return min(self.official_codes[i] for i in found) if len(found) else None


def _places() -> _Places:
    return _held.get(
        "places", _places_build, generations_of=[GEOGRAPHY_GENERATION], seconds=settings.SN_LOOKUP_CACHE_SECONDS
    )


def _places_build() -> _Places:
    london = None
    boroughs = [shape(o) for o in Borough.objects.exclude(outline=None).values_list("outline", flat=True)]
    if boroughs:
        london = shapely.union_all(boroughs).buffer(_LONDON_MARGIN, quad_segs=2)
        shapely.prepare(london)
    rows = list(Ward.objects.exclude(outline_source="").exclude(outline=None).values_list("code", "outline"))
    codes = tuple(code for code, _ in rows)
    official = shapely.STRtree([shape(outline) for _, outline in rows]) if codes else None
    return _Places(london, official, codes)


@dataclass(frozen=True)
class Area:
    """The postcodes an area drawn or listed by people holds, the wards they are in, and its outline."""

    postcodes: tuple[str, ...]  # formatted, sorted
    ward_codes: tuple[str, ...]
    outline: dict | None  # GeoJSON in WGS84, derived as a ward's is; None for no postcodes
    not_found: tuple[str, ...] = ()  # postcodes and sectors listed that London does not have


class AreaNotUnderstood(ValueError):
    """What is wrong with an area as listed or drawn, in words for the person who gave it."""


# The postcodes whose cells bound an area's outline are those within this margin of it (degrees).
_AREA_MARGIN = 0.01


def area_entries(listed: str) -> list[PostcodeQuery]:
    """The full postcodes and sectors in a list written by a person (one per line, or separated by
    commas or semicolons): AreaNotUnderstood naming each entry that is neither."""
    entries, problems = [], []
    for text in re.split(r"[\n,;]+", listed or ""):
        if not text.strip():
            continue
        try:
            query = parse_postcode_query(text)
        except PostcodeError:
            problems.append(text.strip())
            continue
        if query.kind == "outward":
            problems.append(f"{query.value} (a whole district: list its sectors, such as {query.value} 4)")
        else:
            entries.append(query)
    if problems:
        raise AreaNotUnderstood(
            "These are not full postcodes or postcode sectors (such as SE15 4): " + "; ".join(problems) + "."
        )
    return entries


def area_of(*, listed: str = "", drawing=None, outline: bool = True) -> Area:
    """The area made of the postcodes and sectors listed (as area_entries reads them) and every
    postcode inside a drawing (GeoJSON, as outlines.drawn_area reads it), with its outline unless
    not wanted. AreaNotUnderstood where either cannot be read; those listed that London does not
    have (or no longer has) are left out and named in `not_found`."""
    entries = area_entries(listed)
    full = {query.value for query in entries if query.kind == "full"}
    sectors = {query.value for query in entries if query.kind == "sector"}
    rows = set(
        Postcode.objects.filter(Q(postcode__in=full) | Q(sector__in=sectors)).values_list(
            "postcode", "sector", "latitude", "longitude", "ward_id"
        )
    )
    missing = tuple(sorted((full - {row[0] for row in rows}) | (sectors - {row[1] for row in rows})))
    if drawing:
        try:
            drawn = drawn_area(drawing)
        except ValueError as error:
            raise AreaNotUnderstood(str(error)) from None
        west, south, east, north = drawn.bounds
        candidates = list(
            Postcode.objects.filter(latitude__range=(south, north), longitude__range=(west, east)).values_list(
                "postcode", "sector", "latitude", "longitude", "ward_id"
            )
        )
        if candidates:
            inside = shapely.contains_xy(drawn, [row[3] for row in candidates], [row[2] for row in candidates])
            rows.update(row for row, taken in zip(candidates, inside, strict=True) if taken)
    if not rows or not outline:
        postcodes = tuple(sorted({row[0] for row in rows}))
        return Area(postcodes, tuple(sorted({row[4] for row in rows})), None, missing)
    latitudes = [row[2] for row in rows]
    longitudes = [row[3] for row in rows]
    postcodes = {row[0] for row in rows}
    around = Postcode.objects.filter(
        latitude__range=(min(latitudes) - _AREA_MARGIN, max(latitudes) + _AREA_MARGIN),
        longitude__range=(min(longitudes) - _AREA_MARGIN * 1.6, max(longitudes) + _AREA_MARGIN * 1.6),
    ).values_list("postcode", "latitude", "longitude")
    derived = area_outline(
        ((row[2], row[3]) for row in rows),
        ((lat, lng) for postcode, lat, lng in around.iterator() if postcode not in postcodes),
    )
    return Area(tuple(sorted(postcodes)), tuple(sorted({row[4] for row in rows})), derived, missing)
