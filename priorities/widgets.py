"""The page editor's map for drawing a natural neighbourhood's area: the field's own textarea of
GeoJSON (which works without JavaScript: paste a polygon into it), and above it a Leaflet map
(priorities/js/area_drawing.js) on which the officer clicks the area's corners. The map shows the
wards around it to find the way, and the tiles of the street map where a tile server is configured."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.template.loader import render_to_string


@dataclass(frozen=True)
class PublishedArea:
    """What the published page's area holds now, as the editor says it above the map."""

    outline: dict | None  # GeoJSON in WGS84
    postcodes: int
    ward_names: tuple[str, ...]

    def summary(self) -> str:
        if not self.postcodes:
            return "Published area: no postcodes yet. List some, or draw around them, and publish again."
        held = f"Published area: {self.postcodes} postcode{'s' if self.postcodes != 1 else ''}"
        if not self.ward_names:
            return held + "."
        *others, last = self.ward_names
        wards = f"{', '.join(others)} and {last}" if others else last
        return f"{held} in {wards} ward{'s' if others else ''}."


class AreaDrawingWidget(forms.Textarea):
    """A textarea of GeoJSON with a map to draw it on. The form sets `wards` (the outlines drawn
    beneath, as (name, GeoJSON) pairs) and `published` (None for a page never published)."""

    # Rendered with the site's templates (Django's form renderer reads only its own and the apps'),
    # around the textarea as Django renders it.
    map_template_name = "priorities/admin/widgets/area_drawing.html"

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 4, "spellcheck": "false", **(attrs or {})})
        self.wards: list[tuple[str, dict]] = []
        self.published: PublishedArea | None = None

    class Media:
        css = {"all": ["js_lib_leaflet/leaflet.css", "priorities/css/area_drawing.css"]}
        js = ["js_lib_leaflet/leaflet.js", "priorities/js/area_drawing.js"]

    def format_value(self, value):
        return "" if value in (None, "null") else super().format_value(value)  # nothing drawn: an empty box

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        field_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        return render_to_string(self.map_template_name, {"area": self.area_context(field_id), "textarea": textarea})

    def area_context(self, field_id: str) -> dict:
        return {
            "id": field_id,
            "wards_id": f"{field_id}-wards",
            "published_id": f"{field_id}-published",
            "wards": {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"name": ward_name}, "geometry": outline}
                    for ward_name, outline in self.wards
                    if outline
                ],
            },
            "published": self.published,
            "published_outline": self.published.outline if self.published else None,
            "tiles": (
                {
                    "url": settings.SN_MAP_TILES_URL,
                    "attribution": settings.SN_MAP_TILES_ATTRIBUTION,
                    "max_zoom": settings.SN_MAP_TILES_MAX_ZOOM,
                }
                if settings.SN_MAP_TILES_URL
                else None
            ),
        }
