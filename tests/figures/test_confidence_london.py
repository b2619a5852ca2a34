"""The real PAS borough table (beside SN_DATA_DIR, in pas-confidence/) imported over the real London
geography: every figure the API gives for every borough is the one in MOPAC's file."""

import csv
import os
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction

from figures.services import confidence_import
from geography.models import Borough
from geography.services import geography_import

pytestmark = pytest.mark.london

DATA_DIR = os.environ.get("SN_DATA_DIR", "")
PAS_FILE = Path(DATA_DIR).parent / "pas-confidence" / "PAS_Dashboard_Borough.csv" if DATA_DIR else None
if not DATA_DIR or not any(Path(DATA_DIR).rglob("Codelist.xlsx")) or not PAS_FILE.is_file():
    pytest.skip("SN_DATA_DIR does not hold OS Code-Point Open with pas-confidence beside it", allow_module_level=True)


@pytest.fixture(scope="module")
def london_with_figures(django_db_setup, django_db_blocker):
    """All of London and the real survey table, imported once for this module and rolled back after."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            geography_import(source=Path(DATA_DIR))
            yield confidence_import(source=PAS_FILE.parent)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


def figures_in_the_file() -> dict[str, dict[str, list[dict]]]:
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


def test_every_figure_the_api_gives_is_mopacs(client, london_with_figures, db):
    expected = figures_in_the_file()
    expected["westminster"] = expected.pop("city of westminster")

    assert (london_with_figures.rows, london_with_figures.boroughs) == (9312, 32)
    for code, name in Borough.objects.values_list("code", "name"):
        answer = client.get(f"/api/v1/boroughs/{code}/confidence/").json()
        measures = expected.get(name.lower(), {})
        assert answer["borough"] == code
        assert {m["measure"]: m["quarters"] for m in answer["measures"]} == measures, name
        if measures:
            assert answer["measures"][0]["measure"] == '"Good Job" local'
