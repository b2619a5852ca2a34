"""GET /api/v1/boroughs/{code}/confidence/: what a borough's residents told the Public Attitude Survey."""

import pytest

from figures.services import confidence_import
from tests.figures.confidence_sample import CITY, SOUTHWARK, WESTMINSTER, sample_rows, write_confidence_csv

V1 = "/api/v1/"


@pytest.fixture
def with_figures(sample_london, tmp_path):
    confidence_import(source=write_confidence_csv(tmp_path / "PAS_Dashboard_Borough.csv"))


def test_a_borough_has_every_measure_quarter_by_quarter_oldest_first(client, with_figures):
    response = client.get(f"{V1}boroughs/{SOUTHWARK}/confidence/")

    assert response.status_code == 200
    assert response.json() == {
        "borough": SOUTHWARK,
        "measures": [
            {
                "measure": '"Good Job" local',
                "quarters": [
                    {"quarter_end": "2022-12-31", "borough": 0.52, "london": 0.51},
                    {"quarter_end": "2023-03-31", "borough": 0.54, "london": 0.52},
                    {"quarter_end": "2023-06-30", "borough": 0.55, "london": 0.53},
                    {"quarter_end": "2023-09-30", "borough": 0.55, "london": 0.54},
                    {"quarter_end": "2023-12-31", "borough": 0.56, "london": 0.55},
                ],
            },
            {
                "measure": "Trust MPS",
                "quarters": [
                    {"quarter_end": "2022-12-31", "borough": 0.66, "london": 0.7},
                    {"quarter_end": "2023-03-31", "borough": 0.64, "london": 0.68},
                    {"quarter_end": "2023-06-30", "borough": 0.62, "london": 0.66},
                    {"quarter_end": "2023-09-30", "borough": 0.61, "london": 0.64},
                    {"quarter_end": "2023-12-31", "borough": 0.6, "london": 0.63},
                ],
            },
        ],
    }


def test_a_borough_mopac_names_otherwise_is_found_by_its_code(client, with_figures):
    measures = client.get(f"{V1}boroughs/{WESTMINSTER}/confidence/").json()["measures"]

    trust = measures[1]
    assert [m["measure"] for m in measures] == ['"Good Job" local', "Trust MPS"]
    assert [q["quarter_end"] for q in trust["quarters"]] == ["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"]


def test_a_borough_without_figures_has_no_measures(client, with_figures):
    response = client.get(f"{V1}boroughs/{CITY}/confidence/")

    assert response.status_code == 200
    assert response.json() == {"borough": CITY, "measures": []}


@pytest.mark.parametrize("code", ["E09000099", "Southwark", "e09000028"])
def test_an_unknown_borough_is_a_404_in_the_apis_error_shape(client, with_figures, code):
    response = client.get(f"{V1}boroughs/{code}/confidence/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found."}


def test_the_schema_documents_it(client, sample_london):
    schema = client.get(f"{V1}schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"]["/api/v1/boroughs/{code}/confidence/"]["get"]
    assert "rolling year" in operation["description"] and "margin of error" in operation["description"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    measure = schema["components"]["schemas"]["ConfidenceMeasure"]["properties"]
    quarter = schema["components"]["schemas"]["ConfidenceQuarter"]["properties"]
    assert set(schema["components"]["schemas"][answer]["properties"]) == {"borough", "measures"}
    assert set(measure) == {"measure", "quarters"}
    assert quarter["quarter_end"]["format"] == "date" and quarter["london"]["type"] == "number"
    assert "404" in operation["responses"]


def test_answers_are_kept_until_the_next_import(
    client, sample_london, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.SN_API_CACHE_SECONDS = 300
    address = f"{V1}boroughs/{SOUTHWARK}/confidence/"
    with django_capture_on_commit_callbacks(execute=True):
        confidence_import(source=write_confidence_csv(tmp_path / "first.csv"))
    assert client.get(address).json()["measures"][0]["quarters"][0]["borough"] == 0.52
    rows = sample_rows()
    rows[0][4] = 0.49

    with django_capture_on_commit_callbacks(execute=True):
        confidence_import(source=write_confidence_csv(tmp_path / "revised.csv", rows))

    assert client.get(address).json()["measures"][0]["quarters"][0]["borough"] == 0.49
