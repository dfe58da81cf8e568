// "Use my location": fill the hidden latitude/longitude, rounded to 3 decimals (about 100 m).
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
        lat.value = position.coords.latitude.toFixed(3);
        lon.value = position.coords.longitude.toFixed(3);
        status.textContent = `${button.dataset.done} ${lat.value}, ${lon.value}`;
      },
      () => {
        status.textContent = button.dataset.failed;
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
    );
  });
}
