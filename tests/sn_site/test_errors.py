"""One application error class, answered one way by the APIs (the error shape, as JSON) and one way
by the site (a page), each with the error's own status, whichever app raised it."""

import html
import re

import pytest
from django.urls import path
from rest_framework.views import APIView

from sn_site.errors import AppError
from sn_site.urls import urlpatterns as site_urlpatterns
from ward_panels.services import SurveyNotFound


class BookedTwice(AppError):
    status = 409
    code = "already_booked"
    message = "That meeting room is already booked."


def refuse(request):
    raise BookedTwice(errors={"starts_at": ["Choose another time."], "room": {"name": ["Choose another room."]}})


def no_such_survey(request):
    raise SurveyNotFound


class RefuseApi(APIView):
    def get(self, request):
        refuse(request)


urlpatterns = [
    path("api/v1/refuse/", RefuseApi.as_view()),
    path("refuse/", refuse),
    path("no-such-survey/", no_such_survey),
    *site_urlpatterns,  # the site's own, for the links every page carries
]


def text_of(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))).strip()


@pytest.mark.urls(__name__)
def test_an_api_answers_an_application_error_in_the_error_shape_with_its_status(client, db):
    response = client.get("/api/v1/refuse/")

    assert response.status_code == 409 and response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "already_booked",
        "message": "That meeting room is already booked.",
        "errors": {"starts_at": ["Choose another time."], "room": {"name": ["Choose another room."]}},
    }


@pytest.mark.urls(__name__)
def test_the_site_answers_an_application_error_with_a_page_saying_what_went_wrong(client, db):
    response = client.get("/refuse/")

    assert response.status_code == 409 and response["Content-Type"].startswith("text/html")
    words = text_of(response)
    assert "Sorry, that could not be done" in words
    assert "That meeting room is already booked. Choose another time. Choose another room." in words


@pytest.mark.urls(__name__)
def test_a_survey_nobody_may_know_of_is_the_page_an_unknown_address_gets(client, db):
    unknown = client.get("/no-such-page/")
    refused = client.get("/no-such-survey/")

    assert refused.status_code == unknown.status_code == 404
    assert text_of(refused) == text_of(unknown)
