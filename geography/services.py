"""Bringing London's geography in: boroughs, wards and postcodes from OS Code-Point Open, with the
official outlines (or outlines derived from postcode positions where none are given), and the
official ward boundaries on their own."""

import json
import re
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.dispatch import Signal
from django.utils.text import slugify

from sn_site.cache import generation_forget
from sn_site.progress import Progress, no_progress

from .boundaries import CODE_PROPERTY, boundaries_read, code_property_year, product_name
from .codepoint import CITY_OF_LONDON, CodePointSource, download_codepoint
from .models import Borough, PoliceForce, Postcode, Ward
from .outlines import (
    centre_of,
    geojson_to_osgb,
    neighbour_pairs,
    official_outlines_simplify,
    osgb_to_geojson,
    osgb_to_wgs84,
    ward_outlines,
)
from .postcodes import format_postcode, outward_and_sector
from .selectors import GEOGRAPHY_GENERATION

# Sent once an import is committed, when this app's own generation (London's outline) has started
# afresh: whatever the layers above work out from the geography (lookups) starts afresh too. They
# connect to it; this app knows nothing of them.
geography_changed = Signal()

_BATCH = 5000
_IMPORT_LOCK = 7_405_001  # any constant: the PostgreSQL advisory lock held while importing


@dataclass
class GeographyImportReport:
    boroughs: int = 0
    wards: int = 0
    postcodes: int = 0
    postcodes_added: int = 0
    postcodes_updated: int = 0
    postcodes_removed: int = 0
    skipped_rows: int = 0
    ward_outline_source: str = "derived from postcodes"
    wards_without_postcodes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def boundary_files_in(*folders: Path, shallow: tuple[Path, ...] = ()) -> dict[str, Path]:
    """Official boundary GeoJSON files below some folders (or directly in and one level below the
    `shallow` ones), by kind, "borough" or "ward", recognised by their ONS code property. A ward
    file usually carries its borough's code too, so ward codes are looked for first."""
    paths = [p for folder in folders if folder.is_dir() for p in sorted(folder.rglob("*.geojson"))]
    paths += [p for folder in shallow if folder.is_dir() for p in sorted(folder.glob("*.geojson"))]
    paths += [p for folder in shallow if folder.is_dir() for p in sorted(folder.glob("*/*.geojson"))]
    found: dict[str, Path] = {}
    for path in paths:
        with path.open("rb") as handle:
            head = handle.read(1 << 20).decode("utf-8", "ignore")  # reaches the first feature's properties
        kind = next((kind for kind, key in CODE_PROPERTY.items() if re.search(f'"{key}"', head)), None)
        if kind:
            found.setdefault(kind, path)
    return found


def _borough_outlines_in(path: Path, wanted: set[str]) -> dict[str, dict]:
    """WGS84 GeoJSON geometries by ONS code from an official borough boundary file, for the codes wanted."""
    return {
        boundary.code: boundary.geometry if boundary.in_wgs84() else osgb_to_geojson(boundary.osgb())
        for boundary in boundaries_read(path, "borough")
        if boundary.code in wanted
    }


@dataclass(frozen=True)
class _WardOutline:
    """A ward's outline as stored: WGS84 GeoJSON, a centre, and where it came from (blank: derived)."""

    outline: dict | None
    latitude: float | None
    longitude: float | None
    source: str = ""

    @classmethod
    def of(cls, geometry, source: str = "") -> "_WardOutline":
        """From an OSGB outline (none, or empty: no outline)."""
        if geometry is None or geometry.is_empty:
            return cls(None, None, None, source="")
        latitude, longitude = centre_of(geometry)
        # As the database gives it back (lists, not tuples), to tell what has changed.
        return cls(json.loads(json.dumps(osgb_to_geojson(geometry))), latitude, longitude, source)


@dataclass
class WardBoundariesReport:
    source_name: str = ""
    boundaries: int = 0  # features in the file
    matched: int = 0  # of the site's wards, found in the file
    changed: int = 0  # of those, with a new outline (none on a re-run)
    missing: list[str] = field(default_factory=list)  # the site's wards not in the file: they keep their outline
    unknown_in_london: list[str] = field(default_factory=list)  # ward codes in London's boroughs the site lacks
    seconds: float = 0.0


def _official_ward_outlines(
    path: Path, *, source_name: str | None, wards: set[str], london, report: WardBoundariesReport, progress: Progress
) -> dict[str, _WardOutline]:
    """The outlines of the wards wanted from an official ward boundary file, simplified, by code.
    `london` (OSGB, or None where no borough outlines are held) tells which of the wards the file
    has and the site lacks are in London, for the report; a file that gives each ward's local
    authority district (LADyyCD) tells it by itself."""
    found, named = {}, None
    london_box = None
    if london is not None:  # with a kilometre to spare: the boroughs' outlines are generalised
        west, south, east, north = london.bounds
        london_box = shapely.box(west - 1000, south - 1000, east + 1000, north + 1000)
    progress("reading ward boundaries", 0, 1)
    for boundary in boundaries_read(path, "ward"):
        report.boundaries += 1
        if named is None:  # the name given, or the file's (or the zip's or folder's), or its year
            year = code_property_year(boundary.properties, "ward")
            named = source_name or product_name(path) or product_name(boundary.file_name)
            named = named or f"ONS ward boundaries {year or ''}".strip()
        if boundary.code in wards:
            found[boundary.code] = boundary.osgb()
        elif boundary.code.startswith("E05") and _in_london(boundary, london, london_box):
            report.unknown_in_london.append(boundary.code)
    progress("reading ward boundaries", 1, 1)
    report.source_name = named or ""
    found = {code: geometry for code, geometry in found.items() if not geometry.is_empty}
    report.matched = len(found)
    report.missing = sorted(wards - set(found))
    report.unknown_in_london.sort()
    simplified = official_outlines_simplify(found) if found else {}
    return {code: _WardOutline.of(geometry, report.source_name) for code, geometry in simplified.items()}


def _in_london(boundary, london, london_box) -> bool:
    district = next((v for k, v in boundary.properties.items() if re.fullmatch(CODE_PROPERTY["borough"], k)), None)
    if district:
        return str(district).startswith("E09")
    if london is None:
        return False
    if not london_box.contains(boundary.first_point_osgb()):  # most of the UK's wards, quickly
        return False
    return london.contains(shapely.point_on_surface(boundary.osgb()))


def _london_osgb(borough_outlines) -> object | None:
    """London's boroughs as one OSGB geometry, from their WGS84 GeoJSON outlines; None without any."""
    outlines = [shapely.make_valid(geojson_to_osgb(outline)) for outline in borough_outlines if outline]
    if not outlines:
        return None
    london = shapely.union_all(outlines)
    shapely.prepare(london)
    return london


def _outlines_stored(wards) -> dict[str, _WardOutline]:
    """Some wards' outlines as they are stored, by code."""
    rows = wards.values_list("code", "outline", "latitude", "longitude", "outline_source")
    return {code: _WardOutline(outline, lat, lng, source) for code, outline, lat, lng, source in rows}


def _import_lock() -> None:
    """One import at a time on PostgreSQL: a command and a task may overlap. Held until the
    transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])


def ward_boundaries_import(
    *, source: Path, source_name: str | None = None, progress: Progress = no_progress
) -> WardBoundariesReport:
    """Replace the wards' outlines with those of an official ONS ward boundary file (GeoJSON or
    shapefile, in National Grid metres or WGS84), recording the product they came from.

    Only the wards the site holds are changed; those the file lacks keep their outline. The
    neighbours are worked out again. One transaction: a file that cannot be read (a
    BoundaryFileError) changes nothing, and running it again changes nothing either.
    """
    started = time.monotonic()
    report = WardBoundariesReport()
    wards = set(Ward.objects.values_list("code", flat=True))
    london = _london_osgb(Borough.objects.exclude(outline=None).values_list("outline", flat=True))
    official = _official_ward_outlines(
        Path(source), source_name=source_name, wards=wards, london=london, report=report, progress=progress
    )
    with transaction.atomic():
        _import_lock()
        held = _outlines_stored(Ward.objects.filter(code__in=list(official)))
        changed = [
            Ward(code=code, outline=o.outline, latitude=o.latitude, longitude=o.longitude, outline_source=o.source)
            for code, o in official.items()
            if held.get(code) != o
        ]
        Ward.objects.bulk_update(changed, ["outline", "latitude", "longitude", "outline_source"], batch_size=200)
        report.changed = len(changed)
        if changed:
            ward_neighbours_refresh()
            transaction.on_commit(_geography_changed)
    report.seconds = time.monotonic() - started
    return report


def _unique_slugs(names: dict[str, str]) -> dict[str, str]:
    slugs, taken = {}, Counter()
    for code, name in sorted(names.items(), key=lambda item: (item[1], item[0])):
        base = slugify(name) or code.lower()
        taken[base] += 1
        slugs[code] = base if taken[base] == 1 else f"{base}-{taken[base]}"
    return slugs


def geography_import(
    *,
    source: Path | None,
    borough_outlines: Path | None = None,
    ward_outlines_file: Path | None = None,
    progress: Progress = no_progress,
) -> GeographyImportReport:
    """Load or refresh London's boroughs, wards and postcodes from OS Code-Point Open: a folder,
    the official zip, or (with no source) a fresh download from the Ordnance Survey.

    Safe to run again on a newer release: changed rows are updated, new ones added, postcodes no
    longer published removed; nothing is duplicated. All of it happens in one transaction, so a
    failed run leaves the previous data as it was.
    """
    if source is None:
        with tempfile.TemporaryDirectory() as folder:
            progress(f"Downloading Code-Point Open from {settings.SN_CODEPOINT_DOWNLOAD_URL} ...")
            archive = download_codepoint(settings.SN_CODEPOINT_DOWNLOAD_URL, Path(folder))
            return geography_import(
                source=archive,
                borough_outlines=borough_outlines,
                ward_outlines_file=ward_outlines_file,
                progress=progress,
            )
    started = time.monotonic()
    report = GeographyImportReport()
    source = Path(source)
    codepoint = CodePointSource(source)
    if borough_outlines is None or ward_outlines_file is None:
        # Beside the release (SN_DATA_DIR holds both), or anywhere in SN_DATA_DIR.
        data_dir = [Path(settings.SN_DATA_DIR)] if settings.SN_DATA_DIR else []
        found = boundary_files_in(*([source] if source.is_dir() else []), *data_dir, shallow=(source.parent,))
        borough_outlines = borough_outlines or found.get("borough")
        ward_outlines_file = ward_outlines_file or found.get("ward")
    borough_names, ward_names = codepoint.names()
    progress(f"Code list: {len(borough_names)} boroughs, {len(ward_names)} wards.")
    if borough_outlines:
        borough_geojson = _borough_outlines_in(borough_outlines, set(borough_names))
    else:  # keep the outlines an earlier import loaded
        borough_geojson = dict(Borough.objects.exclude(outline=None).values_list("code", "outline"))
        progress("No borough boundary file found: keeping the borough outlines already loaded.")
    official: dict[str, _WardOutline] = {}
    if ward_outlines_file:
        official = _official_ward_outlines(
            ward_outlines_file,
            source_name=None,
            wards=set(ward_names),
            london=_london_osgb(borough_geojson.values()),
            report=WardBoundariesReport(),
            progress=progress,
        )

    postcodes, eastings, northings, ward_codes = [], [], [], []
    seen: set[str] = set()
    districts_of_ward: dict[str, Counter] = defaultdict(Counter)
    files = codepoint.csv_names
    for done, name in enumerate(files):
        progress("reading postcode files", done, len(files))
        before = len(postcodes)
        for row in codepoint.london_rows(name):
            postcode = format_postcode(row.postcode)
            if row.ward_code not in ward_names or row.district_code not in borough_names or postcode in seen:
                report.skipped_rows += 1
                continue
            seen.add(postcode)
            postcodes.append(postcode)
            eastings.append(row.eastings)
            northings.append(row.northings)
            ward_codes.append(row.ward_code)
            districts_of_ward[row.ward_code][row.district_code] += 1
        progress(f"{Path(name).name}: {len(postcodes) - before} London postcodes")
    progress("reading postcode files", len(files), len(files))
    progress(f"Read {len(postcodes)} London postcodes.")
    longitudes, latitudes = osgb_to_wgs84(eastings, northings)

    borough_of_ward = {ward: counts.most_common(1)[0][0] for ward, counts in districts_of_ward.items()}
    derived: dict[str, _WardOutline] = {}
    if postcodes and set(ward_names) - set(official):
        progress("deriving ward outlines", 0, 1)
        clips = {code: shapely.make_valid(geojson_to_osgb(geometry)) for code, geometry in borough_geojson.items()}
        derived = {
            code: _WardOutline.of(geometry)
            for code, geometry in ward_outlines(
                zip(eastings, northings, ward_codes, strict=True), borough_of_ward, clips
            ).items()
        }
        progress("deriving ward outlines", 1, 1)
        progress(f"Derived {len(derived)} ward outlines from postcode positions.")

    with transaction.atomic():
        _import_lock()
        # An official outline stays until another replaces it; derived ones fill the rest.
        kept = _outlines_stored(Ward.objects.exclude(outline_source="").exclude(code__in=list(official)))
        outlines = derived | kept | official
        _upsert_boroughs(borough_names, borough_geojson)
        report.wards = _upsert_wards(ward_names, borough_of_ward, outlines)
        _sync_postcodes(report, postcodes, latitudes, longitudes, ward_codes, progress)
        ward_neighbours_refresh()

    sources = Counter(outlines[code].source or "derived from postcodes" for code in ward_names if code in outlines)
    report.ward_outline_source = ", ".join(f"{source} for {n}" for source, n in sources.most_common()) or "none"
    report.boroughs = len(borough_names)
    report.postcodes = len(postcodes)
    report.wards_without_postcodes = sorted(set(ward_names) - set(borough_of_ward))
    report.seconds = time.monotonic() - started
    transaction.on_commit(_geography_changed)
    return report


def _geography_changed() -> None:
    generation_forget(GEOGRAPHY_GENERATION)
    geography_changed.send(sender=Borough)


def _upsert_boroughs(names: dict[str, str], outlines: dict[str, dict]) -> None:
    slugs = _unique_slugs(names)
    boroughs = [
        Borough(
            code=code,
            name=name,
            slug=slugs[code],
            police_force=PoliceForce.CITY_OF_LONDON if code == CITY_OF_LONDON else PoliceForce.METROPOLITAN,
            outline=outlines.get(code),
        )
        for code, name in names.items()
    ]
    Borough.objects.update(slug=Lower("code"))  # slugs may move between rows in one release
    Borough.objects.bulk_create(
        boroughs,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "slug", "police_force", "outline"],
    )


def _upsert_wards(names: dict[str, str], borough_of_ward: dict[str, str], outlines: dict[str, _WardOutline]) -> int:
    """Save the wards in the code list; those no longer in it are kept (their pages may link them)."""
    previous_borough = dict(Ward.objects.values_list("code", "borough_id"))
    codes_by_borough: dict[str, list[str]] = defaultdict(list)
    for code in names:
        borough = borough_of_ward.get(code) or previous_borough.get(code)
        if borough:  # a ward with no postcodes and no earlier import has nowhere to go yet
            codes_by_borough[borough].append(code)
    no_outline = _WardOutline(None, None, None)
    wards = []
    for borough, codes in codes_by_borough.items():
        slugs = _unique_slugs({code: names[code] for code in codes})
        for code in codes:
            outline = outlines.get(code, no_outline)
            wards.append(
                Ward(
                    code=code,
                    name=names[code],
                    slug=slugs[code],
                    borough_id=borough,
                    latitude=outline.latitude,
                    longitude=outline.longitude,
                    outline=outline.outline,
                    outline_source=outline.source,
                )
            )
    # A ward can come back under a new code with its old name (and slug): every ward gives up its
    # slug first, so the unique (borough, slug) constraint holds throughout. Retired wards keep
    # their code as their slug.
    Ward.objects.update(slug=Lower("code"))
    Ward.objects.bulk_create(
        wards,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "slug", "borough", "latitude", "longitude", "outline", "outline_source"],
        batch_size=500,
    )
    return len(wards)


def _sync_postcodes(report, postcodes, latitudes, longitudes, ward_codes, progress: Progress) -> None:
    rows = Postcode.objects.values_list("postcode", "latitude", "longitude", "ward_id").iterator(chunk_size=20000)
    existing = {postcode: (lat, lng, ward) for postcode, lat, lng, ward in rows}
    changed = []
    progress("comparing postcodes", 0, 1)
    for postcode, lat, lng, ward in zip(postcodes, latitudes, longitudes, ward_codes, strict=True):
        lat, lng = round(float(lat), 6), round(float(lng), 6)
        before = existing.pop(postcode, None)
        if before == (lat, lng, ward):
            continue
        if before is None:
            report.postcodes_added += 1
        else:
            report.postcodes_updated += 1
        outward, sector = outward_and_sector(postcode)
        changed.append(
            Postcode(postcode=postcode, outward=outward, sector=sector, latitude=lat, longitude=lng, ward_id=ward)
        )
    progress("comparing postcodes", 1, 1)
    for start in range(0, len(changed), _BATCH):
        Postcode.objects.bulk_create(
            changed[start : start + _BATCH],
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["outward", "sector", "latitude", "longitude", "ward"],
        )
        progress("saving new or changed postcodes", min(start + _BATCH, len(changed)), len(changed))
    gone = list(existing)
    for start in range(0, len(gone), _BATCH):
        Postcode.objects.filter(postcode__in=gone[start : start + _BATCH]).delete()
    report.postcodes_removed = len(gone)
    progress(
        f"Postcodes: {report.postcodes_added} added, {report.postcodes_updated} updated, "
        f"{report.postcodes_removed} removed."
    )


def ward_neighbours_refresh() -> int:
    """Work out again which wards are next to which from the outlines held, and save it (both
    ways round: a ward's neighbours are symmetric). Returns the number of neighbouring pairs."""
    outlines = {
        code: geojson_to_osgb(outline)
        for code, outline in Ward.objects.exclude(outline=None).values_list("code", "outline")
    }
    pairs = neighbour_pairs(outlines)
    through = Ward.neighbours.through
    with transaction.atomic():
        through.objects.all().delete()
        through.objects.bulk_create(
            [through(from_ward_id=a, to_ward_id=b) for a, b in pairs]
            + [through(from_ward_id=b, to_ward_id=a) for a, b in pairs],
            batch_size=2000,
        )
    return len(pairs)
