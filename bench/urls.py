"""The site's URLs plus three baselines to compare with: the cheapest Django view there is
(/bench/baseline/), the cheapest DRF view, with the project's API settings (/bench/drf-baseline/),
and the cheapest DRF view that stores what a survey answer stores (/bench/survey-write-baseline/<id>/)."""

import secrets

from django.db import transaction
from django.http import JsonResponse
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from sn_site.security import public_form_limit_exempt
from ward_panels.models import Answer
from ward_panels.models import Response as SurveyResponse


def baseline(request):
    return JsonResponse({"ok": True})


class DrfBaseline(APIView):
    def get(self, request):
        return Response({"ok": True})


class SurveyWriteBaseline(APIView):
    """What answering a survey cannot do without, and nothing else (bench/survey_throughput.py): the
    project's DRF settings (JSON parsing, throttle, content negotiation), then one response row and a
    row for each answer given, in one transaction, with plain ORM creates. Nothing is checked: the
    answers are stored as sent, keyed by question id. The respondent key is random, as long as the
    real one (a keyed hash), so the same unique index is written."""

    def post(self, request, pk: int):
        with transaction.atomic():
            response = SurveyResponse.objects.create(survey_id=pk, respondent_key=secrets.token_hex(32))
            Answer.objects.bulk_create(
                [Answer(response=response, question_id=int(q), value=v) for q, v in request.data["answers"].items()]
            )
        return Response({"id": response.pk}, status=201)


# An API, as the survey answers it is measured against are: the APIs' posts are counted by their DRF
# throttles, not by the public forms' limit, which would cost it one more cache write.
public_form_limit_exempt("/bench/")

# The site's error handler too (a 503 while the database is away), as the site's own URLconf has it.
handler500 = "sn_site.urls.handler500"

urlpatterns = [
    path("bench/baseline/", baseline, name="bench-baseline"),
    path("bench/drf-baseline/", DrfBaseline.as_view(), name="bench-drf-baseline"),
    path("bench/survey-write-baseline/<int:pk>/", SurveyWriteBaseline.as_view(), name="bench-survey-write-baseline"),
    path("", include("sn_site.urls")),
]
