"""Importing the MPS ward crime table: releases merged month by month, newest release winning."""

import http.server
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from figures.crime_files import CrimeFileError
from figures.models import ConfidenceMeasure, CrimeMonth, WardCrime
from figures.services import crime_import
from figures.tasks import figures_refresh
from tests.figures.confidence_sample import expected_rows, write_confidence_workbook
from tests.figures.crime_sample import (
    NEW_MONTHS,
    OLD_MONTHS,
    all_months,
    expected_from_files,
    write_both,
    write_release,
)


def held() -> dict:
    """What the site holds, in the shape of expected_from_files."""
    figures = {}
    for ward, month, counts in WardCrime.objects.values_list("ward_id", "month_id", "counts"):
        figures.setdefault(ward, {})[f"{month:%Y-%m}"] = {
            (major, minor): count for major, minors in counts.items() for minor, count in minors.items()
        }
    return figures


def as_plain(expected) -> dict:
    return {ward: {month: dict(counts) for month, counts in by_month.items()} for ward, by_month in expected.items()}


@pytest.mark.parametrize("order", ["oldest first", "newest first"])
def test_releases_in_any_order_merge_to_the_newest_figures_for_each_month(sample_london, tmp_path, order):
    old, new = write_both(tmp_path)
    report = crime_import(sources=[old, new] if order == "oldest first" else [new, old])

    assert held() == as_plain(expected_from_files([old, new]))
    assert [f"{month:%Y-%m}" for month in CrimeMonth.objects.values_list("month", flat=True)] == all_months([old, new])
    assert len(report.months_added) == 28 and report.unknown_wards == []
    # The months only the older release covers come from it; the rest from the newer.
    assert set(CrimeMonth.objects.filter(month__lt=NEW_MONTHS[0]).values_list("release_file", flat=True)) == {old.name}
    assert set(CrimeMonth.objects.filter(month__gte=NEW_MONTHS[0]).values_list("release_file", flat=True)) == {new.name}


def test_a_category_the_newer_release_leaves_out_had_no_crimes_that_month(sample_london, tmp_path):
    months = len(range(NEW_MONTHS[1]))
    old = write_release(
        tmp_path / "old.csv", OLD_MONTHS, rows=[("ROBBERY", "ROBBERY OF PERSONAL PROPERTY", "E05011113", [4] * 24)]
    )
    new = write_release(tmp_path / "new.csv", NEW_MONTHS, rows=[("THEFT", "SHOPLIFTING", "E05011113", [1] * months)])
    crime_import(sources=[old])
    crime_import(sources=[new])

    figures = held()["E05011113"]
    assert figures["2023-10"] == {("ROBBERY", "ROBBERY OF PERSONAL PROPERTY"): 4}  # only the older covers it
    assert figures["2023-11"] == {("THEFT", "SHOPLIFTING"): 1}  # the newer's truth: no robbery that month


def test_an_older_release_imported_later_changes_only_the_months_nothing_newer_covers(sample_london, tmp_path):
    old, new = write_both(tmp_path)
    crime_import(sources=[new])
    report = crime_import(sources=[old])

    assert [f"{m:%Y-%m}" for m in report.months_added] == ["2023-07", "2023-08", "2023-09", "2023-10"]
    assert len(report.months_kept) == 20 and not report.months_revised
    assert held() == as_plain(expected_from_files([old, new]))


def test_running_it_again_changes_nothing_and_says_so(sample_london, tmp_path):
    paths = write_both(tmp_path)
    crime_import(sources=[tmp_path])
    rows_before = list(WardCrime.objects.order_by("pk").values_list("pk", "counts"))

    report = crime_import(sources=[tmp_path])

    assert not report.changed and report.wards_changed == 0
    assert len(report.months_unchanged) == 28 and not report.months_kept  # rows untouched, ids kept
    assert list(WardCrime.objects.order_by("pk").values_list("pk", "counts")) == rows_before
    out = StringIO()
    call_command("import_crime", *map(str, paths), stdout=out)
    assert "Months added: none; revised: none" in out.getvalue() and "Ward-months changed: 0." in out.getvalue()


def test_a_revised_release_of_the_same_months_replaces_them_and_reports_the_changed_wards(sample_london, tmp_path):
    first = write_release(tmp_path / "a" / "release.csv", NEW_MONTHS, seed=2)
    crime_import(sources=[first])
    revised = write_release(tmp_path / "b" / "release.csv", NEW_MONTHS, seed=3)

    report = crime_import(sources=[revised])

    assert report.months_revised and report.wards_changed > 0
    assert held() == as_plain(expected_from_files([revised]))


def test_the_command_reports_what_it_did(sample_london, tmp_path):
    write_both(tmp_path)
    out = StringIO()
    call_command("import_crime", str(tmp_path), stdout=out)
    assert "Imported 2 release(s)" in out.getvalue()
    assert "Months added: Jul 2023 to Oct 2025" in out.getvalue()


def test_a_ward_not_in_the_geography_is_skipped_and_named(sample_london, tmp_path):
    release = write_release(
        tmp_path / "r.csv",
        rows=[("THEFT", "SHOPLIFTING", "E05099999", [1] * 24), ("THEFT", "SHOPLIFTING", "E05011113", [2] * 24)],
    )
    out = StringIO()
    call_command("import_crime", str(release), stdout=out)
    assert "Skipped wards not in the geography: E05099999" in out.getvalue()
    assert set(WardCrime.objects.values_list("ward_id", flat=True)) == {"E05011113"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda text: text.replace("MajorText", "Major"), "is not the MPS ward crime table"),
        (lambda text: text.replace("202311", "2023-11"), "every column should be a month"),
        (lambda text: text.replace("202312", "202401", 1), "one after another"),
        (lambda text: text.replace(",8,", ",eight,", 1), r"row \d+: every month's count should be a whole number"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_naming_the_problem_and_nothing_changes(
    sample_london, tmp_path, change, message
):
    good = write_release(tmp_path / "good" / "r.csv", OLD_MONTHS, seed=1)
    crime_import(sources=[good])
    before = held()
    bad = write_release(tmp_path / "bad" / "r.csv", NEW_MONTHS, seed=2)
    bad.write_text(change(bad.read_text()))

    with pytest.raises(CommandError, match=message):
        call_command("import_crime", str(good), str(bad), stdout=StringIO())
    assert held() == before


def test_without_the_geography_it_says_to_import_that_first(db, tmp_path):
    with pytest.raises(CrimeFileError, match="Import the geography first"):
        crime_import(sources=[write_release(tmp_path / "r.csv")])


def test_a_missing_path_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_crime", str(tmp_path / "missing.csv"), stdout=StringIO())


def test_if_empty_leaves_figures_already_held_alone(sample_london, tmp_path, settings):
    old, new = write_both(tmp_path)
    crime_import(sources=[old])
    settings.SN_CRIME_DATA = str(new)
    out = StringIO()
    call_command("import_crime", "--if-empty", stdout=out)
    assert "already imported" in out.getvalue()
    assert CrimeMonth.objects.count() == 24


@pytest.fixture
def served(tmp_path):
    """A folder served over HTTP on this machine, standing in for the publishers' download addresses:
    yields (folder, its address)."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=str(folder))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_scheduled_refresh_fetches_the_configured_release_and_merges_it(sample_london, served, settings):
    folder, address = served
    old, new = write_both(folder)
    crime_import(sources=[old])
    settings.SN_CRIME_DOWNLOAD_URL = f"{address}/{new.name.replace(' ', '%20')}"
    first = figures_refresh.delay().get()
    again = figures_refresh.delay().get()

    assert first["crime"]["months_added"] == 4 and first["crime"]["months_revised"] == 20
    assert again["crime"] == {"months_added": 0, "months_revised": 0, "wards_changed": 0}
    assert held() == as_plain(expected_from_files([old, new]))


def test_the_scheduled_refresh_fetches_the_survey_table_too(sample_london, served, settings):
    folder, address = served
    write_confidence_workbook(folder / "PAS_dashboard.xlsx")
    settings.SN_CONFIDENCE_DOWNLOAD_URL = f"{address}/PAS_dashboard.xlsx"
    first = figures_refresh.delay().get()
    again = figures_refresh.delay().get()

    assert first == {"confidence": {"added": len(expected_rows()), "changed": 0, "removed": 0}}
    assert again == {"confidence": {"added": 0, "changed": 0, "removed": 0}}
    assert (
        set(
            ConfidenceMeasure.objects.values_list(
                "borough_id", "measure", "quarter_end", "proportion", "london_proportion"
            )
        )
        == expected_rows()
    )


def test_the_refresh_does_nothing_without_an_address_and_downloads_only_over_https(sample_london, settings):
    settings.SN_CRIME_DOWNLOAD_URL = settings.SN_CONFIDENCE_DOWNLOAD_URL = ""
    assert figures_refresh.delay().get() == {}
    settings.SN_CRIME_DOWNLOAD_URL = "http://downloads.example/crime.csv"
    with pytest.raises(OSError, match="must use HTTPS"):
        figures_refresh.delay().get()
