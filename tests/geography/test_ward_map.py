import re

from geography.maps import outline_drawing


def numbers(path: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]


def test_a_ward_outline_is_drawn_north_up_in_true_proportions():
    # 0.02 degrees of longitude by 0.01 of latitude at 51.5N: about 1.39 km by 1.11 km.
    square = {"type": "Polygon", "coordinates": [[[-0.1, 51.5], [-0.08, 51.5], [-0.08, 51.51], [-0.1, 51.51]]]}

    drawing = outline_drawing(square)

    assert drawing.view_box == "-10 -10 1020 823"  # 1000 by 803 (1.11 / 1.39), and a margin
    assert drawing.path.startswith("M0.0 803.")  # the south-west corner is drawn bottom left
    assert drawing.path.endswith(" Z")
    assert max(numbers(drawing.path)) <= 1000


def test_every_polygon_and_hole_becomes_a_ring():
    ring = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    hole = [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.4]]
    shape = {"type": "MultiPolygon", "coordinates": [[ring, hole], [[[2, 0], [3, 0], [3, 1], [2, 0]]]]}

    assert outline_drawing(shape).path.count("M") == 3


def test_no_outline_draws_nothing():
    assert outline_drawing(None) is None
    assert outline_drawing({"type": "Point", "coordinates": [0, 51]}) is None


def test_the_ward_page_shows_its_map_with_a_text_alternative(client, sample_london):
    html = client.get("/westminster/st-jamess/").content.decode()

    assert '<svg viewBox="-10 -10 ' in html and 'role="img"' in html
    assert '<title id="map-title">Outline of St. James&#x27;s ward</title>' in html
    assert re.search(r'<path d="M[\d. LMZ]+"', html)
