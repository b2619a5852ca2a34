"""Maps drawn by the site itself, as inline SVG: a ward with its neighbours, a borough's wards,
London's boroughs. They need no map tiles and no JavaScript (nothing to load, no tracking, readable
at any zoom), and each drawing is kept in the cache until the geography is imported again.

The layers above add what this app does not know: the pages each shape links to, a shade per
shape (a figure such as recorded crime), and labelled points such as meeting venues.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import shapely
from shapely.geometry import box, shape

from sn_site.cache import kept

from .models import Borough, Ward
from .selectors import GEOGRAPHY_GENERATION

VIEW_SIZE = 1000  # the longer side of the drawing, in SVG units
MARGIN = 12  # room around it for strokes and labels
SIMPLIFY_UNITS = 0.6  # detail finer than this is invisible at any size the page shows
LABEL_LINE_CHARACTERS = 14  # a label breaks between words to lines about this long
LABEL_SIZE = 20  # the labels' font size in SVG units (site.css .map-label says the same)
LABEL_OUTSIDE_SHARE = 0.25  # how much of a label may stray past its shape's edge (a corner, a tip)
SCALE_BAR_ROOM = 44  # below the drawing, so that it covers no shape
WARD_SURROUNDINGS = 0.35  # how much of the neighbours a ward map shows, as a share of the ward's size
MINIMUM_SURROUNDINGS_DEGREES = 0.004  # about 300 m, around a very small ward
NEARBY_DEGREES = 0.03  # how far beyond a ward map's frame a ward's centre may be for it to be drawn
KEPT_SECONDS = 24 * 60 * 60
METRES_PER_DEGREE_LATITUDE = 111_320
SCALE_BAR_STEPS = [50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000]  # metres


@dataclass(frozen=True)
class Frame:
    """Where a map's longitudes and latitudes land in its drawing: north up, in true proportions
    (a degree of longitude is shorter than a degree of latitude this far north)."""

    west: float
    north: float
    squash: float
    scale: float  # SVG units per degree of latitude
    width: float
    height: float

    @classmethod
    def around(cls, west: float, south: float, east: float, north: float) -> "Frame":
        squash = math.cos(math.radians((south + north) / 2))
        width, height = (east - west) * squash, north - south
        scale = VIEW_SIZE / max(width, height, 1e-9)
        return cls(west, north, squash, scale, width * scale, height * scale)

    @property
    def view_box(self) -> str:
        """The drawing, a margin around it, and room below it for the scale bar."""
        return f"{-MARGIN} {-MARGIN} {self.width + 2 * MARGIN:.0f} {self.height + 2 * MARGIN + SCALE_BAR_ROOM:.0f}"

    def xy(self, longitude: float, latitude: float) -> tuple[float, float]:
        return round((longitude - self.west) * self.squash * self.scale, 1), round(
            (self.north - latitude) * self.scale, 1
        )

    def drawn(self, geometry):
        """A shapely geometry in degrees, moved into the drawing and simplified to what shows."""
        moved = shapely.transform(
            geometry,
            lambda c: (c - [self.west, self.north]) * [self.squash * self.scale, -self.scale],
        )
        return shapely.simplify(moved, SIMPLIFY_UNITS, preserve_topology=True)

    def units_per_metre(self) -> float:
        return self.scale / METRES_PER_DEGREE_LATITUDE


@dataclass(frozen=True)
class MapShape:
    code: str
    name: str
    path: str  # SVG path data, one closed ring per polygon ring (drawn with fill-rule evenodd)
    label_x: float | None = None
    label_y: float | None = None
    label_lines: tuple[str, ...] = ()
    borough: str = ""  # on a ward's map, a neighbour's borough where it is another
    neighbour: bool = True  # on a ward's map, False for a ward drawn only so that no area is blank
    url: str = ""  # filled in by the layer that knows the pages
    shade: int | None = None  # 0 (least) to SHADES - 1 (most), when the map is shaded

    @property
    def label_first_dy(self) -> str:
        """How far the label's first line sits from its point, so that the lines centre on it."""
        return f"{0.35 - 0.55 * (len(self.label_lines) - 1):.2f}em"


@dataclass(frozen=True)
class MapPoint:
    label: str
    x: float
    y: float
    number: int  # its number on the map and in the key


@dataclass(frozen=True)
class ScaleBar:
    x: float
    y: float
    length: float
    label: str


@dataclass(frozen=True)
class SiteMap:
    """A drawing: a main shape (the ward a map is about) or none, the shapes around or inside it,
    and a scale bar."""

    frame: Frame
    shapes: tuple[MapShape, ...]
    focus: MapShape | None
    scale_bar: ScaleBar

    @property
    def view_box(self) -> str:
        return self.frame.view_box

    def linked(self, urls: Mapping[str, str], shades: Mapping[str, int] | None = None) -> "SiteMap":
        """The same map with each shape's page address and shade, by code."""

        def fill(drawn: MapShape) -> MapShape:
            return replace(drawn, url=urls.get(drawn.code, ""), shade=(shades or {}).get(drawn.code))

        return replace(self, shapes=tuple(fill(s) for s in self.shapes), focus=self.focus and fill(self.focus))

    def points(self, places: Iterable[tuple[str, float, float]]) -> list[MapPoint]:
        """Labelled (label, latitude, longitude) places placed on the map, numbered, leaving out
        those that fall outside it."""
        placed = []
        for label, latitude, longitude in places:
            x, y = self.frame.xy(longitude, latitude)
            if 0 <= x <= self.frame.width and 0 <= y <= self.frame.height:
                placed.append(MapPoint(label, x, y, len(placed) + 1))
        return placed


def _svg_path(geometry) -> str:
    rings = []
    for polygon in shapely.get_parts(geometry):
        if polygon.geom_type != "Polygon":
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = list(ring.coords)[:-1]
            if len(coords) >= 3:
                rings.append("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in coords) + "Z")
    return " ".join(rings)


def _label_lines(name: str) -> tuple[str, ...]:
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= LABEL_LINE_CHARACTERS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines)


def _shape(
    frame: Frame,
    code: str,
    name: str,
    geometry,
    *,
    clip=None,
    labelled: bool = True,
    borough: str = "",
    neighbour: bool = True,
) -> MapShape | None:
    if clip is not None:
        geometry = shapely.intersection(geometry, clip)
    drawn = shapely.make_valid(frame.drawn(geometry))
    if drawn.is_empty or drawn.area < 1:
        return None
    lines = _label_lines(name) if labelled and neighbour else ()
    label_x = label_y = None
    if lines:
        # The label goes at the middle of the widest room in the largest part (a ward cut in two by
        # the frame, an island), and only where it fits: a crowded centre's names are in the text.
        largest = max(shapely.get_parts(drawn), key=lambda part: part.area)
        half_width, half_height = _label_half_size(lines)
        candidates = [shapely.maximum_inscribed_circle(largest, 1.0).coords[0], shapely.centroid(largest).coords[0]]
        for x, y in candidates:
            label = box(x - half_width, y - half_height, x + half_width, y + half_height)
            if shapely.difference(label, largest).area <= LABEL_OUTSIDE_SHARE * label.area:
                label_x, label_y = round(x, 1), round(y, 1)
                break
        else:
            lines = ()
    return MapShape(code, name, _svg_path(drawn), label_x, label_y, lines, borough=borough, neighbour=neighbour)


def _label_half_size(lines: tuple[str, ...]) -> tuple[float, float]:
    """About half the width and half the height a label takes, in SVG units."""
    return max(len(line) for line in lines) * LABEL_SIZE * 0.3, len(lines) * LABEL_SIZE * 0.55


def _label_box(drawn: MapShape) -> tuple[float, float, float, float]:
    half_width, half_height = _label_half_size(drawn.label_lines)
    return (
        drawn.label_x - half_width,
        drawn.label_y - half_height,
        drawn.label_x + half_width,
        drawn.label_y + half_height,
    )


def _uncluttered(shapes: list[MapShape]) -> tuple[MapShape, ...]:
    """The shapes with no two labels on top of each other: the shorter names are placed first
    (more of them fit), and a label that would cover one already placed is left off."""
    placed: list[tuple[float, float, float, float]] = []
    kept_labels = set()
    for drawn in sorted((s for s in shapes if s.label_lines), key=lambda s: (len(s.name), s.name)):
        left, top, right, bottom = _label_box(drawn)
        if all(right < x0 or left > x1 or bottom < y0 or top > y1 for x0, y0, x1, y1 in placed):
            placed.append((left, top, right, bottom))
            kept_labels.add(drawn.code)
    return tuple(s if s.code in kept_labels else replace(s, label_lines=(), label_x=None, label_y=None) for s in shapes)


def _scale_bar(frame: Frame) -> ScaleBar:
    """A round distance about a fifth of the map's width, below its bottom left corner."""
    per_metre = frame.units_per_metre()
    metres = min(SCALE_BAR_STEPS, key=lambda m: abs(m * per_metre - frame.width / 5))
    label = f"{metres // 1000} km" if metres >= 1000 and metres % 1000 == 0 else f"{metres:,} m"
    if 1000 < metres < 10000 and metres % 1000:
        label = f"{metres / 1000:g} km"
    return ScaleBar(0, round(frame.height + SCALE_BAR_ROOM - 4, 1), round(metres * per_metre, 1), label)


def _bounds(geometries) -> tuple[float, float, float, float]:
    return tuple(shapely.total_bounds(geometries).tolist())


def _kept(key: str, draw) -> SiteMap | None:
    """A drawing, kept until the geography is imported again (nothing to draw is kept as False)."""
    return kept(key, lambda: draw() or False, generations_of=[GEOGRAPHY_GENERATION], timeout=KEPT_SECONDS) or None


def ward_map(code: str) -> SiteMap | None:
    """A ward with the neighbouring wards around it, each named."""
    return _kept(f"map:ward:{code}", lambda: _ward_map(code))


def _ward_map(code: str) -> SiteMap | None:
    ward = Ward.objects.filter(code=code).exclude(outline=None).values("name", "outline", "borough").first()
    if ward is None:
        return None
    neighbours = set(Ward.objects.filter(neighbours=code).values_list("code", flat=True))
    return _map_around(shape(ward["outline"]), code, ward["name"], neighbours, ward["borough"])


def area_map(outline: Mapping, name: str, borough: str, wards: Iterable[str]) -> SiteMap | None:
    """An area people drew or listed (a natural neighbourhood, GeoJSON) over the wards it is in,
    each named (with its borough, outside `borough`), and, paler, the others around it."""
    area = shape(outline)
    return None if area.is_empty else _map_around(area, "", name, set(wards), borough)


def _map_around(outline, code: str, name: str, neighbours: set[str], borough: str) -> SiteMap:
    """A place (a ward, or an area) shaded in a frame around it, with its `neighbours` named and,
    unnamed and paler, any other ward reaching into the frame (whose centre is within a few
    kilometres of it), so that no part of London is left blank."""
    west, south, east, north = outline.bounds
    around = max((east - west), (north - south)) * WARD_SURROUNDINGS
    around = max(around, MINIMUM_SURROUNDINGS_DEGREES)
    frame = Frame.around(west - around, south - around, east + around, north + around)
    window = box(west - around, south - around, east + around, north + around)
    reach = around + NEARBY_DEGREES
    nearby = (
        Ward.objects.exclude(outline=None)
        .exclude(code=code)
        .filter(latitude__range=(south - reach, north + reach), longitude__range=(west - 2 * reach, east + 2 * reach))
    )
    shapes = [
        _shape(
            frame,
            other,
            other_name,
            shape(geometry),
            clip=window,
            borough=borough_name if other_borough != borough else "",
            neighbour=other in neighbours,
        )
        for other, other_name, geometry, other_borough, borough_name in nearby.values_list(
            "code", "name", "outline", "borough", "borough__name"
        )
        if other in neighbours or shapely.intersects(window, shape(geometry))
    ]
    focus = _shape(frame, code, name, outline, labelled=False)
    return SiteMap(frame, _uncluttered([s for s in shapes if s]), focus, _scale_bar(frame))


def borough_map(code: str) -> SiteMap | None:
    """A borough's wards, each named."""
    return _kept(f"map:borough:{code}", lambda: _borough_map(code))


def _borough_map(code: str) -> SiteMap | None:
    wards = list(Ward.objects.filter(borough=code).exclude(outline=None).values_list("code", "name", "outline"))
    return _map_of([(ward, name, shape(outline)) for ward, name, outline in wards])


def london_map() -> SiteMap | None:
    """London's boroughs, each named."""
    return _kept("map:london", _london_map)


def _london_map() -> SiteMap | None:
    boroughs = Borough.objects.exclude(outline=None).values_list("code", "name", "outline")
    return _map_of([(borough, name, shape(outline)) for borough, name, outline in boroughs])


def _map_of(places: list[tuple[str, str, object]]) -> SiteMap | None:
    if not places:
        return None
    frame = Frame.around(*_bounds([geometry for _, _, geometry in places]))
    shapes = (_shape(frame, code, name, geometry) for code, name, geometry in places)
    return SiteMap(frame, _uncluttered([s for s in shapes if s]), None, _scale_bar(frame))


SHADES = 5


@dataclass(frozen=True)
class ShadeKey:
    shade: int
    lowest: int
    highest: int


def shades_of(values: Mapping[str, int]) -> tuple[dict[str, int], list[ShadeKey]]:
    """Each code's shade, from 0 to SHADES - 1, by where its value falls among them all (about as
    many in each shade), and the key: the range of values each shade stands for."""
    ordered = sorted(values.items(), key=lambda item: item[1])
    if not ordered:
        return {}, []
    shades: dict[str, int] = {}
    for rank, (code, _) in enumerate(ordered):
        shades[code] = min(SHADES - 1, rank * SHADES // len(ordered))
    # Equal values share a shade: each takes the shade of the first of them.
    first_shade: dict[int, int] = {}
    for code, value in ordered:
        shades[code] = first_shade.setdefault(value, shades[code])
    key = []
    for shade in sorted(set(shades.values())):
        held = [value for code, value in ordered if shades[code] == shade]
        key.append(ShadeKey(shade, min(held), max(held)))
    return shades, key
