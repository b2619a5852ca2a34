"""The maps the site draws itself: true proportions, neighbours named, labels that fit and never
cover each other, places put where their postcodes are, and a shade per figure."""

import re

import shapely
from django.db import connection
from django.test.utils import CaptureQueriesContext

from geography.maps import LABEL_SIZE, SHADES, Frame, borough_map, london_map, shades_of, ward_map
from geography.models import Ward
from geography.postcodes import postcodes_in_text
from geography.selectors import postcode_positions
from geography.services import _geography_changed

RYE_LANE, PECKHAM = "E05011113", "E05011110"


def numbers(path: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]


def test_a_map_is_north_up_in_true_proportions():
    # 0.02 degrees of longitude by 0.01 of latitude at 51.5N: about 1.39 km by 1.11 km.
    frame = Frame.around(-0.1, 51.5, -0.08, 51.51)

    assert (round(frame.width), round(frame.height)) == (1000, 803)
    assert frame.xy(-0.1, 51.5) == (0.0, round(frame.height, 1))  # the south-west corner, bottom left
    assert frame.xy(-0.08, 51.51) == (1000.0, 0.0)
    # A kilometre is as long east-west as north-south: 1000 units for 1.39 km.
    assert abs(frame.units_per_metre() * 1390 - 1000) < 10


def test_a_ward_map_shows_the_ward_and_names_its_neighbours(sample_london):
    drawn = ward_map(RYE_LANE)

    assert drawn.focus.code == RYE_LANE and drawn.focus.path.startswith("M")
    neighbours = [shape for shape in drawn.shapes if shape.neighbour]
    assert [shape.code for shape in neighbours] == [PECKHAM]  # Southwark's other ward in the sample
    # Wards that only reach into the frame (Westminster's, across the river) are drawn, unnamed.
    assert all(not shape.label_lines for shape in drawn.shapes if not shape.neighbour)
    peckham = neighbours[0]
    assert peckham.label_lines == ("Peckham",) and peckham.label_x is not None
    assert max(numbers(peckham.path)) <= 1000 + 1  # clipped to the frame around Rye Lane
    assert drawn.scale_bar.label.endswith("m") and 0 < drawn.scale_bar.length < drawn.frame.width / 2


def test_a_ward_map_is_drawn_once_until_the_geography_changes(sample_london, django_capture_on_commit_callbacks):
    ward_map(RYE_LANE)
    with CaptureQueriesContext(connection) as again:
        ward_map(RYE_LANE)
    assert len(again) == 0

    with django_capture_on_commit_callbacks(execute=True):
        Ward.objects.filter(code=PECKHAM).update(name="Peckham Town")
        _geography_changed()
    assert ward_map(RYE_LANE).shapes[0].name == "Peckham Town"


def test_a_borough_map_and_the_london_map_hold_every_outline(sample_london):
    southwark = borough_map("E09000028")
    london = london_map()

    assert {shape.code for shape in southwark.shapes} == {RYE_LANE, PECKHAM}
    assert southwark.focus is None
    assert {shape.code for shape in london.shapes} == {"E09000001", "E09000028", "E09000033"}
    assert borough_map("E09000999") is None


def test_labels_never_cover_each_other(sample_london):
    for drawn in [london_map(), borough_map("E09000033"), borough_map("E09000001")]:
        boxes = []
        for shape in drawn.shapes:
            if shape.label_lines:
                half_width = max(len(line) for line in shape.label_lines) * LABEL_SIZE * 0.3
                half_height = len(shape.label_lines) * LABEL_SIZE * 0.55
                boxes.append(
                    shapely.box(
                        shape.label_x - half_width,
                        shape.label_y - half_height,
                        shape.label_x + half_width,
                        shape.label_y + half_height,
                    )
                )
        assert boxes
        assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_places_are_put_where_their_postcodes_are_and_numbered(sample_london):
    drawn = ward_map(RYE_LANE)
    positions = postcode_positions(["SE15 5DB", "SE15 5RS", "SW1A 1AA", "ZZ1 1ZZ"])

    assert set(positions) == {"SE15 5DB", "SE15 5RS", "SW1A 1AA"}  # one not held is left out
    points = drawn.points([(name, *positions[name]) for name in ["SE15 5DB", "SW1A 1AA", "SE15 5RS"]])

    # Buckingham Palace is far off this map: left out, and the numbers run on without a gap.
    assert [(p.label, p.number) for p in points] == [("SE15 5DB", 1), ("SE15 5RS", 2)]
    # SE15 5RS (Peckham) is north of SE15 5DB (Rye Lane): higher on the map.
    assert points[1].y < points[0].y


def test_postcodes_are_read_from_addresses():
    assert postcodes_in_text("Peckham Library, 122 Peckham Hill St, se15 5jr") == ["SE15 5JR"]
    assert postcodes_in_text("SW1A1AA, then E1W 1AA") == ["SW1A 1AA", "E1W 1AA"]
    assert postcodes_in_text("Rye Lane, SE15 (the district only)") == []


def test_shades_split_the_figures_evenly_and_the_key_says_what_each_stands_for():
    values = {f"W{n:02}": n * 10 for n in range(1, 11)}  # 10 to 100

    shades, key = shades_of(values)

    assert [shades[f"W{n:02}"] for n in range(1, 11)] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert [(band.shade, band.lowest, band.highest) for band in key] == [
        (0, 10, 20),
        (1, 30, 40),
        (2, 50, 60),
        (3, 70, 80),
        (4, 90, 100),
    ]
    assert len(key) == SHADES


def test_equal_figures_share_a_shade():
    shades, key = shades_of({"A": 5, "B": 5, "C": 5, "D": 9})

    assert shades["A"] == shades["B"] == shades["C"] == 0 and shades["D"] > 0
    assert [(band.lowest, band.highest) for band in key] == [(5, 5), (9, 9)]
    assert shades_of({}) == ({}, [])
