"""Reading MOPAC's Public Attitude Survey borough table as it is published: the "Borough" sheet of
the PAS dashboard workbook, or its CSV export (decimal commas, D/M/YYYY dates, empty columns after
MPS). Only reads: which borough a name means is the import's business (figures.services)."""

import csv
import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

COLUMNS = ("date", "survey", "borough", "measure", "proportion", "mps")
SURVEY = "PAS"
SHEET = "borough"
_HEADER_SEARCH_ROWS = 20  # a workbook may have a title or notes above the table
_QUARTER_END_DAYS = {(3, 31), (6, 30), (9, 30), (12, 31)}
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")  # "0,56" as exported in Europe, or "0.56"
MEASURE_MAX_LENGTH = 60  # figures.models.ConfidenceMeasure.measure


class ConfidenceFileError(Exception):
    """The file is not MOPAC's borough table as published, or a row of it cannot be read: the
    message names the file's row (as a spreadsheet numbers it, the header being row 1)."""


@dataclass(frozen=True)
class ConfidenceRow:
    row: int
    quarter_end: datetime.date
    borough: str
    measure: str
    proportion: float
    london_proportion: float


@dataclass
class ConfidenceTable:
    path: Path
    rows: list[ConfidenceRow]
    # Rows carrying values in the unnamed columns after MPS (one upstream row does); ignored.
    rows_with_stray_values: list[int] = field(default_factory=list)


def confidence_file_in(path: Path) -> Path:
    """The table itself: path when it is a file, else the one CSV or workbook in the folder (any
    "tidy" copy made for reading by eye is not the published table, and is passed over)."""
    path = Path(path)
    if not path.exists():
        raise ConfidenceFileError(f"{path} does not exist.")
    if path.is_file():
        return path
    found = sorted(
        p
        for p in path.iterdir()
        if p.is_file()
        and p.suffix.lower() in (".csv", ".xlsx")
        and "tidy" not in p.name.lower()
        and not p.name.startswith("~$")  # Excel's lock file while the workbook is open
    )
    if not found:
        raise ConfidenceFileError(f"{path} holds no CSV or .xlsx file of the PAS borough table.")
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise ConfidenceFileError(f"{path} holds more than one possible file ({names}): give the one to import.")
    return found[0]


def confidence_table(path: Path) -> ConfidenceTable:
    """Every row of the table, checked: all of it readable or a ConfidenceFileError naming the
    first row that is not."""
    path = confidence_file_in(path)
    cells = _workbook_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    table = ConfidenceTable(path=path, rows=[])
    header_seen = False
    for number, values in cells:
        if not header_seen:
            header_seen = _is_header(values)
            if not header_seen and number >= _HEADER_SEARCH_ROWS:
                break
            continue
        if all(_blank(value) for value in values):
            continue
        if len(values) < len(COLUMNS):
            raise ConfidenceFileError(f"Row {number}: expected {len(COLUMNS)} columns, found {len(values)}.")
        if any(not _blank(value) for value in values[len(COLUMNS) :]):
            table.rows_with_stray_values.append(number)
        table.rows.append(_row(number, values[: len(COLUMNS)]))
    if not header_seen:
        raise ConfidenceFileError(
            f"{path.name}: no header row with the columns Date, Survey, Borough, Measure, Proportion, MPS "
            "(MOPAC's PAS borough table)."
        )
    if not table.rows:
        raise ConfidenceFileError(f"{path.name} has a header but no rows.")
    return table


def _csv_rows(path: Path) -> Iterator[tuple[int, list]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from enumerate(csv.reader(handle), start=1)
    except UnicodeDecodeError as error:
        raise ConfidenceFileError(f"{path.name} is not a UTF-8 CSV file: {error}") from error


def _workbook_rows(path: Path) -> Iterator[tuple[int, list]]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ConfidenceFileError(f"{path.name} cannot be read as an Excel workbook: {error}") from error
    try:
        sheet = next((s for s in workbook.worksheets if s.title.strip().lower() == SHEET), None)
        if sheet is None:
            names = ", ".join(s.title for s in workbook.worksheets)
            raise ConfidenceFileError(f'{path.name} has no "Borough" sheet (it has: {names}).')
        yield from enumerate((list(values) for values in sheet.iter_rows(values_only=True)), start=1)
    finally:
        workbook.close()


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_header(values: Iterable) -> bool:
    names = [str(value).strip().lower() if value is not None else "" for value in values]
    return tuple(names[: len(COLUMNS)]) == COLUMNS


def _row(number: int, values: list) -> ConfidenceRow:
    date, survey, borough, measure, proportion, mps = values
    survey, borough, measure = (" ".join(str(v or "").split()) for v in (survey, borough, measure))
    if survey.upper() != SURVEY:
        raise ConfidenceFileError(f'Row {number}: the survey is "{survey}", not the Public Attitude Survey (PAS).')
    if not borough:
        raise ConfidenceFileError(f"Row {number}: no borough.")
    if not measure or len(measure) > MEASURE_MAX_LENGTH:
        raise ConfidenceFileError(f'Row {number}: "{measure}" is not a measure name.')
    return ConfidenceRow(
        row=number,
        quarter_end=_quarter_end(number, date),
        borough=borough,
        measure=measure,
        proportion=_proportion(number, "Proportion", proportion),
        london_proportion=_proportion(number, "MPS", mps),
    )


def _quarter_end(number: int, value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        date = value.date()
    elif isinstance(value, datetime.date):
        date = value
    else:
        text = str(value or "").strip()
        day_month_year, iso = _DAY_MONTH_YEAR.fullmatch(text), _ISO_DATE.fullmatch(text)
        try:
            if day_month_year:
                day, month, year = map(int, day_month_year.groups())
                date = datetime.date(year, month, day)
            elif iso:
                date = datetime.date(*map(int, iso.groups()))
            else:
                raise ValueError
        except ValueError:
            raise ConfidenceFileError(
                f'Row {number}: the date "{text}" is not a date as D/M/YYYY (such as 31/12/2023).'
            ) from None
    if (date.month, date.day) not in _QUARTER_END_DAYS:
        raise ConfidenceFileError(f"Row {number}: {date:%d/%m/%Y} is not the last day of a quarter.")
    return date


def _proportion(number: int, column: str, value) -> float:
    if isinstance(value, bool):
        value = None  # not a number, however Python sees it
    if isinstance(value, int | float):
        proportion = float(value)
    else:
        text = str(value or "").strip()
        if not _DECIMAL.fullmatch(text):
            raise ConfidenceFileError(f'Row {number}: {column} "{text}" is not a proportion such as 0,56 or 0.56.')
        proportion = float(text.replace(",", "."))
    if not 0 <= proportion <= 1:
        raise ConfidenceFileError(f"Row {number}: {column} {proportion} is not a proportion between 0 and 1.")
    return proportion
