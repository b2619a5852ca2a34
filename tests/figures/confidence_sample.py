"""A small PAS borough table in MOPAC's published layouts, for the test geography's boroughs: the CSV
export (decimal commas in quoted fields, D/M/YYYY dates, four empty columns after MPS, borough
names as MOPAC writes them and not always the same way) and the dashboard workbook's Borough sheet."""

import csv
import datetime
from pathlib import Path

import openpyxl

SOUTHWARK, WESTMINSTER, CITY = "E09000028", "E09000033", "E09000001"
GOOD_JOB, TRUST = '"Good Job" local', "Trust MPS"
QUARTERS = [
    datetime.date(2022, 12, 31),
    datetime.date(2023, 3, 31),
    datetime.date(2023, 6, 30),
    datetime.date(2023, 9, 30),
    datetime.date(2023, 12, 31),
]
# (borough code, measure) -> the borough's proportions and London's, one for each quarter above.
# Trust MPS for Westminster starts a quarter late, as Trust MPS did in the real table.
FIGURES = {
    (SOUTHWARK, GOOD_JOB): ([0.52, 0.54, 0.55, 0.55, 0.56], [0.51, 0.52, 0.53, 0.54, 0.55]),
    (SOUTHWARK, TRUST): ([0.66, 0.64, 0.62, 0.61, 0.6], [0.7, 0.68, 0.66, 0.64, 0.63]),
    (WESTMINSTER, GOOD_JOB): ([0.61, 0.6, 0.6, 0.59, 0.58], [0.51, 0.52, 0.53, 0.54, 0.55]),
    (WESTMINSTER, TRUST): ([None, 0.7, 0.71, 0.72, 0.73], [0.7, 0.68, 0.66, 0.64, 0.63]),
}
# MOPAC's names for them, which vary between quarters.
NAMES = {SOUTHWARK: ["Southwark"], WESTMINSTER: ["City of Westminster", "City Of Westminster"]}


def expected_rows() -> set[tuple]:
    """(borough, measure, quarter_end, proportion, london_proportion) for every row of the sample."""
    return {
        (borough, measure, quarter, mine, london)
        for (borough, measure), (mines, londons) in FIGURES.items()
        for quarter, mine, london in zip(QUARTERS, mines, londons, strict=True)
        if mine is not None
    }


def sample_rows() -> list[list]:
    """The rows as MOPAC's table has them, without the header: date, survey, borough, measure, the
    borough's proportion and London's, sorted as MOPAC sorts them (date, measure, borough)."""
    rows = []
    for number, quarter in enumerate(QUARTERS):
        for measure in (GOOD_JOB, TRUST):
            for borough in (SOUTHWARK, WESTMINSTER):
                mines, londons = FIGURES[(borough, measure)]
                if mines[number] is None:
                    continue
                names = NAMES[borough]
                name = names[number % len(names)]
                rows.append([quarter, "PAS", name, measure, mines[number], londons[number]])
    return rows


def _comma(value) -> str:
    return f"{value:g}".replace(".", ",")


def write_confidence_csv(path: Path, rows: list[list] | None = None) -> Path:
    """The CSV as MOPAC's export has it. Rows may hold text in place of a date or a number (to
    break the file) and may be longer than six columns (stray values after MPS)."""
    rows = sample_rows() if rows is None else rows
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["Date", "Survey", "Borough", "Measure", "Proportion", "MPS", "", "", "", ""])
        for row in rows:
            date, survey, borough, measure, mine, london, *more = row
            if isinstance(date, datetime.date):
                date = f"{date.day}/{date.month}/{date.year}"
            mine, london = (_comma(v) if isinstance(v, float) else v for v in (mine, london))
            writer.writerow([date, survey, borough, measure, mine, london, *(more or ["", "", "", ""])])
    return path


def write_confidence_workbook(path: Path, rows: list[list] | None = None) -> Path:
    """The dashboard workbook: a contents sheet first, then the Borough sheet with a title above
    its table, real dates and real numbers."""
    rows = sample_rows() if rows is None else rows
    workbook = openpyxl.Workbook()
    workbook.active.title = "Contents"
    workbook.active.append(["PAS Trust & Confidence dashboard"])
    sheet = workbook.create_sheet("Borough")
    sheet.append(["PAS borough measures"])
    sheet.append([])
    sheet.append(["Date", "Survey", "Borough", "Measure", "Proportion", "MPS"])
    for row in rows:
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
