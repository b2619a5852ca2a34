"""The public lookup API: which ward, team and force cover a postcode or a position."""

from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import LookupFailed, ward_lookup
from .serializers import lookup_output


class LookupApi(APIView):
    """GET ?q=<postcode, sector or district> or ?lat=<latitude>&lng=<longitude>."""

    def get(self, request):
        q, lat, lng = (request.query_params.get(name) for name in ("q", "lat", "lng"))
        if q is None and (lat is None or lng is None):
            return Response(
                {
                    "code": "missing_query",
                    "message": "Give a postcode as q, or a position as lat and lng.",
                    "errors": {"q": ["Enter a postcode, or give lat and lng."]},
                },
                status=400,
            )
        try:
            lookup = ward_lookup(postcode=q, latitude=lat, longitude=lng)
        except LookupFailed as error:
            return Response({"code": error.code, "message": error.message}, status=error.status)
        return Response(lookup_output(lookup, request))
