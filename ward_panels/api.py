"""The e-survey API: read a survey, answer it, add the optional equality answers, and (for
officers) read its results. Answers go through the same service as the survey's web page."""

import csv
import io
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from priorities.filters import list_filter_parameters, list_filters
from priorities.selectors import LOOKUP_GENERATION
from sn_site.api import Pages, cached_read
from sn_site.page_cache import PAGES_GENERATION

from .models import EqualityMonitoring, Question, Survey
from .permissions import survey_visible_to
from .selectors import (
    survey_for_answering,
    survey_is_known_to,
    survey_results,
    survey_rules,
    surveys_open,
)
from .services import (
    SubmissionRefused,
    SurveyNotFound,
    equality_record,
    equality_tables_freeze,
    response_submit,
)
from .throttles import SurveyAnswerLimit
from .tokens import receipt_token, receipt_token_opened


class QuestionSerializer(serializers.ModelSerializer):
    options = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Question
        fields = ["id", "kind", "text", "help_text", "required", "options", "max_length", "max_choices"]


class SurveySerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area_name")
    is_open = serializers.SerializerMethodField()
    questions = QuestionSerializer(many=True)

    class Meta:
        model = Survey
        fields = ["id", "title", "introduction", "area", "audience", "opens_at", "closes_at", "is_open", "questions"]

    def get_is_open(self, survey) -> bool:
        return survey.is_open()


class AreaSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ONS code.")
    name = serializers.CharField()


class SurveyNeighbourhoodSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="Its address on the site, under its borough's.")
    name = serializers.CharField(source="title")


class OpenSurveySerializer(serializers.ModelSerializer):
    ward = AreaSerializer(
        allow_null=True, help_text="The ward it asks; null when it asks every ward of the borough or a neighbourhood."
    )
    borough = serializers.SerializerMethodField(
        help_text="The borough it asks, the ward's borough, or the borough that keeps the natural neighbourhood."
    )
    neighbourhood = SurveyNeighbourhoodSerializer(
        allow_null=True, help_text="The natural neighbourhood it asks, if it asks one (then ward is null)."
    )
    url = serializers.SerializerMethodField(help_text="Its page, where anyone can answer it.")
    api_url = serializers.SerializerMethodField(help_text="Its questions in this API, to answer it from an app.")

    class Meta:
        model = Survey
        fields = ["id", "title", "ward", "borough", "neighbourhood", "opens_at", "closes_at", "url", "api_url"]

    @extend_schema_field(AreaSerializer)
    def get_borough(self, survey) -> dict:
        return AreaSerializer(survey.area_borough()).data

    def get_url(self, survey) -> str:
        return self.context["request"].build_absolute_uri(reverse("ward_panels:survey", args=[survey.pk]))

    def get_api_url(self, survey) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-v1:ward_panels:survey", args=[survey.pk]))


_NUL_OR_SURROGATE = re.compile("[\x00\ud800-\udfff]")


class SubmissionSerializer(serializers.Serializer):
    token = serializers.CharField(
        required=False, allow_blank=True, help_text="Panel surveys: the token from the invitation link."
    )
    email = serializers.EmailField(required=False, help_text="Open surveys: one response per email address.")
    answers = serializers.DictField(
        help_text="Keyed by question id: a string (single choice, text), a number (rating) or a list of strings "
        '(multiple choice, local issues, ranking in order). {"12": "Yes", "13": 4, "14": ["Speeding"]}'
    )

    @staticmethod
    def plain(body) -> dict | None:
        """What validated_data would be, for the usual body: answers as an object, a token and an
        email address each absent or plainly valid text. None for anything else, which the
        serializer itself then judges and answers. Building and running the serializer costs more
        than checking the answers (bench/survey_throughput.py); the tests hold the two to the same
        result."""
        if not isinstance(body, dict) or type(body.get("answers")) is not dict:
            return None
        data = {"answers": {str(key): value for key, value in body["answers"].items()}}
        for name in ("token", "email"):
            if name not in body:
                continue
            value = body[name]
            if type(value) is not str or _NUL_OR_SURROGATE.search(value):
                return None
            data[name] = value.strip()
        if "email" in data:
            try:
                validate_email(data["email"])  # DRF's EmailField's own check; a blank address fails it too
            except DjangoValidationError:
                return None
        return data


class EqualitySerializer(serializers.Serializer):
    receipt = serializers.CharField(help_text="The receipt the submission answered with.")
    answers = serializers.DictField(
        help_text="Any of: " + ", ".join(EqualityMonitoring.FIELDS) + '. Each optional; "prefer_not" to decline.'
    )


ERRORS = inline_serializer(
    "SurveyErrors",
    {"code": serializers.CharField(), "message": serializers.CharField(), "errors": serializers.DictField()},
)


def _survey_or_404(pk, token: str | None) -> Survey:
    """An open survey to anyone once it has opened; a panel survey only with its invitation's
    token. Anyone else gets the answer an id that does not exist gets."""
    survey = survey_for_answering(pk)
    if survey is None or not survey_is_known_to(survey, token):
        raise SurveyNotFound
    return survey


class SurveyListApi(GenericAPIView):
    serializer_class = OpenSurveySerializer
    pagination_class = Pages

    @extend_schema(
        summary="Surveys anyone may answer now",
        description="Open surveys (not those for ward panel members, by invitation), soonest to close first, for "
        "other sites and apps to show. With `ward`: the ward's own and its borough's, as the ward's page lists "
        "them; with `borough`: the borough's own and those of each of its wards.",
        parameters=list_filter_parameters("ward", "borough"),
        responses={200: OpenSurveySerializer(many=True), 400: ERRORS},
        tags=["surveys"],
    )
    @cached_read(PAGES_GENERATION, LOOKUP_GENERATION)
    def get(self, request):
        shown = self.paginate_queryset(surveys_open(**list_filters(request, "ward", "borough")))
        return self.get_paginated_response(self.get_serializer(shown, many=True).data)


class SurveyApi(APIView):
    @extend_schema(
        summary="A survey's questions",
        parameters=[OpenApiParameter("token", str, description="Panel surveys: the invitation's token.")],
        responses={200: SurveySerializer, 404: ERRORS},
        tags=["surveys"],
    )
    def get(self, request, pk: int):
        return Response(SurveySerializer(_survey_or_404(pk, request.query_params.get("token"))).data)


class ResponseApi(APIView):
    @extend_schema(
        summary="Answer a survey",
        description="One response per invitation (panel surveys) or per email address (open surveys), kept so "
        "by the database. Every problem is reported at once, by field; nothing is stored unless all is well.",
        request=SubmissionSerializer,
        responses={
            201: inline_serializer(
                "Submitted", {"receipt": serializers.CharField(), "message": serializers.CharField()}
            ),
            400: ERRORS,
            404: ERRORS,
            429: ERRORS,
        },
        tags=["surveys"],
    )
    def post(self, request, pk: int):
        survey = survey_rules(pk)
        token = request.data.get("token") if isinstance(request.data, dict) else None
        # Before anything about the body is answered: a panel survey is not there without its link.
        if survey is None or not survey_is_known_to(survey, token if isinstance(token, str) else None):
            raise SurveyNotFound
        data = SubmissionSerializer.plain(request.data)
        if data is None:
            submission = SubmissionSerializer(data=request.data)
            submission.is_valid(raise_exception=True)
            data = submission.validated_data
        limit = SurveyAnswerLimit() if survey.audience == Survey.Audience.OPEN else None
        if limit is not None and not limit.take(request):
            raise limit.refusal()
        try:
            response = response_submit(
                survey=survey, answers=data["answers"], token=data.get("token"), respondent=data.get("email")
            )
        except (SurveyNotFound, SubmissionRefused):
            if limit is not None:
                limit.give_back(request)  # only accepted answers count
            raise  # answered by sn_site.api, as every application error is
        return Response(
            {"receipt": receipt_token(response.survey_id), "message": "Thank you. Your answers have been saved."},
            status=201,
        )


class EqualityApi(APIView):
    @extend_schema(
        summary="Add the optional equality answers after answering",
        description="Stored apart from the answers, with no link to them or to you, and only ever counted.",
        request=EqualitySerializer,
        responses={204: None, 400: ERRORS, 404: ERRORS},
        tags=["surveys"],
    )
    def post(self, request, pk: int):
        given = EqualitySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        survey = survey_for_answering(pk)
        if survey is None or (
            not survey_is_known_to(survey, None)
            and (receipt_token_opened(given.validated_data["receipt"]) or {}).get("survey") != survey.pk
        ):
            raise SurveyNotFound  # a panel survey is known only to those who answered it
        equality_record(survey=survey, receipt=given.validated_data["receipt"], answers=given.validated_data["answers"])
        return Response(status=204)


def _officer_survey(request, pk) -> Survey:
    survey = survey_for_answering(pk)
    if survey is None:
        raise SurveyNotFound
    if not survey_visible_to(request.user, survey):
        raise PermissionDenied("Only the officers for this survey's area can see its results.")
    return survey


OPTION = inline_serializer(
    "OptionResult",
    {
        "label": serializers.CharField(),
        "count": serializers.IntegerField(allow_null=True, help_text="null: hidden (equality figures only)"),
        "percent": serializers.FloatField(allow_null=True, help_text="of the people who answered the question"),
    },
    many=True,
)


def results_output(results) -> dict:
    return {
        "survey": {"id": results.survey.pk, "title": results.survey.title, "area": results.survey.area_name},
        "invited": results.invited,
        "responded": results.responded,
        "questions": [
            {
                "id": item.question.pk,
                "text": item.question.text,
                "kind": item.question.kind,
                "answered": item.answered,
                "options": [vars(option) for option in item.options],
                "mean": item.mean,
                "texts": item.texts,
            }
            for item in results.questions
        ],
        "equality": (
            {name: [vars(option) for option in options] for name, options in results.equality.items()}
            if results.equality is not None
            else None
        ),
        "equality_answered": results.equality_answered,
    }


class ResultsApi(APIView):
    """For signed-in officers of the survey's borough or ward (the admin's session)."""

    authentication_classes = [SessionAuthentication]

    @extend_schema(
        summary="A survey's results (officers)",
        description="Every opinion count, percentage (of the people who answered the question) and mean, and the "
        "written answers. Equality figures are null until the survey has been closed a day, then made once: "
        "counts only, those under 10 hidden (null), and others too where a hidden one could be worked out.",
        responses={
            200: inline_serializer(
                "SurveyResults",
                {
                    "invited": serializers.IntegerField(),
                    "responded": serializers.IntegerField(),
                    "questions": inline_serializer(
                        "QuestionResults",
                        {
                            "id": serializers.IntegerField(),
                            "text": serializers.CharField(),
                            "kind": serializers.CharField(),
                            "answered": serializers.IntegerField(),
                            "options": OPTION,
                            "mean": serializers.FloatField(allow_null=True),
                            "texts": serializers.ListField(child=serializers.CharField()),
                        },
                        many=True,
                    ),
                    "equality": serializers.DictField(allow_null=True),
                    "equality_answered": serializers.IntegerField(allow_null=True),
                },
            ),
            403: ERRORS,
            404: ERRORS,
        },
        tags=["surveys"],
    )
    def get(self, request, pk: int):
        survey = _officer_survey(request, pk)
        equality_tables_freeze(survey=survey)
        return Response(results_output(survey_results(survey)))


class ResultsCsvApi(APIView):
    authentication_classes = [SessionAuthentication]

    @extend_schema(
        summary="A survey's results as CSV (officers)",
        responses={(200, "text/csv"): str, 403: ERRORS, 404: ERRORS},
        tags=["surveys"],
    )
    def get(self, request, pk: int):
        survey = _officer_survey(request, pk)
        equality_tables_freeze(survey=survey)
        results = survey_results(survey)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["question", "option", "count", "percent"])
        writer.writerow(["(the survey)", "(responses)", results.responded, ""])
        for item in results.questions:
            question = _text(item.question.text)
            writer.writerow([question, "(people who answered; each percent is of them)", item.answered, ""])
            if item.mean is not None:
                writer.writerow([question, "(average)", item.mean, ""])
            first = " (times put first)" if item.question.kind == Question.Kind.RANKING else ""
            for option in item.options:
                writer.writerow([question, _text(option.label) + first, _cell(option.count), _cell(option.percent)])
            if item.question.kind == Question.Kind.TEXT:
                for text in item.texts:
                    writer.writerow([_text(item.question.text), _text(text), "", ""])
        for name, options in (results.equality or {}).items():
            for option in options:
                writer.writerow(
                    [f"Equality: {EqualityMonitoring.QUESTIONS[name]}", option.label, _cell(option.count), ""]
                )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="survey-{results.survey.pk}-results.csv"'
        return response


def _text(value: str) -> str:
    """Written text as a spreadsheet shows it, never as a formula: a cell a respondent wrote that
    starts with =, +, -, @ or a control character is opened by Excel as one (OWASP CSV injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cell(value) -> str:
    return "hidden" if value is None else str(value)  # an equality count under 10, or one that would reveal it
