"""The public APIs: the lookup, and the open data about boroughs, wards, teams, priorities,
meetings and natural neighbourhoods (v1). Read-only; answers built from published pages are cached
until the next publish."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Length, Substr
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.models import Page

from figures.selectors import CONFIDENCE_GENERATION, CRIME_GENERATION, borough_confidence, borough_crime, ward_crime
from geography.models import Borough, PoliceForce, Ward
from geography.selectors import PostcodeMissing
from priorities.filters import list_filter_parameters, list_filters
from priorities.models import (
    BoroughPage,
    NeighbourhoodPage,
    NeighbourhoodPostcode,
    PriorityCategory,
    TeamMember,
    pages_public,
)
from priorities.selectors import (
    LOOKUP_GENERATION,
    priorities_published,
    ward_lookup,
    ward_page_published,
    ward_team,
)
from sn_site.api import Pages, cached_read, with_last_modified
from sn_site.page_cache import PAGES_GENERATION

from .serializers import (
    BoroughConfidenceSerializer,
    BoroughCrimeSerializer,
    BoroughDetailSerializer,
    BoroughSerializer,
    CategorySerializer,
    EventSerializer,
    NeighbourhoodDetailSerializer,
    NeighbourhoodSerializer,
    PrioritySerializer,
    TeamMemberSerializer,
    WardCrimeSerializer,
    WardDetailSerializer,
    WardPrioritySerializer,
    WardSummarySerializer,
    crime_output,
    lookup_output,
)

LOOKUP_OUTPUT = inline_serializer(
    "Lookup",
    {
        "postcode": serializers.CharField(allow_null=True),
        "query": serializers.CharField(allow_null=True),
        "kind": serializers.ChoiceField(["full", "sector", "outward", "position"]),
        "latitude": serializers.FloatField(allow_null=True),
        "longitude": serializers.FloatField(allow_null=True),
        "wards": inline_serializer(
            "LookupWard",
            {
                "code": serializers.CharField(),
                "name": serializers.CharField(),
                "url": serializers.URLField(allow_null=True),
                "borough": inline_serializer(
                    "LookupBorough", {"code": serializers.CharField(), "name": serializers.CharField()}
                ),
                "policed_by": serializers.CharField(),
            },
            many=True,
        ),
        "neighbourhoods": inline_serializer(
            "LookupNeighbourhood",
            {
                "slug": serializers.CharField(),
                "name": serializers.CharField(),
                "url": serializers.URLField(allow_null=True),
            },
            many=True,
            help_text="The natural neighbourhoods a full postcode or a position is in (none for a sector or district).",
        ),
    },
)
ERROR = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False),
    },
)


class LookupApi(APIView):
    """GET ?q=<postcode, sector or district> or ?lat=<latitude>&lng=<longitude>."""

    @extend_schema(
        summary="Find the ward team for a postcode or a position",
        parameters=[
            OpenApiParameter("q", str, description="A postcode (SW1A 1AA), sector (SE15 5) or district (SE15)."),
            OpenApiParameter("lat", float, description="Latitude, with lng, instead of q."),
            OpenApiParameter("lng", float, description="Longitude, with lat."),
        ],
        responses={200: LOOKUP_OUTPUT, 400: ERROR, 404: ERROR},
    )
    def get(self, request):
        q, lat, lng = (request.query_params.get(name) for name in ("q", "lat", "lng"))
        if q is None and (lat is None or lng is None):
            raise PostcodeMissing(
                "Give a postcode as q, or a position as lat and lng.",
                errors={"q": ["Enter a postcode, or give lat and lng."]},
            )
        lookup = ward_lookup(postcode=q, latitude=lat, longitude=lng)  # LookupFailed: answered by sn_site.api
        return Response(lookup_output(lookup, request))


OUTLINES = ("outline", "borough__outline")  # large, and not part of a list


def _latest(pages) -> object | None:
    times = [page.last_published_at for page in pages if page is not None and page.last_published_at]
    return max(times, default=None)


class BoroughListApi(GenericAPIView):
    serializer_class = BoroughSerializer
    pagination_class = Pages

    @extend_schema(summary="London's boroughs", responses={200: BoroughSerializer(many=True)})
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request):
        boroughs = self.paginate_queryset(Borough.objects.select_related("page").defer("outline").order_by("name"))
        data = self.get_serializer(boroughs, many=True).data
        response = self.get_paginated_response(data)
        return with_last_modified(response.data, _latest(getattr(b, "page", None) for b in boroughs))


class BoroughDetailApi(GenericAPIView):
    serializer_class = BoroughDetailSerializer

    @extend_schema(
        summary="A borough, with its commander, wards and outline", responses={200: BoroughDetailSerializer, 404: ERROR}
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, code):
        wards = Prefetch(
            "wards",
            queryset=Ward.objects.select_related("borough", "page").defer(*OUTLINES).order_by("name"),
        )
        borough = Borough.objects.select_related("page").prefetch_related(wards).filter(pk=code).first()
        if borough is None:
            raise Http404
        return with_last_modified(self.get_serializer(borough).data, _latest([getattr(borough, "page", None)]))


class BoroughConfidenceApi(GenericAPIView):
    serializer_class = BoroughConfidenceSerializer

    @extend_schema(
        summary="What a borough's residents told the Public Attitude Survey about their police",
        description="MOPAC's Public Attitude Survey, borough by borough: for each of its measures (named as MOPAC "
        'names them, "Good Job" local first), the proportion of the borough\'s respondents who agreed and the '
        "proportion across London, quarter by quarter, oldest first. Each figure covers the 12 months to the "
        "quarter's end (a rolling year), for the whole borough (there are no ward figures); it comes from a sample "
        "of residents, so it has a margin of error of a few percentage points. A borough without figures (the City "
        "of London, which the Met does not police) has no measures. Source: MOPAC Public Attitude Survey, London "
        "Datastore; Open Government Licence v3.0.",
        responses={200: BoroughConfidenceSerializer, 404: ERROR},
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION, CONFIDENCE_GENERATION)
    def get(self, request, code):
        confidence = borough_confidence(code)
        if confidence is None:
            if not Borough.objects.filter(pk=code).exists():
                raise Http404
            return Response({"borough": code, "measures": []})
        return Response(self.get_serializer(confidence).data)


class WardListApi(GenericAPIView):
    serializer_class = WardSummarySerializer
    pagination_class = Pages

    @extend_schema(
        summary="London's wards, each with its team's page",
        parameters=list_filter_parameters("borough", "updated_since"),
        responses={200: WardSummarySerializer(many=True), 400: ERROR},
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request):
        filters = list_filters(request, "borough", "updated_since")
        wards = Ward.objects.select_related("borough", "page").defer(*OUTLINES).order_by("name", "code")
        if "borough" in filters:
            wards = wards.filter(borough_id=filters["borough"])
        if "updated_since" in filters:
            wards = wards.filter(page__live=True, page__last_published_at__gte=filters["updated_since"])
        shown = self.paginate_queryset(wards)
        response = self.get_paginated_response(self.get_serializer(shown, many=True).data)
        return with_last_modified(response.data, _latest(getattr(ward, "page", None) for ward in shown))


class WardDetailApi(GenericAPIView):
    serializer_class = WardDetailSerializer

    @extend_schema(
        summary="A ward and everything its team's page shows",
        description='The team, how to reach it, its active priorities with every "we did" update, upcoming '
        "meetings, the ward panel, feeds and the ward's outline.",
        responses={200: WardDetailSerializer, 404: ERROR},
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, code):
        team = ward_team(code)
        if team is None:
            raise Http404
        return with_last_modified(self.get_serializer(team).data, _latest([team.page]))


def _ward_page_or_404(code):
    """A ward's published page; None for a real ward without one (its lists are empty)."""
    page = ward_page_published(code)
    if page is None and not Ward.objects.filter(pk=code).exists():
        raise Http404
    return page


class WardTeamApi(GenericAPIView):
    serializer_class = TeamMemberSerializer

    @extend_schema(summary="A ward's team", responses={200: TeamMemberSerializer(many=True), 404: ERROR})
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, code):
        page = _ward_page_or_404(code)
        members = page.team() if page else []
        return with_last_modified(self.get_serializer(members, many=True).data, _latest([page]))


class WardEventsApi(GenericAPIView):
    serializer_class = EventSerializer

    @extend_schema(summary="A ward's upcoming meetings", responses={200: EventSerializer(many=True), 404: ERROR})
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, code):
        page = _ward_page_or_404(code)
        events = page.events_upcoming() if page else []
        return with_last_modified(self.get_serializer(events, many=True).data, _latest([page]))


class WardPrioritiesApi(GenericAPIView):
    serializer_class = WardPrioritySerializer

    @extend_schema(
        summary='A ward\'s priorities, active and past, with every "we did" update',
        parameters=list_filter_parameters("status"),
        responses={200: WardPrioritySerializer(many=True), 400: ERROR, 404: ERROR},
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, code):
        filters = list_filters(request, "status")
        page = _ward_page_or_404(code)
        priorities = list(priorities_published(ward=code, **filters)) if page else []
        return with_last_modified(self.get_serializer(priorities, many=True).data, _latest([page]))


class PriorityListApi(GenericAPIView):
    serializer_class = PrioritySerializer
    pagination_class = Pages

    @extend_schema(
        summary="Priorities across London",
        description='Every priority on a published ward page, with its ward and full "we did" history. '
        "updated_since compares with when the ward's page was last published.",
        parameters=list_filter_parameters("borough", "ward", "category", "status", "updated_since"),
        responses={200: PrioritySerializer(many=True), 400: ERROR},
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request):
        filters = list_filters(request, "borough", "ward", "category", "status", "updated_since")
        shown = self.paginate_queryset(priorities_published(**filters))
        response = self.get_paginated_response(self.get_serializer(shown, many=True).data)
        return with_last_modified(response.data, _latest(priority.ward_page for priority in shown))


class CategoryListApi(GenericAPIView):
    serializer_class = CategorySerializer

    @extend_schema(summary="Priority categories", responses={200: CategorySerializer(many=True)})
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request):
        return Response(self.get_serializer(PriorityCategory.objects.all(), many=True).data)


def _neighbourhoods_public():
    """The public natural neighbourhoods, by name, with what the API says of each in a fixed number
    of queries: the borough whose page they sit under and how many postcodes they hold (annotated),
    their officers with their teams' wards and the wards they reach (prefetched)."""
    borough_page = BoroughPage.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Page.steplen)
    ).select_related("borough")
    postcodes = (
        NeighbourhoodPostcode.objects.filter(page=OuterRef("pk")).order_by().values("page").annotate(n=Count("pk"))
    )
    officers = (
        TeamMember.objects.select_related("photo", "ward_page__ward")
        .prefetch_related("photo__renditions")
        .defer("ward_page__ward__outline")
        .order_by("ward_page__title", "sort_order", "pk")
    )
    wards = Ward.objects.select_related("borough", "page").defer(*OUTLINES).order_by("name", "code")
    return (
        pages_public(NeighbourhoodPage.objects.all())
        .annotate(
            borough_code=Subquery(borough_page.values("borough_id")[:1]),
            borough_name=Subquery(borough_page.values("borough__name")[:1]),
            postcode_count=Coalesce(Subquery(postcodes.values("n")), 0),
        )
        .prefetch_related(Prefetch("officers", queryset=officers), Prefetch("wards", queryset=wards))
        .order_by("title", "pk")
    )


class NeighbourhoodListApi(GenericAPIView):
    serializer_class = NeighbourhoodSerializer
    pagination_class = Pages

    @extend_schema(
        summary="London's natural neighbourhoods",
        description="The places people name themselves (an estate, a high street, the streets around a park), "
        "each with its own officers, as their pages show them, without their outlines. borough: those that "
        "belong to it or reach into it; ward: those that reach into it; postcode: those it is in.",
        parameters=list_filter_parameters("borough", "ward", "postcode"),
        responses={200: NeighbourhoodSerializer(many=True), 400: ERROR},
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request):
        filters = list_filters(request, "borough", "ward", "postcode")
        reached = NeighbourhoodPage.wards.through.objects.filter(neighbourhoodpage=OuterRef("pk"))
        neighbourhoods = _neighbourhoods_public().defer("outline", "area_drawing")
        if "borough" in filters:
            code = filters["borough"]
            neighbourhoods = neighbourhoods.filter(Q(borough_code=code) | Exists(reached.filter(ward__borough_id=code)))
        if "ward" in filters:
            neighbourhoods = neighbourhoods.filter(Exists(reached.filter(ward_id=filters["ward"])))
        if "postcode" in filters:
            held = NeighbourhoodPostcode.objects.filter(page=OuterRef("pk"), postcode_id=filters["postcode"])
            neighbourhoods = neighbourhoods.filter(Exists(held))
        shown = self.paginate_queryset(neighbourhoods)
        response = self.get_paginated_response(self.get_serializer(shown, many=True).data)
        return with_last_modified(response.data, _latest(shown))


class NeighbourhoodDetailApi(GenericAPIView):
    serializer_class = NeighbourhoodDetailSerializer

    @extend_schema(
        summary="A natural neighbourhood, with its officers, wards and outline",
        responses={200: NeighbourhoodDetailSerializer, 404: ERROR},
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request, slug):
        page = _neighbourhoods_public().defer("area_drawing").filter(slug=slug).first()
        if page is None:
            raise Http404
        return with_last_modified(self.get_serializer(page).data, _latest([page]))


def _met_or_404(model, code) -> None:
    """A 404 unless the code is a borough or ward the Met polices: the MPS's figures do not cover the City."""
    force = "borough__police_force" if model is Ward else "police_force"
    if not model.objects.filter(pk=code, **{force: PoliceForce.METROPOLITAN}).exists():
        raise Http404


class WardCrimeApi(GenericAPIView):
    serializer_class = WardCrimeSerializer

    @extend_schema(
        summary="Recorded crime in a ward, month by month",
        description="The crimes the Metropolitan Police recorded in the ward each month the site holds, in total "
        "and by the MPS's major and minor categories (named exactly as the MPS writes them). Every list is as "
        "long as `months`. A 404 for a ward the Met does not police (the City of London's).",
        responses={200: WardCrimeSerializer, 404: ERROR},
    )
    @cached_read(LOOKUP_GENERATION, CRIME_GENERATION)
    def get(self, request, code):
        _met_or_404(Ward, code)
        return Response({"ward": code, **crime_output(ward_crime(code))})


class BoroughCrimeApi(GenericAPIView):
    serializer_class = BoroughCrimeSerializer

    @extend_schema(
        summary="Recorded crime in a borough, month by month, and its wards ranked",
        description="As for a ward, its wards' figures added up; and its wards with the crimes recorded in the "
        "latest 12 months, most first.",
        responses={200: BoroughCrimeSerializer, 404: ERROR},
    )
    @cached_read(LOOKUP_GENERATION, CRIME_GENERATION)
    def get(self, request, code):
        _met_or_404(Borough, code)
        found = borough_crime(code)
        series, wards = found if found else (None, [])
        return Response(
            {
                "borough": code,
                **crime_output(series),
                "wards": [{"code": w.code, "name": w.name, "last_12_months": w.last_12_months} for w in wards],
            }
        )
