// "Use my location" on a station correction: fill the station's right position, rounded to
// 5 decimals (about 1 m; it is where the station is, sent only when the driver taps).
const button = document.getElementById("use-location");
const status = document.getElementById("location-status");
const lat = document.getElementById("id_latitude");
const lon = document.getElementById("id_longitude");

if (button && lat && lon && "geolocation" in navigator) {
  button.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = button.dataset.waiting;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = position.coords.latitude.toFixed(5);
        lon.value = position.coords.longitude.toFixed(5);
        status.textContent = button.dataset.done;
      },
      () => {
        status.textContent = button.dataset.failed;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 },
    );
  });
}
