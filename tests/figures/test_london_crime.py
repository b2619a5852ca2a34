"""The whole of London's recorded crime from the real MPS releases beside SN_DATA_DIR (CI has
them): every ward's figures on its page and in the API equal a recomputation from the files."""

import os
import random
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction

from figures.sections import ward_crime_summary
from figures.services import crime_import
from geography.models import Borough, PoliceForce, Ward
from geography.services import geography_import
from home.services import page_tree_build
from priorities.models import WardPage
from tests.figures.crime_sample import all_months, expected_from_files

pytestmark = pytest.mark.london

GEOGRAPHY = os.environ.get("SN_DATA_DIR", "")
CRIME = os.environ.get("SN_CRIME_DATA") or (str(Path(GEOGRAPHY).parent / "mps-ward-crime") if GEOGRAPHY else "")
if not GEOGRAPHY or not any(Path(GEOGRAPHY).rglob("Codelist.xlsx")) or not list(Path(CRIME).glob("*.csv")):
    pytest.skip("SN_DATA_DIR and the MPS ward crime releases beside it are needed", allow_module_level=True)

RELEASES = sorted(Path(CRIME).glob("*.csv"))
SEED = int(os.environ.get("SN_TEST_SEED") or int.from_bytes(os.urandom(4), "big"))


@pytest.fixture(scope="module")
def london(django_db_setup, django_db_blocker):
    """All of London, its pages and its crime (the releases newest first), rolled back after."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            geography_import(source=Path(GEOGRAPHY))
            page_tree_build()
            report = crime_import(sources=list(reversed(RELEASES)))
            cache.clear()  # nothing built before the import is kept (its on_commit never runs here)
            yield report
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


@pytest.fixture(scope="module")
def expected():
    figures = expected_from_files(RELEASES)
    months = all_months(RELEASES)
    totals = {ward: [sum(by_month.get(m, {}).values()) for m in months] for ward, by_month in figures.items()}
    return figures, months, totals


def test_every_ward_in_the_api_equals_the_files(client, london, expected, db):
    figures, months, totals = expected
    wards = list(Ward.objects.filter(borough__police_force=PoliceForce.METROPOLITAN).values_list("code", flat=True))
    assert len(wards) == 679 and not london.unknown_wards
    for code in wards:
        body = client.get(f"/api/v1/wards/{code}/crime/").json()
        assert body["months"] == months
        assert body["totals"] == totals.get(code, [0] * len(months)), code
        by_category = {(c["major"], c["minor"]): c["counts"] for c in body["categories"]}
        want = {(major, minor) for counts in figures[code].values() for major, minor in counts}
        assert set(by_category) == want, code
        for key, counts in by_category.items():
            assert counts == [figures[code].get(m, {}).get(key, 0) for m in months], (code, key)
    # 76,551 crimes across the Met's wards in October 2025, as the data's README says.
    assert sum(t[-1] for t in totals.values()) == 76_551


def test_every_ward_page_shows_the_files_figures(client, london, expected, db):
    _, months, totals = expected
    met = Ward.objects.filter(borough__police_force=PoliceForce.METROPOLITAN)
    last_12 = {code: sum(totals.get(code, [0] * len(months))[-12:]) for code in met.values_list("code", flat=True)}
    london_average = sum(last_12.values()) / len(last_12)
    for ward in met.select_related("borough"):
        summary = ward_crime_summary(ward.code, ward.borough_id)
        in_borough = [
            n for code, n in last_12.items() if code in set(ward.borough.wards.values_list("code", flat=True))
        ]
        assert summary.last_12 == last_12[ward.code]
        assert summary.previous_12 == sum(totals.get(ward.code, [0] * len(months))[-24:-12])
        assert summary.ward_average_borough == pytest.approx(sum(in_borough) / len(in_borough))
        assert summary.ward_average_london == pytest.approx(london_average)
    # The pages themselves, for some wards chosen afresh each run (SN_TEST_SEED repeats a run).
    for page in random.Random(SEED).sample(list(WardPage.objects.select_related("ward")), 8):
        text = " ".join(re.sub(r"<[^>]+>", " ", client.get(page.url).content.decode()).split())
        assert f"{last_12[page.ward_id]:,} crime" in text, (SEED, page.ward_id)


def test_every_borough_in_the_api_adds_up_its_wards(client, london, expected, db):
    _, months, totals = expected
    for borough in Borough.objects.filter(police_force=PoliceForce.METROPOLITAN):
        codes = list(borough.wards.values_list("code", flat=True))
        body = client.get(f"/api/v1/boroughs/{borough.code}/crime/").json()
        want = [sum(totals.get(code, [0] * len(months))[n] for code in codes) for n in range(len(months))]
        assert body["totals"] == want, borough.code
        ranked = [w["last_12_months"] for w in body["wards"]]
        assert ranked == sorted(ranked, reverse=True) and len(ranked) == len(codes)
