"""The site's URLs plus /bench/baseline/: the cheapest Django view there is, to compare the lookup API with."""

from django.http import JsonResponse
from django.urls import include, path


def baseline(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/baseline/", baseline, name="bench-baseline"),
    path("", include("sn_site.urls")),
]
