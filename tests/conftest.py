import json

import pytest
from django.core.cache import cache

from priorities.services import geography_import, page_tree_build
from tests.priorities.codepoint_sample import write_codepoint

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


@pytest.fixture(autouse=True)
def _isolated(settings):
    cache.clear()  # lookups, and each process's ward table and outline of London, start afresh
    settings.SN_DATA_DIR = ""  # imports read only what a test gives them


@pytest.fixture
def codepoint_folder(tmp_path):
    folder = write_codepoint(tmp_path / "codepoint")
    (folder / "lad").mkdir()
    write_borough_outlines(folder / "lad" / "local_authority_districts.geojson")
    return folder


@pytest.fixture
def sample_london(db, codepoint_folder):
    """The sample release imported and its pages built, as `make run` does with the real one."""
    report = geography_import(source=codepoint_folder)
    page_tree_build()
    return report
