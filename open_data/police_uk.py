"""The police.uk-compatible API, under /api/police-uk/: the neighbourhood calls of
data.police.uk, answered from this site's published ward and borough pages, so apps and client
libraries written for police.uk work here unchanged. Our force is `metropolitan`; a
neighbourhood is a Met ward with a published team page, and its id is the ward's ONS code.

The shapes are police.uk's, which clients depend on: every key is present (null when empty),
coordinates and population are strings, dates are London local time with no zone
(YYYY-MM-DDTHH:MM:SS), and contact_details holds only the keys that have values. They are built as
plain dictionaries, since several keys (issue-date) are not Python names.
"""

import datetime
import re
from urllib.parse import urlsplit

from django.template.defaultfilters import linebreaks_filter
from django.utils import timezone
from django.utils.html import escape
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.rich_text import expand_db_html

from geography.models import PoliceForce, Postcode
from geography.postcodes import PostcodeError, parse_postcode_query
from geography.selectors import InvalidPosition
from priorities.models import BoroughPage, ForceProfile, WardPage
from priorities.selectors import (
    LOOKUP_GENERATION,
    ward_lookup_by_position,
    ward_page_published,
)
from sn_site.api import cached_read
from sn_site.page_cache import PAGES_GENERATION

FORCE = PoliceForce.METROPOLITAN
# Where a team's link goes decides which contact_details key it fills, as police.uk names them.
SOCIAL_KEYS = {
    "twitter.com": "twitter",
    "x.com": "twitter",
    "facebook.com": "facebook",
    "youtube.com": "youtube",
    "flickr.com": "flickr",
    "instagram.com": "instagram",
}
POSTCODE_IN_TEXT = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.IGNORECASE)
TEAM_BASE = "station"  # police.uk's type for a place the team works from

tag = ["police.uk compatible"]
OBJECT = inline_serializer("PoliceUkObject", {})


def _doc(summary, shape, **extra):
    return extend_schema(summary=summary, tags=tag, responses={200: shape, 404: OBJECT}, **extra)


def police_uk_time(moment) -> str | None:
    """A date or an aware time as police.uk writes it: London local time, no zone, no fractions."""
    if moment is None:
        return None
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).replace(tzinfo=None, microsecond=0)
    else:
        moment = datetime.datetime.combine(moment, datetime.time())
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _number(value) -> str | None:
    return None if value is None else str(value)


def _paragraphs(text: str) -> str | None:
    """Plain text as escaped HTML paragraphs (police.uk's text fields are HTML), or None."""
    return str(linebreaks_filter(text.strip(), autoescape=True)) if text and text.strip() else None


def _rich_text(html: str) -> str | None:
    return expand_db_html(html) if html else None


def _force_or_404(force: str) -> None:
    if force != FORCE:
        raise NotFound(f"We have no force called {force!r}. This site serves {FORCE!r}.")


def _neighbourhood_or_404(force: str, neighbourhood: str) -> WardPage:
    _force_or_404(force)
    page = ward_page_published(neighbourhood)
    if page is None:
        raise NotFound(f"There is no neighbourhood {neighbourhood!r} in {force!r}.")
    return page


def _absolute(request, page, suffix: str = "") -> str:
    return request.build_absolute_uri(page.get_url(request) + suffix)


def _team_contact(page: WardPage) -> dict:
    return {key: value for key, value in (("email", page.email), ("telephone", page.phone)) if value}


class ForceListApi(APIView):
    @_doc(
        "Forces",
        inline_serializer(
            "PoliceUkForces", {"id": serializers.CharField(), "name": serializers.CharField()}, many=True
        ),
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request):
        return Response([{"id": FORCE.value, "name": FORCE.label}])


class ForceApi(APIView):
    @_doc(
        "A force",
        inline_serializer(
            "PoliceUkForce",
            {
                "id": serializers.CharField(),
                "name": serializers.CharField(),
                "description": serializers.CharField(allow_null=True),
                "url": serializers.URLField(),
                "telephone": serializers.CharField(allow_null=True),
                "engagement_methods": inline_serializer(
                    "PoliceUkEngagementMethod",
                    {
                        "url": serializers.URLField(),
                        "description": serializers.CharField(allow_null=True),
                        "title": serializers.CharField(),
                        "type": serializers.CharField(),
                    },
                    many=True,
                ),
            },
        ),
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, force):
        _force_or_404(force)
        profile = ForceProfile.load()
        return Response(
            {
                "id": FORCE.value,
                "name": FORCE.label,
                "description": _rich_text(profile.description),
                "url": profile.website,
                "telephone": profile.telephone or None,
                "engagement_methods": [
                    {
                        "url": method.url,
                        "description": _paragraphs(method.description),
                        "title": method.title,
                        "type": method.kind,
                    }
                    for method in profile.engagement_methods.all()
                ],
            }
        )


PERSON = inline_serializer(
    "PoliceUkPerson",
    {
        "name": serializers.CharField(),
        "rank": serializers.CharField(allow_null=True),
        "bio": serializers.CharField(allow_null=True),
        "contact_details": serializers.DictField(child=serializers.CharField()),
    },
    many=True,
)


class ForcePeopleApi(APIView):
    @_doc("A force's senior officers: the borough commanders", PERSON)
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, force):
        _force_or_404(force)
        commanders = BoroughPage.objects.live().exclude(commander_name="").order_by("title")
        return Response(
            [
                {
                    "name": page.commander_name,
                    "rank": page.commander_role or None,
                    "bio": _paragraphs(page.commander_message),
                    "contact_details": {"web": _absolute(request, page)},
                }
                for page in commanders
            ]
        )


class NeighbourhoodListApi(APIView):
    @_doc(
        "A force's neighbourhoods: one per ward with a team page",
        inline_serializer(
            "PoliceUkNeighbourhoods", {"id": serializers.CharField(), "name": serializers.CharField()}, many=True
        ),
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, force):
        _force_or_404(force)
        pages = WardPage.objects.live().order_by("title", "ward_id").values_list("ward_id", "title")
        return Response([{"id": code, "name": title} for code, title in pages])


class NeighbourhoodApi(APIView):
    @_doc(
        "A neighbourhood: its team page's description, contacts and places",
        inline_serializer(
            "PoliceUkNeighbourhood",
            {
                "id": serializers.CharField(),
                "name": serializers.CharField(),
                "description": serializers.CharField(allow_null=True),
                "url_force": serializers.URLField(),
                "population": serializers.CharField(),
                "centre": inline_serializer(
                    "PoliceUkCentre",
                    {
                        "latitude": serializers.CharField(allow_null=True),
                        "longitude": serializers.CharField(allow_null=True),
                    },
                ),
                "contact_details": serializers.DictField(child=serializers.CharField()),
                "links": inline_serializer(
                    "PoliceUkLink",
                    {
                        "url": serializers.URLField(),
                        "description": serializers.CharField(allow_null=True),
                        "title": serializers.CharField(),
                    },
                    many=True,
                ),
                "locations": inline_serializer(
                    "PoliceUkLocation",
                    {
                        "name": serializers.CharField(),
                        "address": serializers.CharField(allow_null=True),
                        "postcode": serializers.CharField(allow_null=True),
                        "latitude": serializers.CharField(allow_null=True),
                        "longitude": serializers.CharField(allow_null=True),
                        "type": serializers.CharField(),
                        "description": serializers.CharField(allow_null=True),
                    },
                    many=True,
                ),
            },
        ),
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, force, neighbourhood):
        page = _neighbourhood_or_404(force, neighbourhood)
        contact = _team_contact(page)
        contact["web"] = _absolute(request, page)
        contact["rss"] = _absolute(request, page, "updates/")
        links = []
        for link in page.team_links.all():
            host = urlsplit(link.url).hostname or ""
            key = SOCIAL_KEYS.get(host.removeprefix("www.").removeprefix("m."))
            if key and key not in contact:
                contact[key] = link.url
            else:
                links.append({"url": link.url, "description": None, "title": link.label})
        borough_page = page.get_parent()
        links.append(
            {
                "url": _absolute(request, borough_page),
                "description": None,
                "title": f"{borough_page.title} Safer Neighbourhoods",
            }
        )
        return Response(
            {
                "id": page.ward_id,
                "name": page.title,
                "description": _rich_text(page.introduction),
                "url_force": _absolute(request, page),
                "population": "0",  # not known to this site
                "centre": {"latitude": _number(page.ward.latitude), "longitude": _number(page.ward.longitude)},
                "contact_details": contact,
                "links": links,
                "locations": [_team_base(page)] if page.base_address.strip() else [],
            }
        )


def _team_base(page: WardPage) -> dict:
    """The team's base as a police.uk location, placed by its postcode where the address has one."""
    lines = [line.strip(" ,") for line in page.base_address.strip().splitlines() if line.strip(" ,")]
    postcode = latitude = longitude = None
    found = POSTCODE_IN_TEXT.findall(page.base_address)
    if found:
        try:
            postcode = parse_postcode_query(found[-1]).value
        except PostcodeError:
            postcode = None
    if postcode:
        position = Postcode.objects.filter(postcode=postcode).values_list("latitude", "longitude").first()
        if position:
            latitude, longitude = (_number(value) for value in position)
    return {
        "name": lines[0],
        "address": ", ".join(lines[1:]) or None,
        "postcode": postcode,
        "latitude": latitude,
        "longitude": longitude,
        "type": TEAM_BASE,
        "description": None,
    }


class NeighbourhoodPeopleApi(APIView):
    @_doc("A neighbourhood's team", PERSON)
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, force, neighbourhood):
        page = _neighbourhood_or_404(force, neighbourhood)
        return Response(
            [
                {
                    "name": member.name,
                    "rank": member.get_role_display(),
                    "bio": _paragraphs(member.bio),
                    "contact_details": {},
                }
                for member in page.team()
            ]
        )


class NeighbourhoodEventsApi(APIView):
    @_doc(
        "A neighbourhood's upcoming meetings",
        inline_serializer(
            "PoliceUkEvent",
            {
                "title": serializers.CharField(),
                "description": serializers.CharField(allow_null=True),
                "address": serializers.CharField(allow_null=True),
                "type": serializers.CharField(),
                "start_date": serializers.CharField(),
                "end_date": serializers.CharField(allow_null=True),
                "contact_details": serializers.DictField(child=serializers.CharField()),
            },
            many=True,
        ),
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, force, neighbourhood):
        page = _neighbourhood_or_404(force, neighbourhood)
        contact = _team_contact(page)
        return Response(
            [
                {
                    "title": event.title,
                    "description": _paragraphs(event.accessibility),
                    "address": event.place or None,
                    "type": event.get_kind_display(),
                    "start_date": police_uk_time(event.starts_at),
                    "end_date": police_uk_time(event.ends_at),
                    "contact_details": contact,
                }
                for event in page.events_upcoming()
            ]
        )


class NeighbourhoodPrioritiesApi(APIView):
    @_doc(
        "A neighbourhood's priorities: what residents raised, and the latest of what the team did",
        inline_serializer(
            "PoliceUkPriority",
            {
                "issue": serializers.CharField(),
                "issue-date": serializers.CharField(),
                "action": serializers.CharField(allow_null=True),
                "action-date": serializers.CharField(allow_null=True),
            },
            many=True,
        ),
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, force, neighbourhood):
        page = _neighbourhood_or_404(force, neighbourhood)
        answer = []
        for priority in page.priorities_active():
            latest = next(iter(priority.updates.all()), None)  # newest first
            answer.append(
                {
                    "issue": f"<p><strong>{escape(priority.title)}</strong></p>"
                    + (_paragraphs(priority.you_said) or ""),
                    "issue-date": police_uk_time(priority.agreed_on),
                    "action": _paragraphs(latest.we_did) if latest else None,
                    "action-date": police_uk_time(latest.date) if latest else None,
                }
            )
        return Response(answer)


class NeighbourhoodBoundaryApi(APIView):
    @_doc(
        "A neighbourhood's boundary: the ward's outline as points",
        inline_serializer(
            "PoliceUkPoint", {"latitude": serializers.CharField(), "longitude": serializers.CharField()}, many=True
        ),
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, force, neighbourhood):
        page = _neighbourhood_or_404(force, neighbourhood)
        return Response(
            [{"latitude": str(lat), "longitude": str(lng)} for lng, lat in outline_points(page.ward.outline)]
        )


def outline_points(geometry: dict | None) -> list:
    """A GeoJSON (Multi)Polygon's outer rings as one list of (longitude, latitude), the largest
    part first, as police.uk gives a boundary; holes are left out."""
    if not geometry:
        return []
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"][0])
    rings = sorted((polygon[0] for polygon in geometry["coordinates"]), key=len, reverse=True)
    return [point for ring in rings for point in ring]


class LocateNeighbourhoodApi(APIView):
    @extend_schema(
        summary="The neighbourhood at a position",
        tags=tag,
        parameters=[OpenApiParameter("q", str, required=True, description="Latitude and longitude: 51.5007,-0.1246")],
        responses={
            200: inline_serializer(
                "PoliceUkLocated", {"force": serializers.CharField(), "neighbourhood": serializers.CharField()}
            ),
            400: OBJECT,
            404: OBJECT,
        },
    )
    def get(self, request):
        parts = request.query_params.get("q", "").split(",")
        if len(parts) != 2:
            raise InvalidPosition(
                "Give a position as q=latitude,longitude, such as q=51.5007,-0.1246.",
                errors={"q": ["Enter a latitude and a longitude separated by a comma."]},
            )
        lookup = ward_lookup_by_position(*parts)  # LookupFailed: answered by sn_site.api
        ward = lookup.wards[0]
        if not ward.is_policed_by_met or ward.page_path is None:
            raise NotFound("That position is not in a neighbourhood this site serves.")
        return Response({"force": FORCE.value, "neighbourhood": ward.code})
