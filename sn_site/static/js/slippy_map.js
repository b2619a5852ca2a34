// The street map (templates/geography/includes/slippy_map.html): a place's outline, drawn with
// Leaflet over tiles from the configured server (SN_MAP_TILES_URL). It stays hidden without
// JavaScript or Leaflet, where the page's own drawn outline is the map. Leaflet's keyboard handler
// pans with the arrow keys and zooms with + and - while the map has focus; Tab moves on as ever.
(function () {
  if (!window.L) return;

  // The attribution is plain text in the settings; Leaflet writes it as HTML.
  function asHtml(text) {
    var holder = document.createElement("span");
    holder.textContent = text;
    return holder.innerHTML;
  }

  document.querySelectorAll("[data-slippy-map]").forEach(function (holder) {
    var canvas = holder.querySelector(".slippy-map__canvas");
    var outline = JSON.parse(document.getElementById("slippy-map-outline").textContent);
    holder.hidden = false; // first, so that Leaflet measures the map at its size
    var map = L.map(canvas, { keyboard: true, scrollWheelZoom: false });
    L.tileLayer(canvas.dataset.tilesUrl, {
      attribution: asHtml(canvas.dataset.attribution),
      maxZoom: Number(canvas.dataset.maxZoom),
    }).addTo(map);
    var shape = L.geoJSON(outline, { interactive: false, className: "slippy-map__outline" }).addTo(map);
    map.fitBounds(shape.getBounds(), { padding: [12, 12] });
  });
})();
