"""Releases of the MPS ward crime table in its official layout, for the sample geography's Met
wards, and a recomputation of the merged figures straight from any releases' files (not through
the importer), used for the sample and for the whole of London alike."""

import csv
import datetime
import random
from collections import defaultdict
from pathlib import Path

HEADER = ["MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName"]
# The sample geography's Met wards (tests/geography/codepoint_sample.py); the City's are not the Met's.
WARDS = {
    "E05011110": ("Peckham", "Southwark"),
    "E05011113": ("Rye Lane", "Southwark"),
    "E05013802": ("Pimlico North", "Westminster"),
    "E05013806": ("St. James's", "Aviation Security (SO18)"),  # a ward listed under a Met unit, not its borough
    "E05013807": ("Vincent Square", "Westminster"),
}
CATEGORIES = [
    ("BURGLARY", "RES BURGLARY OF A HOME"),
    ("BURGLARY", "BURGLARY BUSINESS AND COMMUNITY"),
    ("THEFT", "SHOPLIFTING"),
    ("THEFT", "OTHER THEFT"),
    ("VEHICLE OFFENCES", "THEFT FROM A VEHICLE"),
    ("VIOLENCE AGAINST THE PERSON", "VIOLENCE WITH INJURY"),
    ("DRUG OFFENCES", "POSSESSION OF DRUGS"),
]
# The two real releases' windows: 24 months each, overlapping by 20.
OLD_MONTHS = (datetime.date(2023, 7, 1), 24)
NEW_MONTHS = (datetime.date(2023, 11, 1), 24)


def months_from(first: datetime.date, count: int) -> list[datetime.date]:
    index = first.year * 12 + first.month - 1
    return [datetime.date((index + n) // 12, (index + n) % 12 + 1, 1) for n in range(count)]


def write_release(path: Path, window=NEW_MONTHS, *, seed: int = 1, rows=None) -> Path:
    """A release as the MPS publishes it. Rows are (major, minor, ward code, [counts]); by default
    made up from the seed, leaving out rows that are all zeros as the MPS does."""
    months = months_from(*window)
    if rows is None:
        rng = random.Random(seed)
        rows = []
        for ward in WARDS:
            for major, minor in CATEGORIES:
                counts = [rng.choice([0, 0, 1, 2, 3, 5, 8]) for _ in months]
                if any(counts):
                    rows.append((major, minor, ward, counts))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER + [f"{month:%Y%m}" for month in months])
        for major, minor, ward, counts in rows:
            name, borough = WARDS.get(ward, ("Somewhere", "Nowhere"))
            writer.writerow([major, minor, name, ward, borough, *counts])
    return path


def write_both(folder: Path) -> list[Path]:
    """An older and a newer release, overlapping, with different figures for the months they share."""
    return [
        write_release(folder / "MPS Ward Level Crime 2023-07 to 2025-06.csv", OLD_MONTHS, seed=1),
        write_release(folder / "MPS Ward Level Crime 2023-11 to 2025-10.csv", NEW_MONTHS, seed=2),
    ]


def expected_from_files(paths) -> dict[str, dict[str, dict[tuple[str, str], int]]]:
    """{ward: {"YYYY-MM": {(major, minor): count}}} under the rule that for each month the release
    whose months end latest is the truth for all of that month. Zeros left out."""
    releases = []
    for path in paths:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
        months = rows[0][5:]
        releases.append((max(months), months, rows[1:]))
    winner = {}
    for last, months, _ in releases:
        for month in months:
            winner[month] = max(winner.get(month, ""), last)
    figures = defaultdict(lambda: defaultdict(dict))
    for last, months, rows in releases:
        for row in rows:
            for month, cell in zip(months, row[5:], strict=True):
                if winner[month] == last and int(cell):
                    figures[row[3]][f"{month[:4]}-{month[4:]}"][(row[0], row[1])] = int(cell)
    return figures


def all_months(paths) -> list[str]:
    months = set()
    for path in paths:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            months.update(next(csv.reader(handle))[5:])
    return [f"{month[:4]}-{month[4:]}" for month in sorted(months)]
