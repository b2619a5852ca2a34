"""A small OS Code-Point Open release in the official layout, built from real London rows."""

import csv
import json
import zipfile
from pathlib import Path

import openpyxl

HEADERS = [
    ["PC", "PQ", "EA", "NO", "CY", "RH", "LH", "CC", "DC", "WC"],
    [
        "Postcode",
        "Positional_quality_indicator",
        "Eastings",
        "Northings",
        "Country_code",
        "NHS_regional_HA_code",
        "NHS_HA_code",
        "Admin_county_code",
        "Admin_district_code",
        "Admin_ward_code",
    ],
]

BOROUGHS = {
    "E09000001": "City and County of the City of London",
    "E09000028": "Southwark London Boro",
    "E09000033": "City of Westminster London Boro",
}
WARDS = {
    "E05009290": "Bassishaw Ward",
    "E05009292": "Bishopsgate Ward",
    "E05009298": "Cheap Ward",
    "E05011110": "Peckham Ward",
    "E05011113": "Rye Lane Ward",
    "E05013802": "Pimlico North Ward",
    "E05013806": "St. James's Ward",
    "E05013807": "Vincent Square Ward",
}

# (postcode as published, eastings, northings, district, ward): real Code-Point Open 2025.4 rows.
ROWS = {
    "ec": [
        ("EC2V 5AE", 532495, 181320, "E09000001", "E05009298"),
        ("EC2V 7HH", 532513, 181353, "E09000001", "E05009290"),
    ],
    "e": [("E1 6AN", 533416, 181746, "E09000001", "E05009292")],
    "se": [
        ("SE15 5DB", 534054, 176345, "E09000028", "E05011113"),
        ("SE15 5DD", 533983, 176334, "E09000028", "E05011113"),
        ("SE15 5DQ", 534211, 176371, "E09000028", "E05011113"),
        ("SE15 5RP", 534149, 177015, "E09000028", "E05011110"),
        ("SE15 5RS", 534181, 176750, "E09000028", "E05011110"),
    ],
    "sw": [
        ("SW1A 0AA", 530268, 179545, "E09000033", "E05013806"),
        ("SW1A 0PW", 530268, 179545, "E09000033", "E05013806"),
        ("SW1A 1AA", 529090, 179645, "E09000033", "E05013806"),
        ("SW1A 2AA", 530047, 179951, "E09000033", "E05013806"),
        ("SW1E 5JL", 529185, 179201, "E09000033", "E05013806"),
        ("SW1E 5BP", 529228, 179164, "E09000033", "E05013807"),
        ("SW1E 5NA", 529139, 179138, "E09000033", "E05013807"),
        ("SW1E 5ND", 528946, 179130, "E09000033", "E05013802"),
    ],
    # Outside London: Maldon district, Essex. The import must leave it out.
    "cm": [("CM0 7AA", 595736, 199744, "E07000074", "E05004202")],
}
LONDON_POSTCODES = sum(1 for rows in ROWS.values() for row in rows if row[3].startswith("E09"))


def write_codepoint(folder: Path, rows: dict | None = None, wards: dict | None = None) -> Path:
    """Write a release under `folder` (Data/CSV, Doc) and return the folder."""
    rows = ROWS if rows is None else rows
    (folder / "Data" / "CSV").mkdir(parents=True, exist_ok=True)
    (folder / "Doc").mkdir(parents=True, exist_ok=True)
    for area, area_rows in rows.items():
        with (folder / "Data" / "CSV" / f"{area}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
            for postcode, eastings, northings, district, ward in area_rows:
                writer.writerow([postcode, 10, eastings, northings, "E92000001", "", "", "", district, ward])
    with (folder / "Doc" / "Code-Point_Open_Column_Headers.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(HEADERS)
    book = openpyxl.Workbook()
    book.active.title = "AREA_CODES"
    for sheet, names in (("LBO", BOROUGHS), ("LBW", WARDS if wards is None else wards)):
        worksheet = book.create_sheet(sheet)
        for code, name in names.items():
            worksheet.append([name, code])
    book.save(folder / "Doc" / "Codelist.xlsx")
    return folder


def zip_codepoint(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


# Rough rectangles around the sample's boroughs (WGS84), in the ONS boundary file's shape.
SAMPLE_BOROUGH_OUTLINES = {
    "E09000001": (-0.115, 51.508, -0.072, 51.522),
    "E09000028": (-0.11, 51.42, -0.03, 51.51),
    "E09000033": (-0.22, 51.48, -0.11, 51.54),
}


def write_borough_outlines(path):
    features = [
        {
            "type": "Feature",
            "properties": {"LAD24CD": code, "LAD24NM": code},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
            },
        }
        for code, (w, s, e, n) in SAMPLE_BOROUGH_OUTLINES.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path
