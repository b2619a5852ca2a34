"""The whole of London's published figures from the real files beside SN_DATA_DIR (CI has them):
the MPS ward crime releases and MOPAC's Public Attitude Survey table, imported over the real
geography. Every ward's and borough's figures, as pages show them and as the API gives them, equal
a recomputation straight from the files."""

import csv
import os
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction

from figures.sections import ward_crime_summary
from figures.services import confidence_import, crime_import
from geography.models import Borough, PoliceForce, Ward
from geography.services import geography_import
from tests.figures.crime_sample import all_months, expected_from_files

pytestmark = pytest.mark.london

GEOGRAPHY = Path(os.environ.get("SN_DATA_DIR") or "/nowhere")
RELEASES = sorted((GEOGRAPHY.parent / "mps-ward-crime").glob("*.csv"))
PAS_FILE = GEOGRAPHY.parent / "pas-confidence" / "PAS_Dashboard_Borough.csv"
if not any(GEOGRAPHY.rglob("Codelist.xlsx")) or not RELEASES or not PAS_FILE.is_file():
    pytest.skip("SN_DATA_DIR with mps-ward-crime and pas-confidence beside it is needed", allow_module_level=True)


@pytest.fixture(scope="module")
def london(django_db_setup, django_db_blocker):
    """All of London with its figures (the crime releases newest first), imported once for this
    module and rolled back after."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            geography_import(source=GEOGRAPHY)
            crime = crime_import(sources=list(reversed(RELEASES)))
            confidence = confidence_import(source=PAS_FILE.parent)
            cache.clear()  # nothing built before the imports is kept (their on_commit never runs here)
            yield crime, confidence
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


def get(client, address: str, number: int):
    """A GET from the n-th of many residents: each has an address of its own, as the API's rate limit counts."""
    return client.get(address, REMOTE_ADDR=f"10.{number // 65536}.{number // 256 % 256}.{number % 256}").json()


@pytest.fixture(scope="module")
def crime_in_files():
    figures = expected_from_files(RELEASES)
    months = all_months(RELEASES)
    totals = {ward: [sum(by_month.get(m, {}).values()) for m in months] for ward, by_month in figures.items()}
    return figures, months, totals


def test_every_ward_in_the_crime_api_equals_the_files(client, london, crime_in_files, db):
    figures, months, totals = crime_in_files
    wards = list(Ward.objects.filter(borough__police_force=PoliceForce.METROPOLITAN).values_list("code", flat=True))
    assert len(wards) == 679 and not london[0].unknown_wards
    for number, code in enumerate(wards):
        body = get(client, f"/api/v1/wards/{code}/crime/", number)
        assert body["months"] == months
        assert body["totals"] == totals.get(code, [0] * len(months)), code
        by_category = {(c["major"], c["minor"]): c["counts"] for c in body["categories"]}
        assert set(by_category) == {category for counts in figures[code].values() for category in counts}, code
        for key, counts in by_category.items():
            assert counts == [figures[code].get(m, {}).get(key, 0) for m in months], (code, key)
    # 76,551 crimes across the Met's wards in October 2025, as the data's README says.
    assert sum(t[-1] for t in totals.values()) == 76_551


def test_every_ward_page_shows_the_files_figures(london, crime_in_files, db):
    """What each ward page's "Crime in <ward>" says (tests/figures/test_crime_pages.py shows it is
    this summary, on the sample), for all 679 wards."""
    _, months, totals = crime_in_files
    nothing = [0] * len(months)
    met = Ward.objects.filter(borough__police_force=PoliceForce.METROPOLITAN).select_related("borough")
    last_12 = {ward.code: sum(totals.get(ward.code, nothing)[-12:]) for ward in met}
    wards_of = defaultdict(list)
    for ward in met:
        wards_of[ward.borough_id].append(last_12[ward.code])
    for ward in met:
        summary = ward_crime_summary(ward.code, ward.borough_id)
        assert summary.last_12 == last_12[ward.code]
        assert summary.previous_12 == sum(totals.get(ward.code, nothing)[-24:-12])
        in_borough = wards_of[ward.borough_id]
        assert summary.ward_average_borough == pytest.approx(sum(in_borough) / len(in_borough))
        assert summary.ward_average_london == pytest.approx(sum(last_12.values()) / 679)


def test_every_borough_in_the_crime_api_adds_up_its_wards(client, london, crime_in_files, db):
    _, months, totals = crime_in_files
    for number, borough in enumerate(Borough.objects.filter(police_force=PoliceForce.METROPOLITAN)):
        codes = list(borough.wards.values_list("code", flat=True))
        body = get(client, f"/api/v1/boroughs/{borough.code}/crime/", number)
        assert body["totals"] == [
            sum(totals.get(code, [0] * len(months))[n] for code in codes) for n in range(len(months))
        ]
        ranked = [w["last_12_months"] for w in body["wards"]]
        assert ranked == sorted(ranked, reverse=True) and len(ranked) == len(codes)


def confidence_in_the_file() -> dict[str, dict[str, list[dict]]]:
    """{borough name in lower case: {measure: [quarters, oldest first]}}, read straight from the CSV."""
    read: dict = defaultdict(lambda: defaultdict(list))
    with PAS_FILE.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows)
        for date, _survey, borough, measure, proportion, mps, *_ in rows:
            day, month, year = date.split("/")
            read[borough.lower()][measure].append(
                {
                    "quarter_end": f"{year}-{int(month):02}-{int(day):02}",
                    "borough": float(proportion.replace(",", ".")),
                    "london": float(mps.replace(",", ".")),
                }
            )
    for measures in read.values():
        for quarters in measures.values():
            quarters.sort(key=lambda quarter: quarter["quarter_end"])
    return read


def test_every_figure_the_confidence_api_gives_is_mopacs(client, london, db):
    expected = confidence_in_the_file()
    expected["westminster"] = expected.pop("city of westminster")

    assert (london[1].rows, london[1].boroughs) == (9312, 32)
    for number, (code, name) in enumerate(Borough.objects.values_list("code", "name")):
        answer = get(client, f"/api/v1/boroughs/{code}/confidence/", number)
        measures = expected.get(name.lower(), {})
        assert answer["borough"] == code
        assert {m["measure"]: m["quarters"] for m in answer["measures"]} == measures, name
        if measures:
            assert answer["measures"][0]["measure"] == '"Good Job" local'
