"""Reading the ONS boundary files (the Open Geography Portal's "Wards (May 2024) Boundaries UK BGC",
its Local Authority Districts, ...): GeoJSON or ESRI shapefile, in British National Grid metres or
WGS84 degrees, one feature at a time, so that the UK-wide files need not be held whole.

A file's features are recognised by their ONS code property, named after the product's year:
WD24CD for wards, LAD24CD for local authority districts (London's boroughs).
"""

import json
import re
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import shapefile
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import shape

from .outlines import OSGB, WGS84, to_osgb

CODE_PROPERTY = {"ward": r"WD\d\dCD", "borough": r"LAD\d\dCD"}
_CODE_SHOWN = {"ward": "WDyyCD", "borough": "LADyyCD"}
_WHAT = {"ward": "ward", "borough": "local authority district"}

_CHUNK = 1 << 20
_MONTHS = ["January", "February", "March", "April", "May", "June"]
_MONTHS += ["July", "August", "September", "October", "November", "December"]


# A feature as read: its properties, its geometry, the coordinate system named, the file's name.
_Feature = tuple[dict, dict | None, CRS | None, str]


class BoundaryFileError(Exception):
    """A file that is not an ONS boundary file of the kind wanted, or cannot be read."""


@dataclass(frozen=True)
class Boundary:
    """One feature of a boundary file: its ONS code, its properties and its geometry as given."""

    code: str
    properties: dict
    geometry: dict  # GeoJSON-like, in the file's coordinates
    crs: CRS | None  # None: not named by the file, told apart by the numbers (metres or degrees)
    file_name: str  # the file read: a shapefile's own name, in a folder or a zip

    def osgb(self):
        """The geometry in British National Grid metres (shapely)."""
        return to_osgb(shape(self.geometry), self._coordinate_system())

    def first_point_osgb(self):
        """A point of the outline in National Grid metres: cheaper than the whole, to tell quickly
        whether a boundary can be anywhere near a place."""
        x, y = _first_coordinate(self.geometry)[:2]
        return to_osgb(shapely.Point(x, y), self._coordinate_system())

    def in_wgs84(self) -> bool:
        crs = self._coordinate_system()
        return crs.is_geographic and crs.ellipsoid.name == "WGS 84"

    def _coordinate_system(self) -> CRS:
        if self.crs is not None:
            return self.crs
        # The file names no coordinate system: metres are the National Grid, degrees WGS84.
        x, y = _first_coordinate(self.geometry)[:2]
        return OSGB if abs(x) > 180 or abs(y) > 90 else WGS84


def boundaries_read(path: Path, kind: str) -> Iterator[Boundary]:
    """The features of an ONS boundary file of a kind ("ward" or "borough"), one at a time: a
    GeoJSON file, or an ESRI shapefile (its .shp, a folder holding one, or a zip of one).
    Raises BoundaryFileError, saying what is wrong, for anything else."""
    path = Path(path)
    if not path.exists():
        raise BoundaryFileError(f"{path} does not exist.")
    if path.is_file() and path.suffix.lower() in (".geojson", ".json"):
        yield from _checked(_geojson_features(path), path, kind)
    elif path.is_dir() or path.suffix.lower() in (".shp", ".zip"):
        yield from _checked(_shapefile_features(path), path, kind)
    else:
        raise BoundaryFileError(
            f"{path.name} is not a boundary file: give a GeoJSON file (.geojson), a shapefile (.shp), "
            "or a folder or zip holding one."
        )


def _checked(features: Iterator[_Feature], path: Path, kind: str) -> Iterator[Boundary]:
    key = None
    for properties, geometry, crs, file_name in features:
        if key is None:
            key = next((k for k in properties if re.fullmatch(CODE_PROPERTY[kind], k, re.IGNORECASE)), None)
            if key is None:
                raise BoundaryFileError(
                    f"{path.name} is not an ONS {_WHAT[kind]} boundary file: its features have no "
                    f"{_CODE_SHOWN[kind]} property (they have {', '.join(properties) or 'none'})."
                )
        code = str(properties.get(key) or "").strip()
        if code and geometry:
            yield Boundary(code, properties, geometry, crs, file_name)
    if key is None:
        raise BoundaryFileError(f"{path.name} holds no boundaries.")


def code_property_year(properties: dict, kind: str) -> str | None:
    """The year a file's code property names (WD24CD: "2024")."""
    key = next((k for k in properties if re.fullmatch(CODE_PROPERTY[kind], k, re.IGNORECASE)), "")
    digits = re.search(r"\d\d", key)
    return f"20{digits.group()}" if digits else None


def product_name(path: Path) -> str | None:
    """The ONS product a boundary file is, from its name as the Open Geography Portal gives it:
    "Wards_May_2024_Boundaries_UK_BGC_-2052357263270616986.geojson" and "WD_MAY_2024_UK_BGC.shp"
    are both "Wards (May 2024) Boundaries UK BGC". None for a name in neither form."""
    named = _PRODUCT.fullmatch(Path(path).name.split(".")[0])
    if not named:
        return None
    what, rest = named["what"].replace("_", " "), named["rest"].replace("_", " ")
    if what.upper() == "WD":  # the short form leaves out "Boundaries"
        what, rest = "Wards", f"Boundaries {rest}"
    month = next(m for m in _MONTHS if m.lower().startswith(named["month"][:3].lower()))
    return f"{what} ({month} {named['year']}) {rest}"


_PRODUCT = re.compile(
    rf"(?P<what>[A-Za-z_]+?)_(?P<month>{'|'.join(_MONTHS + [m[:3] for m in _MONTHS])})_(?P<year>\d{{4}})_"
    r"(?P<rest>[A-Za-z0-9_]+?)(?:_-?\d{6,})?",
    re.IGNORECASE,
)


def _first_coordinate(geometry: dict) -> list:
    coords = geometry.get("coordinates")
    while isinstance(coords, list | tuple) and coords and isinstance(coords[0], list | tuple):
        coords = coords[0]
    if not coords or len(coords) < 2:
        raise BoundaryFileError("A boundary has a geometry with no coordinates.")
    return coords


def _crs(text: str, path: Path) -> CRS:
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise BoundaryFileError(f"{path.name}: its coordinate system ({text[:80]}) is not one we know.") from None


# GeoJSON, read a feature at a time


def _geojson_features(path: Path) -> Iterator[_Feature]:
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        stream = _JsonStream(handle, path)
        stream.expect("{")
        crs = None
        found = False
        while stream.peek() != "}":
            key = stream.value()
            stream.expect(":")
            if key == "features":
                found = True
                stream.expect("[")
                while stream.peek() != "]":
                    feature = stream.value()
                    if not isinstance(feature, dict):
                        raise BoundaryFileError(f"{path.name}: a feature is not a GeoJSON object.")
                    yield feature.get("properties") or {}, feature.get("geometry"), crs, path.name
                    if stream.peek() == ",":
                        stream.expect(",")
                stream.expect("]")
            else:
                value = stream.value()
                if key == "crs" and isinstance(value, dict):
                    name = (value.get("properties") or {}).get("name")
                    crs = _crs(name, path) if name else None
            if stream.peek() == ",":
                stream.expect(",")
        if not found:
            raise BoundaryFileError(f"{path.name} is not a GeoJSON FeatureCollection (it has no features).")


class _JsonStream:
    """Just enough of a streaming JSON reader for a FeatureCollection: the top-level object's
    members one by one, and the features array one feature at a time."""

    def __init__(self, handle, path: Path) -> None:
        self.handle, self.path = handle, path
        self.buffer, self.pos = "", 0
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        chunk = self.handle.read(_CHUNK)
        if not chunk:
            return False
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                raise BoundaryFileError(f"{self.path.name} is not a whole GeoJSON file (it ends too soon).")

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise BoundaryFileError(f"{self.path.name} is not a GeoJSON FeatureCollection.")
        self.pos += 1

    def value(self):
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                if self._more():  # a value that runs on past what has been read so far
                    continue
                if error.pos >= len(self.buffer.rstrip()) - 1 or error.msg.startswith("Unterminated"):
                    raise BoundaryFileError(
                        f"{self.path.name} is not a whole GeoJSON file (it ends too soon)."
                    ) from None
                raise BoundaryFileError(f"{self.path.name} is not a GeoJSON FeatureCollection.") from None
            if end == len(self.buffer) and not isinstance(value, dict | list | str) and self._more():
                continue  # a number may go on in the next chunk
            self.pos = end
            return value


# ESRI shapefiles


def _shapefile_features(path: Path) -> Iterator[_Feature]:
    with _shapefile_at(path) as shp:
        prj = shp.with_suffix(".prj")
        crs = _crs(prj.read_text(errors="replace"), shp) if prj.exists() else None
        try:
            reader = shapefile.Reader(str(shp), encoding="utf-8", encodingErrors="replace")
        except (shapefile.ShapefileException, OSError, ValueError) as error:
            raise BoundaryFileError(f"{shp.name} cannot be read as a shapefile: {error}") from None
        with reader:
            names = [field[0] for field in reader.fields[1:]]
            try:
                for item in reader.iterShapeRecords():
                    geometry = item.shape.__geo_interface__ if item.shape.points else None
                    yield dict(zip(names, item.record, strict=True)), geometry, crs, shp.name
            except (shapefile.ShapefileException, OSError, ValueError, IndexError, struct.error) as error:
                raise BoundaryFileError(f"{shp.name} cannot be read as a shapefile: {error}") from None


@contextmanager
def _shapefile_at(path: Path) -> Iterator[Path]:
    """The .shp itself, the one in a folder, or the one in a zip (unpacked for as long as it is read)."""
    if path.is_file() and path.suffix.lower() == ".shp":
        yield path
    elif path.is_dir():
        yield _one_shapefile_in(path)
    else:
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise BoundaryFileError(f"{path.name} is not a zip file.") from None
        with archive, tempfile.TemporaryDirectory() as folder:
            parts = (".shp", ".shx", ".dbf", ".prj", ".cpg")
            for member in (m for m in archive.namelist() if Path(m).suffix.lower() in parts):
                target = Path(folder) / Path(member).name  # flattened: no paths from the archive are trusted
                target.write_bytes(archive.read(member))
            yield _one_shapefile_in(Path(folder), shown=path.name)


def _one_shapefile_in(folder: Path, shown: str | None = None) -> Path:
    found = sorted(folder.rglob("*.shp"))
    if len(found) != 1:
        what = "no shapefile" if not found else f"{len(found)} shapefiles"
        raise BoundaryFileError(f"{shown or folder} holds {what}: give the boundary file itself.")
    return found[0]
