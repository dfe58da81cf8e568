// Admin location picker: click the map or drag the marker to set latitude/longitude;
// typing them moves the marker. Fields hold WGS-84; on GCJ-02 tiles the admin's convert
// view shifts points both ways (one conversion module, on the server).
const box = document.getElementById("location-picker");
const latInput = document.getElementById("id_latitude");
const lngInput = document.getElementById("id_longitude");

// Put the map right under the coordinate fields.
const lngRow = lngInput && (lngInput.closest(".form-row") || lngInput.parentNode);
if (box && lngRow && lngRow.parentNode) {
  lngRow.parentNode.insertBefore(box, lngRow.nextSibling);
}

async function convert(lat, lng, to) {
  if (box.dataset.crs !== "gcj02") return [lat, lng];
  const url = `${box.dataset.convertUrl}?lat=${lat}&lng=${lng}&to=${to}`;
  const response = await fetch(url, { credentials: "same-origin" });
  const point = await response.json();
  return [point.lat, point.lng];
}

function typedPoint() {
  const lat = Number.parseFloat(latInput.value);
  const lng = Number.parseFloat(lngInput.value);
  if (!Number.isFinite(lat) || !Number.isFinite(lng)) return null;
  if (lat < -90 || lat > 90 || lng < -180 || lng > 180) return null;
  return [lat, lng];
}

window.addEventListener("map:init", async (event) => {
  const { id, map } = event.detail;
  if (id !== "location-picker" || !latInput || !lngInput) return;
  let marker = null;

  async function setFromMap(latlng) {
    const [lat, lng] = await convert(latlng.lat, latlng.lng, "wgs84");
    latInput.value = lat.toFixed(6);
    lngInput.value = lng.toFixed(6);
  }

  function place(displayPoint) {
    if (marker) {
      marker.setLatLng(displayPoint);
    } else {
      marker = window.L.marker(displayPoint, { draggable: true }).addTo(map);
      marker.on("dragend", () => setFromMap(marker.getLatLng()));
    }
  }

  async function moveToTyped(zoom) {
    const point = typedPoint();
    if (!point) return;
    const display = await convert(point[0], point[1], "display");
    place(display);
    map.setView(display, zoom || map.getZoom());
  }

  map.on("click", (e) => {
    place(e.latlng);
    setFromMap(e.latlng);
  });
  latInput.addEventListener("change", () => moveToTyped());
  lngInput.addEventListener("change", () => moveToTyped());
  await moveToTyped(14);
});
