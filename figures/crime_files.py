"""Reading the MPS "Ward Level Crime (most recent 24 months)" table as the Met publishes it on the
London Datastore: one row per ward and crime category (major and minor), one column per month
(`YYYYMM`) with the crimes recorded in that ward that month. Rows are only published where some
month is not zero, so a category missing from a release had no crimes in its window."""

import csv
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

COLUMNS = ["MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName"]
_MONTH = re.compile(r"(\d{4})(\d{2})")


class CrimeFileError(ValueError):
    """A file that is not the MPS ward crime table, or one with a row that cannot be read."""


@dataclass
class CrimeRelease:
    """One release of the table: the months it covers, oldest first, and for each ward it names,
    each month's counts as {major: {minor: n}}, without zeros (a month with none has no entry)."""

    path: Path
    months: list[datetime.date]
    counts: dict[str, dict[datetime.date, dict[str, dict[str, int]]]] = field(default_factory=dict)
    ward_names: dict[str, str] = field(default_factory=dict)

    @property
    def ends(self) -> datetime.date:
        return self.months[-1]


def month_of(column: str) -> datetime.date | None:
    found = _MONTH.fullmatch(column.strip())
    if not found or not 1 <= int(found[2]) <= 12:
        return None
    return datetime.date(int(found[1]), int(found[2]), 1)


def crime_files_in(path: Path) -> list[Path]:
    """The CSV files a path names: itself, or every CSV in a folder."""
    path = Path(path)
    if not path.exists():
        raise CrimeFileError(f"{path} does not exist.")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        if not files:
            raise CrimeFileError(f"{path} holds no CSV files.")
        return files
    return [path]


def crime_release_read(path: Path) -> CrimeRelease:
    """One release, checked: the MPS's columns, a run of consecutive months, whole numbers."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [name.strip() for name in header[: len(COLUMNS)]] != COLUMNS:
            raise CrimeFileError(
                f"{path.name} is not the MPS ward crime table: its first columns should be {', '.join(COLUMNS)}."
            )
        months = [month_of(column) for column in header[len(COLUMNS) :]]
        if not months or None in months:
            raise CrimeFileError(f"{path.name}: after {COLUMNS[-1]} every column should be a month, YYYYMM.")
        expected = [add_months(months[0], n) for n in range(len(months))]
        if months != expected:
            raise CrimeFileError(f"{path.name}: the month columns should run one after another, oldest first.")
        release = CrimeRelease(path=path, months=months)
        seen = set()
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise CrimeFileError(f"{path.name}, row {number}: {len(row)} columns, not {len(header)}.")
            major, minor, ward_name, ward, _borough = (cell.strip() for cell in row[: len(COLUMNS)])
            if not (major and minor and ward):
                raise CrimeFileError(f"{path.name}, row {number}: the categories and the ward code are needed.")
            try:
                values = [int(cell) for cell in row[len(COLUMNS) :]]
            except ValueError:
                raise CrimeFileError(
                    f"{path.name}, row {number}: every month's count should be a whole number."
                ) from None
            if min(values) < 0:
                raise CrimeFileError(f"{path.name}, row {number}: a count below zero.")
            if (ward, major, minor) in seen:
                raise CrimeFileError(f"{path.name}, row {number}: {ward} {major} / {minor} is listed twice.")
            seen.add((ward, major, minor))
            release.ward_names.setdefault(ward, ward_name)
            of_ward = release.counts.setdefault(ward, {})
            for month, value in zip(months, values, strict=True):
                if value:
                    of_ward.setdefault(month, {}).setdefault(major, {})[minor] = value
    return release


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)
