"""Ward and borough outlines, and moving between OS grid references and latitude/longitude.

Code-Point Open gives every postcode a point but no ward boundaries. Without an official ward
boundary file, each ward's outline is derived: the Voronoi cell of every postcode point (the area
nearer to it than to any other postcode), merged per ward and clipped to the borough's official
outline. That is also exactly the area in which "the nearest postcode" lookup answers that ward,
so the map and the lookup agree.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from functools import cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import mapping, shape

# Outlines are simplified to this many metres: plenty for a ward map, a fraction of the size.
SIMPLIFY_METRES = 8
COORDINATE_DECIMALS = 6  # about 10 cm
OSGB = CRS("EPSG:27700")  # the British National Grid
WGS84 = CRS("EPSG:4326")


@cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


@cache
def _to_osgb() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def osgb_to_wgs84(eastings, northings) -> tuple[np.ndarray, np.ndarray]:
    """OSGB36 National Grid metres to (longitude, latitude) degrees, for arrays."""
    lng, lat = _to_wgs84().transform(np.asarray(eastings, dtype=float), np.asarray(northings, dtype=float))
    return lng, lat


def _reproject(geometry, transformer: Transformer):
    def move(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, move)


def geojson_to_osgb(geometry: Mapping):
    return _reproject(shape(geometry), _to_osgb())


def to_osgb(geometry, crs: CRS):
    """A shapely geometry in any coordinate system, in National Grid metres."""
    transformer = _transformer_to_osgb(crs.srs)
    return geometry if transformer is None else _reproject(geometry, transformer)


@cache
def _transformer_to_osgb(srs: str) -> Transformer | None:
    """None for the National Grid itself. By the system's text: a CRS hashes slowly."""
    crs = CRS.from_user_input(srs)
    if crs.equals(OSGB, ignore_axis_order=True):
        return None
    return Transformer.from_crs(crs, OSGB, always_xy=True)


def osgb_to_geojson(geometry) -> dict:
    wgs84 = shapely.set_precision(_reproject(geometry, _to_wgs84()), 10**-COORDINATE_DECIMALS)
    return mapping(wgs84)


def ward_outlines(
    points: Iterable[tuple[int, int, str]],
    borough_of_ward: Mapping[str, str],
    borough_outlines: Mapping[str, object],
) -> dict[str, object]:
    """Outlines in OSGB metres, by ward code, from (eastings, northings, ward code) points.

    `borough_outlines` holds shapely geometries in OSGB metres by borough code; a ward whose
    borough has none is clipped to the area the postcodes cover instead.
    """
    wards_at: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for eastings, northings, ward in points:
        wards_at[(eastings, northings)][ward] += 1
    # Several postcodes can share one grid reference; the point goes to the ward most of them are in.
    coords = np.array(list(wards_at.keys()), dtype=float)
    owner = [counts.most_common(1)[0][0] for counts in wards_at.values()]

    sites = shapely.multipoints(coords)
    frame = shapely.box(*shapely.bounds(sites)).buffer(2000)
    cells = shapely.get_parts(shapely.voronoi_polygons(sites, extend_to=frame, ordered=True))

    cells_of_ward: dict[str, list[int]] = defaultdict(list)
    for index, ward in enumerate(owner):
        cells_of_ward[ward].append(index)

    fallback_clip = shapely.convex_hull(sites).buffer(250)
    merged = {}
    for ward, indices in cells_of_ward.items():
        clip = borough_outlines.get(borough_of_ward.get(ward, ""))
        merged[ward] = shapely.intersection(
            shapely.coverage_union_all(cells[indices]), clip if clip is not None else fallback_clip
        )
    # Simplify each borough's wards together, so that neighbours keep sharing one edge.
    outlines = {}
    for wards in _group_by_borough(merged, borough_of_ward).values():
        simplified = shapely.coverage_simplify([merged[w] for w in wards], SIMPLIFY_METRES, simplify_boundary=False)
        outlines.update(zip(wards, simplified, strict=True))
    return outlines


def official_outlines_simplify(outlines: Mapping[str, object]) -> dict[str, object]:
    """Official outlines in OSGB metres, simplified as the derived ones are, together, so that
    neighbouring wards stay edge to edge."""
    codes = list(outlines)
    polygons = np.array([_polygonal(outlines[code]) for code in codes])
    if shapely.coverage_is_valid(polygons):
        simplified = shapely.coverage_simplify(polygons, SIMPLIFY_METRES)
    else:  # overlaps or slivers: each on its own, rather than a coverage simplified into nonsense
        simplified = shapely.simplify(polygons, SIMPLIFY_METRES)
    return dict(zip(codes, simplified, strict=True))


def _polygonal(geometry):
    """The polygons of a geometry made valid (a repaired self-touching ring can leave lines behind)."""
    valid = shapely.make_valid(geometry)
    parts = [p for p in shapely.get_parts(valid) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if len(parts) != 1 else parts[0]


def _group_by_borough(wards: Mapping[str, object], borough_of_ward: Mapping[str, str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for ward in wards:
        groups[borough_of_ward.get(ward, "")].append(ward)
    return groups


def centre_of(geometry) -> tuple[float, float]:
    """(latitude, longitude) of a point inside an OSGB outline: its centroid where that falls
    inside, otherwise a point that does."""
    point = shapely.centroid(geometry)
    if not shapely.contains(geometry, point):
        point = shapely.point_on_surface(geometry)
    lng, lat = osgb_to_wgs84([point.x], [point.y])
    return round(float(lat[0]), COORDINATE_DECIMALS), round(float(lng[0]), COORDINATE_DECIMALS)


# Two wards are neighbours when their outlines run side by side for at least this far. Outlines
# from different sources (official, derived, generalised borough edges) rarely share edges exactly,
# so each is widened a little before comparing; wards meeting only at a corner are not neighbours.
NEIGHBOUR_TOLERANCE_METRES = 20
NEIGHBOUR_SHARED_METRES = 50


def neighbour_pairs(outlines: Mapping[str, object]) -> set[tuple[str, str]]:
    """Pairs of codes (in code order) whose OSGB outlines share a stretch of boundary."""
    codes = [code for code, outline in outlines.items() if outline is not None and not outline.is_empty]
    widened = shapely.buffer(shapely.make_valid(np.array([outlines[c] for c in codes])), NEIGHBOUR_TOLERANCE_METRES)
    tree = shapely.STRtree(widened)
    left, right = tree.query(widened, predicate="intersects")
    pairs = set()
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        # Two strips 2 x tolerance wide overlap by about that width times the shared length.
        shared = shapely.area(shapely.intersection(widened[i], widened[j])) / (2 * NEIGHBOUR_TOLERANCE_METRES)
        if shared >= NEIGHBOUR_SHARED_METRES:
            pairs.add(tuple(sorted((codes[i], codes[j]))))
    return pairs


def area_outline(inside: Iterable[tuple[float, float]], around: Iterable[tuple[float, float]]) -> dict | None:
    """The outline of an area made of postcodes, derived as a ward's is: the Voronoi cells of its
    postcodes' points (latitude, longitude) among those of the postcodes `around` them, merged.
    GeoJSON in WGS84; None for no postcodes."""
    inside = list(inside)
    if not inside:
        return None
    points = [(*_osgb_of(lat, lng), "in") for lat, lng in inside]
    points += [(*_osgb_of(lat, lng), "out") for lat, lng in around]
    outlines = ward_outlines(points, {}, {})
    return osgb_to_geojson(outlines["in"]) if "in" in outlines else None


def _osgb_of(latitude: float, longitude: float) -> tuple[int, int]:
    eastings, northings = _to_osgb().transform(longitude, latitude)
    return round(eastings), round(northings)


def drawn_area(geojson) -> object:
    """A drawn or imported area as a shapely geometry in WGS84, from GeoJSON: a geometry, a Feature
    or a FeatureCollection whose polygons are joined. ValueError where it holds no polygon."""
    if not isinstance(geojson, Mapping):
        raise ValueError("The drawn area must be GeoJSON: a Polygon, a Feature or a FeatureCollection.")
    kind = geojson.get("type")
    if kind == "FeatureCollection":
        geometries = [feature.get("geometry") for feature in geojson.get("features") or []]
    elif kind == "Feature":
        geometries = [geojson.get("geometry")]
    else:
        geometries = [geojson]
    try:
        parts = [_polygonal(shape(g)) for g in geometries if g and g.get("type") in ("Polygon", "MultiPolygon")]
    except (AttributeError, TypeError, ValueError, shapely.errors.GEOSException):
        raise ValueError("The drawn area could not be read: check it is GeoJSON in latitude and longitude.") from None
    area = shapely.union_all(parts) if parts else None
    if area is None or area.is_empty:
        raise ValueError("The drawn area holds no shape: draw at least three corners, or give a GeoJSON polygon.")
    west, south, east, north = area.bounds
    if not (-1.0 < west <= east < 0.7 and 51.0 < south <= north < 52.0):
        raise ValueError("The drawn area is not in London: GeoJSON gives longitude first, then latitude.")
    return area
