// The small map on a station page: one marker where the station is drawn on the tiles.
// django-leaflet's options come as a JSON data block, not an inline script, so the page
// carries no per-response nonce and can be served from the shared page cache.
const options = JSON.parse(document.getElementById("station-leaflet-options").textContent);
window.addEventListener("DOMContentLoaded", () => {
  window.L.Map.djangoMap("station-leaflet", {
    djoptions: options,
    initfunc: null,
    globals: false,
    callback: null,
  });
});

window.addEventListener("map:init", (event) => {
  const { id, map } = event.detail;
  if (id !== "station-leaflet") return;
  const element = document.getElementById(id);
  const point = [Number(element.dataset.lat), Number(element.dataset.lng)];
  window.L.marker(point, { title: element.dataset.name, alt: element.dataset.name }).addTo(map);
  map.setView(point, 15);
});
