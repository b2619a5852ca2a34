"""Bringing London's geography in: boroughs, wards and postcodes from OS Code-Point Open, with the
official outlines (or outlines derived from postcode positions where none are given)."""

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

from .codepoint import CITY_OF_LONDON, CodePointSource, download_codepoint
from .models import Borough, PoliceForce, Postcode, Ward
from .outlines import centre_of, geojson_to_osgb, neighbour_pairs, osgb_to_geojson, osgb_to_wgs84, ward_outlines
from .postcodes import format_postcode, outward_and_sector
from .selectors import GEOGRAPHY_GENERATION

# Sent once an import is committed, when this app's own generation (London's outline) has started
# afresh: whatever the layers above work out from the geography (lookups) starts afresh too. They
# connect to it; this app knows nothing of them.
geography_changed = Signal()

_BATCH = 5000
_IMPORT_LOCK = 7_405_001  # any constant: the PostgreSQL advisory lock held while importing
# ONS boundary files name their code property after the product and year: LAD24CD, WD24CD, ...
_BOUNDARY_CODE = {"ward": r"WD\d\dCD", "borough": r"LAD\d\dCD"}


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
        kind = next((kind for kind, key in _BOUNDARY_CODE.items() if re.search(f'"{key}"', head)), None)
        if kind:
            found.setdefault(kind, path)
    return found


def _outlines_by_code(path: Path, kind: str, wanted: set[str]) -> dict[str, dict]:
    """GeoJSON geometries by ONS code from an official boundary file, for the codes wanted."""
    with path.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    outlines = {}
    for feature in collection.get("features", []):
        properties = feature.get("properties") or {}
        code = next((v for k, v in properties.items() if re.fullmatch(_BOUNDARY_CODE[kind], k)), None)
        if code in wanted and feature.get("geometry"):
            outlines[code] = feature["geometry"]
    return outlines


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
    if borough_outlines:
        borough_geojson = _outlines_by_code(borough_outlines, "borough", set(borough_names))
    else:  # keep the outlines an earlier import loaded
        borough_geojson = dict(Borough.objects.exclude(outline=None).values_list("code", "outline"))
        progress("No borough boundary file found: keeping the borough outlines already loaded.")
    if ward_outlines_file:
        report.ward_outline_source = str(ward_outlines_file)
        ward_geometry = {
            code: geojson_to_osgb(geometry)
            for code, geometry in _outlines_by_code(ward_outlines_file, "ward", set(ward_names)).items()
        }
    else:
        progress("deriving ward outlines", 0, 1)
        clips = {code: shapely.make_valid(geojson_to_osgb(geometry)) for code, geometry in borough_geojson.items()}
        ward_geometry = ward_outlines(zip(eastings, northings, ward_codes, strict=True), borough_of_ward, clips)
        progress("deriving ward outlines", 1, 1)
        progress(f"Derived {len(ward_geometry)} ward outlines from postcode positions.")

    with transaction.atomic():
        if connection.vendor == "postgresql":  # one import at a time: a command and a task may overlap
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])
        _upsert_boroughs(borough_names, borough_geojson)
        report.wards = _upsert_wards(ward_names, borough_of_ward, ward_geometry)
        _sync_postcodes(report, postcodes, latitudes, longitudes, ward_codes, progress)
        ward_neighbours_refresh()

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


def _upsert_wards(names: dict[str, str], borough_of_ward: dict[str, str], geometry: dict[str, object]) -> int:
    """Save the wards in the code list; those no longer in it are kept (their pages may link them)."""
    previous_borough = dict(Ward.objects.values_list("code", "borough_id"))
    codes_by_borough: dict[str, list[str]] = defaultdict(list)
    for code in names:
        borough = borough_of_ward.get(code) or previous_borough.get(code)
        if borough:  # a ward with no postcodes and no earlier import has nowhere to go yet
            codes_by_borough[borough].append(code)
    wards = []
    for borough, codes in codes_by_borough.items():
        slugs = _unique_slugs({code: names[code] for code in codes})
        for code in codes:
            outline = geometry.get(code)
            if outline is not None and outline.is_empty:
                outline = None
            latitude, longitude = centre_of(outline) if outline is not None else (None, None)
            wards.append(
                Ward(
                    code=code,
                    name=names[code],
                    slug=slugs[code],
                    borough_id=borough,
                    latitude=latitude,
                    longitude=longitude,
                    outline=osgb_to_geojson(outline) if outline is not None else None,
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
        update_fields=["name", "slug", "borough", "latitude", "longitude", "outline"],
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
