"""Ward maps drawn by the site itself: an outline as inline SVG, with no third-party map tiles (no
tracking, nothing to load, readable at any zoom)."""

import math
from dataclasses import dataclass

VIEW_SIZE = 1000  # the longer side of the drawing, in SVG units
MARGIN = 10  # room around it for the outline's stroke


@dataclass(frozen=True)
class OutlineDrawing:
    view_box: str
    path: str  # SVG path data: one closed ring per polygon ring


def outline_drawing(geometry: dict | None) -> OutlineDrawing | None:
    """Draw a GeoJSON Polygon or MultiPolygon (WGS84), north up, in true proportions."""
    if not geometry or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        return None
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    rings = [ring for polygon in polygons for ring in polygon if len(ring) >= 3]
    if not rings:
        return None
    lngs = [lng for ring in rings for lng, _ in ring]
    lats = [lat for ring in rings for _, lat in ring]
    # A degree of longitude is shorter than a degree of latitude this far north.
    squash = math.cos(math.radians((min(lats) + max(lats)) / 2))
    width, height = (max(lngs) - min(lngs)) * squash, max(lats) - min(lats)
    scale = VIEW_SIZE / max(width, height, 1e-9)

    def point(lng: float, lat: float) -> str:
        return f"{(lng - min(lngs)) * squash * scale:.1f} {(max(lats) - lat) * scale:.1f}"

    path = " ".join("M" + " L".join(point(lng, lat) for lng, lat in ring) + " Z" for ring in rings)
    view_box = f"{-MARGIN} {-MARGIN} {width * scale + 2 * MARGIN:.0f} {height * scale + 2 * MARGIN:.0f}"
    return OutlineDrawing(view_box, path)
