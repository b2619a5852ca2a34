"""The site's URLs plus two baselines to compare with: the cheapest Django view there is
(/bench/baseline/), and the cheapest DRF view, with the project's API settings (/bench/drf-baseline/)."""

from django.http import JsonResponse
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView


def baseline(request):
    return JsonResponse({"ok": True})


class DrfBaseline(APIView):
    def get(self, request):
        return Response({"ok": True})


# The site's error handler too (a 503 while the database is away), as the site's own URLconf has it.
handler500 = "sn_site.urls.handler500"

urlpatterns = [
    path("bench/baseline/", baseline, name="bench-baseline"),
    path("bench/drf-baseline/", DrfBaseline.as_view(), name="bench-drf-baseline"),
    path("", include("sn_site.urls")),
]
