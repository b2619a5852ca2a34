"""Importing MOPAC's Public Attitude Survey borough table: `manage.py import_confidence`."""

import datetime
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from figures.models import ConfidenceMeasure
from figures.selectors import borough_confidence
from tests.figures.confidence_sample import (
    GOOD_JOB,
    SOUTHWARK,
    TRUST,
    WESTMINSTER,
    expected_rows,
    sample_rows,
    write_confidence_csv,
    write_confidence_workbook,
)


def stored() -> set[tuple]:
    return set(
        ConfidenceMeasure.objects.values_list("borough_id", "measure", "quarter_end", "proportion", "london_proportion")
    )


def run(*args) -> str:
    out = StringIO()
    call_command("import_confidence", *map(str, args), stdout=out)
    return out.getvalue()


def test_without_boroughs_the_import_says_to_import_the_geography_first(db, tmp_path):
    with pytest.raises(CommandError, match="run import_geography first. Nothing was imported."):
        run(write_confidence_csv(tmp_path / "PAS_Dashboard_Borough.csv"))


def test_the_published_csv_is_imported_value_for_value(sample_london, tmp_path):
    output = run(write_confidence_csv(tmp_path / "PAS_Dashboard_Borough.csv"))

    assert stored() == expected_rows()
    assert "Imported 19 rows for 2 boroughs, quarters ending 31/12/2022 to 31/12/2023" in output
    assert "19 added, 0 changed, 0 unchanged, 0 removed" in output


def test_a_second_run_changes_nothing_and_says_so(sample_london, tmp_path):
    path = write_confidence_csv(tmp_path / "PAS_Dashboard_Borough.csv")
    run(path)
    before = set(ConfidenceMeasure.objects.values_list("pk", "proportion"))

    output = run(path)

    assert "0 added, 0 changed, 19 unchanged, 0 removed" in output
    assert set(ConfidenceMeasure.objects.values_list("pk", "proportion")) == before


def test_a_new_release_is_merged_row_by_row(sample_london, tmp_path):
    run(write_confidence_csv(tmp_path / "old.csv"))
    rows = sample_rows()
    rows[0][4] = 0.49  # MOPAC revised Southwark's "Good Job" local for 31/12/2022
    del rows[1]  # and dropped Westminster's
    rows.append([datetime.date(2024, 3, 31), "PAS", "Southwark", GOOD_JOB, 0.57, 0.56])

    output = run(write_confidence_csv(tmp_path / "new.csv", rows))

    assert "1 added, 1 changed, 17 unchanged, 1 removed" in output
    southwark = dict(
        ConfidenceMeasure.objects.filter(borough=SOUTHWARK, measure=GOOD_JOB).values_list("quarter_end", "proportion")
    )
    assert southwark[datetime.date(2022, 12, 31)] == 0.49 and southwark[datetime.date(2024, 3, 31)] == 0.57
    assert not ConfidenceMeasure.objects.filter(
        borough=WESTMINSTER, measure=GOOD_JOB, quarter_end=datetime.date(2022, 12, 31)
    ).exists()


def test_an_unknown_borough_refuses_the_whole_file_naming_its_row(sample_london, tmp_path):
    run(write_confidence_csv(tmp_path / "first.csv"))
    rows = sample_rows()
    rows[0][4] = 0.99  # a change that must not be kept
    rows[5][2] = "Westminister"  # row 7 of the file, the header being row 1

    with pytest.raises(CommandError) as refused:
        run(write_confidence_csv(tmp_path / "typo.csv", rows))

    assert str(refused.value) == ('Row 7: "Westminister" is not a London borough the site knows. Nothing was imported.')
    assert stored() == expected_rows()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (4, "0,5x", 'Row 4: Proportion "0,5x" is not a proportion such as 0,56 or 0.56.'),
        (5, "", 'Row 4: MPS "" is not a proportion such as 0,56 or 0.56.'),
        (4, "56", "Row 4: Proportion 56.0 is not a proportion between 0 and 1."),
        (0, "31/13/2023", 'Row 4: the date "31/13/2023" is not a date as D/M/YYYY (such as 31/12/2023).'),
        (0, "15/12/2023", "Row 4: 15/12/2023 is not the last day of a quarter."),
        (1, "UCS", 'Row 4: the survey is "UCS", not the Public Attitude Survey (PAS).'),
    ],
)
def test_a_row_that_cannot_be_read_refuses_the_file_naming_it(sample_london, tmp_path, column, value, message):
    rows = sample_rows()
    rows[2][column] = value

    with pytest.raises(CommandError) as refused:
        run(write_confidence_csv(tmp_path / "bad.csv", rows))

    assert str(refused.value) == f"{message} Nothing was imported."
    assert not ConfidenceMeasure.objects.exists()


def test_the_same_figure_twice_refuses_the_file(sample_london, tmp_path):
    rows = sample_rows()
    rows.append(list(rows[0]))

    with pytest.raises(CommandError, match=r"^Row 21: Southwark, \"Good Job\" local, 31/12/2022 is already in row 2"):
        run(write_confidence_csv(tmp_path / "twice.csv", rows))


def test_stray_values_after_mps_are_ignored_and_reported(sample_london, tmp_path):
    rows = sample_rows()
    rows[3] += ["", "", "Trust", "0,71"]  # as one row of the real table has

    output = run(write_confidence_csv(tmp_path / "stray.csv", rows))

    assert stored() == expected_rows()
    assert "Ignored values in the unnamed columns after MPS on row(s) 5." in output


def test_the_dashboard_workbook_imports_the_same_figures(sample_london, tmp_path):
    output = run(write_confidence_workbook(tmp_path / "PAS_T&Cdashboard_to Q3 23-24.xlsx"))

    assert stored() == expected_rows()
    assert "19 added" in output


def test_a_workbook_without_a_borough_sheet_is_refused(sample_london, tmp_path):
    path = write_confidence_workbook(tmp_path / "dashboard.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["Borough"].title = "MPS"
    workbook.save(path)

    with pytest.raises(CommandError, match=r'dashboard.xlsx has no "Borough" sheet \(it has: Contents, MPS\)'):
        run(path)


def test_a_folder_is_read_passing_over_a_tidy_copy(sample_london, tmp_path, settings):
    write_confidence_csv(tmp_path / "pas" / "PAS_Dashboard_Borough.csv")
    (tmp_path / "pas" / "pas_borough_confidence_tidy.csv").write_text("quarter_end,borough\n2023-12-31,Narnia\n")
    (tmp_path / "pas" / "README.md").write_text("Not data.")
    settings.SN_CONFIDENCE_DATA = str(tmp_path / "pas")

    output = run()

    assert "from PAS_Dashboard_Borough.csv: 19 added" in output
    assert stored() == expected_rows()


def test_a_folder_with_two_tables_is_refused(sample_london, tmp_path):
    write_confidence_csv(tmp_path / "pas" / "PAS_Dashboard_Borough.csv")
    write_confidence_workbook(tmp_path / "pas" / "dashboard.xlsx")

    with pytest.raises(
        CommandError, match=r"more than one possible file \(PAS_Dashboard_Borough.csv, dashboard.xlsx\)"
    ):
        run(tmp_path / "pas")


def test_with_no_path_and_no_setting_the_command_says_what_to_give(db, settings):
    settings.SN_CONFIDENCE_DATA = ""
    with pytest.raises(CommandError, match="Give the file to import, or set SN_CONFIDENCE_DATA."):
        run()


def test_if_empty_leaves_figures_already_loaded(sample_london, tmp_path):
    run(write_confidence_csv(tmp_path / "first.csv"))
    rows = sample_rows()
    rows[0][4] = 0.99

    output = run(write_confidence_csv(tmp_path / "second.csv", rows), "--if-empty")

    assert "already imported; skipping" in output
    assert stored() == expected_rows()


def test_an_import_starts_the_cached_figures_afresh(sample_london, tmp_path, django_capture_on_commit_callbacks):
    assert borough_confidence(SOUTHWARK) is None  # and that is kept in the cache

    with django_capture_on_commit_callbacks(execute=True):
        run(write_confidence_csv(tmp_path / "PAS_Dashboard_Borough.csv"))

    trust = borough_confidence(SOUTHWARK).measures[1]
    assert (trust.measure, trust.latest.borough) == (TRUST, 0.6)
