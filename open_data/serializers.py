"""JSON shapes for the APIs.

The lookup's are plain dictionaries rather than DRF serializers: the lookup is the busiest endpoint
on the site, and a nested DRF serializer cost more than the lookup itself
(bench/lookup_throughput.py). The open data API's are DRF serializers, which also document it;
their answers are cached (sn_site.api.cached_read), so they are built once per publish.
"""

import datetime

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers
from wagtail.rich_text import expand_db_html, get_text_for_indexing

from figures.selectors import CRIME_SOURCE
from geography.models import FORCE_WEBSITES, Borough, PoliceForce, Ward
from priorities.models import NeighbourhoodPage, Priority, PriorityCategory, PriorityUpdate, TeamLink, TeamMember
from priorities.selectors import Lookup, WardSummary, WardTeam

TEAM_PHOTO_SIZE = "fill-160x160"  # as on the ward page


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
        "neighbourhoods": [
            {
                "slug": place.slug,
                "name": place.name,
                "url": request.build_absolute_uri(place.page_path) if place.page_path else None,
            }
            for place in lookup.neighbourhoods
        ],
    }


# The v1 open data API: boroughs, wards, teams, priorities and meetings, as the pages show them.


def _page_of(place):
    """A borough's or a ward's team page if it is published, else None."""
    try:
        page = place.page
    except (Borough.page.RelatedObjectDoesNotExist, Ward.page.RelatedObjectDoesNotExist):
        return None
    return page if page.live else None


def page_address(page, request) -> str | None:
    """A published page's full address on this site, or None."""
    if page is None:
        return None
    url = page.get_url(request)
    return request.build_absolute_uri(url) if url else None


def _published_at(page) -> str | None:
    return None if page is None else serializers.DateTimeField().to_representation(page.last_published_at)


PLACE = inline_serializer("Place", {"code": serializers.CharField(), "name": serializers.CharField()})
CENTRE = inline_serializer("Centre", {"latitude": serializers.FloatField(), "longitude": serializers.FloatField()})


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = PriorityCategory
        fields = ["id", "name"]


class PriorityUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriorityUpdate
        fields = ["date", "we_did"]


class PrioritySerializer(serializers.ModelSerializer):
    """A priority as "we asked, you said, we did": what residents said, and every update since."""

    category = CategorySerializer()
    updates = PriorityUpdateSerializer(many=True, help_text="What the team did, newest first.")
    ward = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="Where it is shown on its ward's page.")

    class Meta:
        model = Priority
        fields = [
            "id",
            "title",
            "category",
            "you_said",
            "agreed_on",
            "review_by",
            "status",
            "outcome",
            "updates",
            "ward",
            "url",
        ]

    @extend_schema_field(PLACE)
    def get_ward(self, priority) -> dict:
        ward = priority.ward_page.ward
        return {"code": ward.code, "name": ward.name}

    def get_url(self, priority) -> str | None:
        page = page_address(priority.ward_page, self.context["request"])
        return page and f"{page}#priority-{priority.pk}"


class WardPrioritySerializer(PrioritySerializer):
    """A priority inside its own ward's answer, which already says which ward."""

    class Meta(PrioritySerializer.Meta):
        fields = [name for name in PrioritySerializer.Meta.fields if name != "ward"]


class TeamMemberSerializer(serializers.ModelSerializer):
    role_name = serializers.CharField(source="get_role_display")
    photo = serializers.SerializerMethodField()

    class Meta:
        model = TeamMember
        fields = ["name", "role", "role_name", "bio", "photo"]

    @extend_schema_field(
        inline_serializer(
            "TeamMemberPhoto",
            {"url": serializers.CharField(), "alt": serializers.CharField(), "width": serializers.IntegerField()},
            allow_null=True,
        )
    )
    def get_photo(self, member) -> dict | None:
        if member.photo is None:
            return None
        rendition = member.photo.get_rendition(TEAM_PHOTO_SIZE)
        return {
            "url": self.context["request"].build_absolute_uri(rendition.url),
            "alt": member.photo_description,
            "width": rendition.width,
        }


class EventSerializer(serializers.Serializer):
    title = serializers.CharField()
    kind = serializers.CharField(help_text="ward_panel, street_briefing, contact_point or other.")
    kind_name = serializers.CharField(source="get_kind_display")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField()
    accessibility = serializers.CharField(help_text="How people can take part: access, hearing loop, interpreters.")


class LinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = TeamLink
        fields = ["label", "url"]


class WardSummarySerializer(serializers.ModelSerializer):
    """A ward in a list. Needs select_related("borough", "page")."""

    borough = serializers.SerializerMethodField()
    police_force = serializers.CharField(source="borough.police_force")
    centre = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The team's page; null where there is none (the City).")
    updated_at = serializers.SerializerMethodField(help_text="When the team's page was last published.")

    class Meta:
        model = Ward
        fields = ["code", "name", "borough", "police_force", "centre", "url", "updated_at"]

    @extend_schema_field(PLACE)
    def get_borough(self, ward) -> dict:
        return {"code": ward.borough.code, "name": ward.borough.name}

    @extend_schema_field(CENTRE)
    def get_centre(self, ward) -> dict:
        return {"latitude": ward.latitude, "longitude": ward.longitude}

    def get_url(self, ward) -> str | None:
        return page_address(_page_of(ward), self.context["request"])

    def get_updated_at(self, ward) -> datetime.datetime | None:
        return _published_at(_page_of(ward))


class WardDetailSerializer(serializers.Serializer):
    """A ward and everything its team page shows. Built from selectors.ward_team()."""

    code = serializers.CharField(source="ward.code")
    name = serializers.CharField(source="ward.name")
    borough = serializers.SerializerMethodField()
    police_force = serializers.CharField(source="ward.borough.police_force")
    centre = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The team's page; null where there is none.")
    updated_at = serializers.SerializerMethodField(help_text="When the team's page was last published.")
    introduction = serializers.SerializerMethodField(help_text="HTML.")
    contact = serializers.SerializerMethodField()
    ward_panel = serializers.SerializerMethodField()
    team = TeamMemberSerializer(source="members", many=True)
    priorities = WardPrioritySerializer(many=True, help_text="Active priorities. Past ones: /priorities/.")
    events = EventSerializer(many=True, help_text="Meetings that have not finished yet, soonest first.")
    feeds = serializers.SerializerMethodField()
    outline = serializers.JSONField(source="ward.outline", help_text="GeoJSON geometry (WGS84).")
    outline_source = serializers.SerializerMethodField(
        help_text="The official boundary file the outline came from, such as 'Wards (May 2024) Boundaries UK "
        "BGC'; null where it was derived from postcode positions, so approximate at the edges."
    )

    @extend_schema_field(PLACE)
    def get_borough(self, team: WardTeam) -> dict:
        return {"code": team.ward.borough.code, "name": team.ward.borough.name}

    @extend_schema_field(CENTRE)
    def get_centre(self, team: WardTeam) -> dict:
        return {"latitude": team.ward.latitude, "longitude": team.ward.longitude}

    def get_outline_source(self, team: WardTeam) -> str | None:
        return team.ward.outline_source or None

    def get_url(self, team: WardTeam) -> str | None:
        if team.page is None:  # the City of London Police's own site, or nothing yet
            force = team.ward.borough.police_force
            return None if force == PoliceForce.METROPOLITAN else FORCE_WEBSITES[force]
        return page_address(team.page, self.context["request"])

    def get_updated_at(self, team: WardTeam) -> datetime.datetime | None:
        return _published_at(team.page)

    def get_introduction(self, team: WardTeam) -> str | None:
        return expand_db_html(team.page.introduction) if team.page and team.page.introduction else None

    @extend_schema_field(
        inline_serializer(
            "WardContact",
            {
                "email": serializers.EmailField(allow_null=True),
                "telephone": serializers.CharField(allow_null=True),
                "base_address": serializers.CharField(allow_null=True),
                "links": LinkSerializer(many=True),
            },
        )
    )
    def get_contact(self, team: WardTeam) -> dict:
        page = team.page
        return {
            "email": (page and page.email) or None,
            "telephone": (page and page.phone) or None,
            "base_address": (page and page.base_address) or None,
            "links": LinkSerializer(team.links, many=True).data,
        }

    @extend_schema_field(
        inline_serializer(
            "WardPanel",
            {"how_to_join": serializers.CharField(allow_null=True), "next_meeting": EventSerializer(allow_null=True)},
        )
    )
    def get_ward_panel(self, team: WardTeam) -> dict:
        meeting = next((event for event in team.events if event.kind == "ward_panel"), None)
        return {
            "how_to_join": (team.page and team.page.ward_panel_how_to_join) or None,
            "next_meeting": EventSerializer(meeting).data if meeting else None,
        }

    @extend_schema_field(
        inline_serializer(
            "WardFeeds",
            {
                "calendar": serializers.URLField(allow_null=True),
                "updates": serializers.URLField(allow_null=True),
                "past_priorities": serializers.URLField(allow_null=True),
            },
        )
    )
    def get_feeds(self, team: WardTeam) -> dict:
        base = page_address(team.page, self.context["request"])
        names = ("calendar", "updates", "past_priorities")
        if base is None:
            return dict.fromkeys(names)
        return {
            "calendar": base + "calendar/",
            "updates": base + "updates/",
            "past_priorities": base + "past-priorities/",
        }


class BoroughSerializer(serializers.ModelSerializer):
    """A borough in a list. Needs select_related("page")."""

    url = serializers.SerializerMethodField(help_text="The borough's page; null where another force polices it.")
    updated_at = serializers.SerializerMethodField(help_text="When the borough's page was last published.")

    class Meta:
        model = Borough
        fields = ["code", "name", "police_force", "url", "updated_at"]

    def get_url(self, borough) -> str | None:
        return page_address(_page_of(borough), self.context["request"])

    def get_updated_at(self, borough) -> datetime.datetime | None:
        return _published_at(_page_of(borough))


class BoroughDetailSerializer(BoroughSerializer):
    """A borough with its commander, its wards and its outline."""

    commander = serializers.SerializerMethodField()
    wards = WardSummarySerializer(many=True)
    outline = serializers.JSONField(help_text="GeoJSON geometry (WGS84).")

    class Meta(BoroughSerializer.Meta):
        fields = BoroughSerializer.Meta.fields + ["commander", "wards", "outline"]

    @extend_schema_field(
        inline_serializer(
            "BoroughCommander",
            {"name": serializers.CharField(), "role": serializers.CharField(), "message": serializers.CharField()},
            allow_null=True,
        )
    )
    def get_commander(self, borough) -> dict | None:
        page = _page_of(borough)
        if page is None or not page.commander_name:
            return None
        return {"name": page.commander_name, "role": page.commander_role, "message": page.commander_message}


class NeighbourhoodOfficerSerializer(TeamMemberSerializer):
    """One of a natural neighbourhood's officers, with the ward team they belong to. Needs
    select_related("photo", "ward_page__ward")."""

    team = serializers.SerializerMethodField(help_text="The ward whose team they belong to.")

    class Meta(TeamMemberSerializer.Meta):
        fields = TeamMemberSerializer.Meta.fields + ["team"]

    @extend_schema_field(PLACE)
    def get_team(self, member) -> dict:
        ward = member.ward_page.ward
        return {"code": ward.code, "name": ward.name}


class NeighbourhoodSerializer(serializers.Serializer):
    """A natural neighbourhood in a list: everything but its outline. Needs the pages of
    open_data.api._neighbourhoods_public() (the borough and postcode count annotated, the officers
    and wards prefetched)."""

    slug = serializers.CharField(help_text="Its address in this API and on the site.")
    name = serializers.CharField(source="title")
    url = serializers.SerializerMethodField(help_text="Its page.")
    description = serializers.SerializerMethodField(help_text="The place in its people's words, as plain text.")
    borough = serializers.SerializerMethodField(
        help_text="The borough it belongs to, whose officers keep its page. It may reach into others: see wards."
    )
    officers = NeighbourhoodOfficerSerializer(many=True, help_text="The officers dedicated to it.")
    hear_by = serializers.SerializerMethodField(help_text="How its people prefer to hear from the police.")
    wards = WardSummarySerializer(many=True, help_text="Every ward its postcodes are in, by name.")
    postcode_count = serializers.IntegerField(help_text="How many full postcodes its area holds.")
    updated_at = serializers.SerializerMethodField(help_text="When its page was last published.")

    def get_url(self, page) -> str | None:
        return page_address(page, self.context["request"])

    def get_description(self, page) -> str:
        return " ".join(get_text_for_indexing(page.introduction or "").split())

    @extend_schema_field(PLACE)
    def get_borough(self, page) -> dict:
        return {"code": page.borough_code, "name": page.borough_name}

    @extend_schema_field(
        inline_serializer(
            "HearBy",
            {
                "value": serializers.ChoiceField(NeighbourhoodPage.HearBy.values),
                "label": serializers.CharField(),
            },
            many=True,
        )
    )
    def get_hear_by(self, page) -> list[dict]:
        chosen = set(page.hear_by or ())
        return [
            {"value": value, "label": label} for value, label in NeighbourhoodPage.HearBy.choices if value in chosen
        ]

    def get_updated_at(self, page) -> datetime.datetime | None:
        return _published_at(page)


class NeighbourhoodDetailSerializer(NeighbourhoodSerializer):
    """A natural neighbourhood with its outline."""

    outline = serializers.JSONField(
        allow_null=True,
        help_text="GeoJSON geometry (WGS84) around its postcodes, derived from their positions as a ward's is "
        "where there is no official boundary, so approximate at the edges; null where its area holds no postcodes.",
    )


class CrimeCategorySerializer(serializers.Serializer):
    major = serializers.CharField(help_text="The MPS's major category, exactly as it writes it, such as BURGLARY.")
    minor = serializers.CharField(help_text="The MPS's minor category, such as RES BURGLARY OF A HOME.")
    counts = serializers.ListField(child=serializers.IntegerField(), help_text="Crimes in each of `months`.")


class CrimeSerializer(serializers.Serializer):
    """Recorded crime, each list as long as `months`; a category not listed had none."""

    months = serializers.ListField(
        child=serializers.CharField(), help_text="YYYY-MM, oldest first: every month the site holds."
    )
    totals = serializers.ListField(child=serializers.IntegerField(), help_text="All recorded crime in each month.")
    categories = CrimeCategorySerializer(many=True)
    source = serializers.CharField()


class WardCrimeSerializer(CrimeSerializer):
    ward = serializers.CharField(help_text="The ward's ONS code.")


class WardCrimeRankSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    last_12_months = serializers.IntegerField(help_text="Crimes recorded in the latest 12 of `months`.")


class BoroughCrimeSerializer(CrimeSerializer):
    borough = serializers.CharField(help_text="The borough's ONS code.")
    wards = WardCrimeRankSerializer(many=True, help_text="Its wards, most crime in the latest 12 months first.")


def crime_output(series) -> dict:
    """A series of recorded crime as the API gives it (figures.selectors.CrimeSeries, or None: no figures)."""
    if series is None:
        return {"months": [], "totals": [], "categories": [], "source": CRIME_SOURCE}
    return {
        "months": [f"{month:%Y-%m}" for month in series.months],
        "totals": series.totals,
        "categories": [
            {"major": category.major, "minor": category.minor, "counts": category.counts}
            for category in series.categories
        ],
        "source": CRIME_SOURCE,
    }


class ConfidenceQuarterSerializer(serializers.Serializer):
    quarter_end = serializers.DateField(help_text="The last day of the 12 months the figures cover.")
    borough = serializers.FloatField(help_text="The proportion of the borough's respondents who agreed, 0 to 1.")
    london = serializers.FloatField(help_text="The proportion across London (MOPAC's MPS figure), 0 to 1.")


class ConfidenceMeasureSerializer(serializers.Serializer):
    measure = serializers.CharField(help_text='MOPAC\'s name for the measure, such as "Good Job" local.')
    quarters = ConfidenceQuarterSerializer(many=True, help_text="Oldest first.")


class BoroughConfidenceSerializer(serializers.Serializer):
    borough = serializers.CharField(help_text="The borough's ONS code.")
    measures = ConfidenceMeasureSerializer(many=True)
