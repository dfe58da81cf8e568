// The small map on a station page: one marker where the station is drawn on the tiles.
window.addEventListener("map:init", (event) => {
  const { id, map } = event.detail;
  if (id !== "station-leaflet") return;
  const element = document.getElementById(id);
  const point = [Number(element.dataset.lat), Number(element.dataset.lng)];
  window.L.marker(point, { title: element.dataset.name, alt: element.dataset.name }).addTo(map);
  map.setView(point, 15);
});
