// A natural neighbourhood's area, drawn in the page editor (priorities/widgets.py): each click on the
// map adds a corner, and the polygon they make is written into the field's textarea as GeoJSON
// (longitude first). Undo takes the last corner away; Clear empties the drawing. GeoJSON pasted or
// typed into the textarea is drawn too. Without JavaScript or Leaflet the map stays hidden and the
// textarea is the field.
(function () {
  if (!window.L) return;

  function asHtml(text) {
    var holder = document.createElement("span");
    holder.textContent = text;
    return holder.innerHTML;
  }

  function parsed(text) {
    try {
      return text.trim() ? JSON.parse(text) : null;
    } catch (error) {
      return undefined; // not JSON: the form will say so on saving
    }
  }

  // The corners of a drawing that is one polygon with no holes, as [latitude, longitude] pairs; null
  // for anything else (several polygons, holes), which is shown but not edited corner by corner.
  function cornersOf(geojson) {
    var geometry = geojson && geojson.type === "Feature" ? geojson.geometry : geojson;
    if (!geometry || geometry.type !== "Polygon" || !Array.isArray(geometry.coordinates)) return null;
    if (geometry.coordinates.length !== 1) return null;
    var ring = geometry.coordinates[0].map(function (point) {
      return [point[1], point[0]];
    });
    var first = ring[0], last = ring[ring.length - 1];
    if (ring.length > 1 && first[0] === last[0] && first[1] === last[1]) ring.pop();
    return ring;
  }

  function rounded(number) {
    return Math.round(number * 1e6) / 1e6;
  }

  function start(holder) {
    var textarea = document.getElementById(holder.dataset.areaDrawing);
    var canvas = holder.querySelector(".area-drawing__canvas");
    var status = holder.querySelector("[data-drawing-status]");
    var undo = holder.querySelector("[data-undo-corner]");
    var clear = holder.querySelector("[data-clear-drawing]");
    var wards = JSON.parse(document.getElementById(holder.dataset.wards).textContent);
    var published = JSON.parse(document.getElementById(holder.dataset.published).textContent);
    holder.hidden = false; // first, so that Leaflet measures the map at its size

    var map = L.map(canvas, { keyboard: true, scrollWheelZoom: false, doubleClickZoom: false });
    map.setView([51.505, -0.09], 10); // London, until the drawing or the wards are fitted below
    if (canvas.dataset.tilesUrl) {
      L.tileLayer(canvas.dataset.tilesUrl, {
        attribution: asHtml(canvas.dataset.attribution),
        maxZoom: Number(canvas.dataset.maxZoom),
      }).addTo(map);
    }
    var base = L.geoJSON(wards, {
      interactive: false,
      className: "area-drawing__ward",
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.name, {
          permanent: true,
          direction: "center",
          className: "area-drawing__ward-name",
        });
      },
    }).addTo(map);
    var publishedLayer = published
      ? L.geoJSON(published, { interactive: false, className: "area-drawing__published-outline" }).addTo(map)
      : null;
    var shape = L.polygon([], { interactive: false, className: "area-drawing__shape" }).addTo(map);
    var marks = L.layerGroup().addTo(map);
    var pasted = null; // a drawing that is not one simple polygon, shown as it is
    var corners = [];

    function show() {
      shape.setLatLngs(corners);
      marks.clearLayers();
      corners.forEach(function (corner) {
        L.circleMarker(corner, { radius: 5, interactive: false, className: "area-drawing__corner" }).addTo(marks);
      });
      undo.disabled = corners.length === 0;
      clear.disabled = corners.length === 0 && !pasted;
      if (pasted) status.textContent = "The area pasted is shown. Clear it to draw one instead.";
      else if (corners.length === 0) status.textContent = "No area drawn.";
      else if (corners.length < 3)
        status.textContent = corners.length + (corners.length === 1 ? " corner" : " corners") + ": at least 3 make an area.";
      else status.textContent = corners.length + " corners drawn.";
    }

    function write() {
      if (corners.length === 0) {
        textarea.value = "";
      } else {
        var ring = corners.map(function (corner) {
          return [rounded(corner[1]), rounded(corner[0])];
        });
        ring.push(ring[0]);
        textarea.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      }
      textarea.dispatchEvent(new Event("change", { bubbles: true }));
      show();
    }

    function read() {
      var geojson = parsed(textarea.value);
      if (pasted) pasted.remove();
      pasted = null;
      corners = cornersOf(geojson) || [];
      if (geojson && !cornersOf(geojson)) {
        try {
          pasted = L.geoJSON(geojson, { interactive: false, className: "area-drawing__shape" }).addTo(map);
        } catch (error) {
          pasted = null; // not GeoJSON Leaflet can draw: the form will say what is wrong on saving
        }
      }
      show();
    }

    map.on("click", function (event) {
      if (pasted) return;
      corners.push([event.latlng.lat, event.latlng.lng]);
      write();
    });
    undo.addEventListener("click", function () {
      corners.pop();
      write();
    });
    clear.addEventListener("click", function () {
      if (pasted) pasted.remove();
      pasted = null;
      corners = [];
      write();
    });
    textarea.addEventListener("input", read);

    read();
    var drawn = pasted || (corners.length ? shape : null);
    var bounds = (drawn && drawn.getBounds()) || (publishedLayer && publishedLayer.getBounds());
    if (!bounds || !bounds.isValid()) bounds = base.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
    // The editor may lay the map out after this runs (its panels open, its styles arrive): until the
    // officer moves the map themselves, fit it again to its new size.
    var moved = false;
    ["mousedown", "touchstart", "keydown", "wheel"].forEach(function (kind) {
      canvas.addEventListener(kind, function () {
        moved = true;
      });
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        map.invalidateSize();
        if (!moved && bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
      }).observe(canvas);
    }
  }

  function startAll() {
    document.querySelectorAll("[data-area-drawing]").forEach(function (holder) {
      if (holder.dataset.started) return;
      holder.dataset.started = "yes";
      start(holder);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
