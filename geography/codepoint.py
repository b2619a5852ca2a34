"""Reading OS Code-Point Open in its official layout.

The product arrives as a folder or the zip the Ordnance Survey publishes, laid out as
Data/CSV/<area>.csv (no header row; columns in Doc/Code-Point_Open_Column_Headers.csv) and
Doc/Codelist.xlsx (sheet LBO: London borough names, LBW: London ward names). Everything here reads;
nothing writes to the database.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import openpyxl

from sn_site.downloads import DownloadError, download

LONDON_DISTRICT_PREFIX = "E09"
CITY_OF_LONDON = "E09000001"

# The code list uses formal names; residents and the Met use the everyday ones.
_BOROUGH_NAMES = {
    "City and County of the City of London": "City of London",
    "City of Westminster": "Westminster",
}
_SUFFIXES = re.compile(r" (London Boro|Ward)$")


class CodePointError(Exception):
    """The files are not OS Code-Point Open as published."""


@dataclass(frozen=True)
class CodePointRow:
    postcode: str  # as published: 7 characters, outward code padded ("E1  6AN") or spaced
    eastings: int
    northings: int
    district_code: str
    ward_code: str


def clean_name(name: str) -> str:
    name = _SUFFIXES.sub("", name.strip())
    return _BOROUGH_NAMES.get(name, name)


class CodePointSource:
    """A Code-Point Open release: a folder (or a folder holding one) or the official zip."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.exists():
            raise CodePointError(f"{self.path} does not exist.")
        self._zip = zipfile.ZipFile(self.path) if zipfile.is_zipfile(self.path) else None
        names = self._zip.namelist() if self._zip else [str(p.relative_to(self.path)) for p in self.path.rglob("*")]
        names = [n.replace("\\", "/") for n in names]
        codelists = [n for n in names if n == "Doc/Codelist.xlsx" or n.endswith("/Doc/Codelist.xlsx")]
        if len(codelists) != 1:
            found = "none" if not codelists else ", ".join(sorted(codelists))
            raise CodePointError(
                f"{self.path} must hold exactly one OS Code-Point Open release "
                f"(Data/CSV/*.csv and Doc/Codelist.xlsx); found code lists: {found}."
            )
        # Everything is read from the one release's own folder.
        self.root = codelists[0].removesuffix("Doc/Codelist.xlsx")
        self._codelist_name = codelists[0]
        self._csv_names = sorted(n for n in names if n.startswith(self.root) and _is_data_csv(n[len(self.root) :]))
        headers = f"{self.root}Doc/Code-Point_Open_Column_Headers.csv"
        self._headers_name = headers if headers in names else None
        if not self._csv_names:
            raise CodePointError(f"{self.path} has a code list but no Data/CSV/*.csv files.")

    def _open(self, name: str):
        if self._zip:
            return self._zip.open(name)
        return (self.path / name).open("rb")

    def _column_positions(self) -> dict[str, int]:
        wanted = {"PC": "postcode", "EA": "eastings", "NO": "northings", "DC": "district", "WC": "ward"}
        if not self._headers_name:
            return {"postcode": 0, "eastings": 2, "northings": 3, "district": 8, "ward": 9}
        with self._open(self._headers_name) as raw:
            short_names = next(csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig")))
        positions = {wanted[n.strip()]: i for i, n in enumerate(short_names) if n.strip() in wanted}
        if len(positions) != len(wanted):
            raise CodePointError("The column headers file does not name PC, EA, NO, DC and WC.")
        return positions

    @property
    def csv_names(self) -> list[str]:
        return self._csv_names

    def london_rows(self, csv_name: str) -> Iterator[CodePointRow]:
        """The rows of one area file whose district is a London borough."""
        cols = self._column_positions()
        with self._open(csv_name) as raw:
            for record in csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline="")):
                if len(record) <= max(cols.values()):
                    continue
                district = record[cols["district"]]
                if not district.startswith(LONDON_DISTRICT_PREFIX):
                    continue
                try:
                    eastings, northings = int(record[cols["eastings"]]), int(record[cols["northings"]])
                except ValueError:
                    continue
                yield CodePointRow(record[cols["postcode"]], eastings, northings, district, record[cols["ward"]])

    def names(self) -> tuple[dict[str, str], dict[str, str]]:
        """Borough and ward names by code, from the code list's LBO and LBW sheets."""
        with self._open(self._codelist_name) as raw:
            book = openpyxl.load_workbook(io.BytesIO(raw.read()), read_only=True)
        try:
            return _sheet_names(book, "LBO"), _sheet_names(book, "LBW")
        finally:
            book.close()


def _is_data_csv(name: str) -> bool:
    path = PurePosixPath(name)
    return path.suffix.lower() == ".csv" and path.parent.parts == ("Data", "CSV")


def _sheet_names(book, sheet: str) -> dict[str, str]:
    if sheet not in book.sheetnames:
        raise CodePointError(f"Doc/Codelist.xlsx has no {sheet} sheet.")
    names = {}
    for row in book[sheet].iter_rows(values_only=True):
        if len(row) >= 2 and row[0] and row[1]:
            names[str(row[1]).strip()] = clean_name(str(row[0]))
    return names


# The whole of Great Britain is about 50 MB zipped; anything far larger is not Code-Point Open.
MAX_DOWNLOAD_BYTES = 500 * 1024 * 1024


def download_codepoint(url: str, folder: Path) -> Path:
    """Fetch the Code-Point Open zip into a folder and return its path."""
    try:
        target = download(url, folder / "codepo_gb.zip", max_bytes=MAX_DOWNLOAD_BYTES)
    except DownloadError as error:
        raise CodePointError(str(error)) from error
    if not zipfile.is_zipfile(target):
        raise CodePointError(f"The download from {url} is not a zip file.")
    return target
