// "Use my location": fill the form's latitude/longitude from the phone, only when tapped.
// The button says how: data-decimals (3, about 100 m, for a help request; 5, about 1 m, for
// a station's right position), data-precise (ask the GPS for a fresh fix) and data-show
// (say the filled-in position back).
const button = document.getElementById("use-location");
const status = document.getElementById("location-status");
const lat = document.getElementById("id_latitude");
const lon = document.getElementById("id_longitude");

if (button && lat && lon && "geolocation" in navigator) {
  const decimals = Number(button.dataset.decimals || 3);
  const precise = "precise" in button.dataset;
  button.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = button.dataset.waiting;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = position.coords.latitude.toFixed(decimals);
        lon.value = position.coords.longitude.toFixed(decimals);
        status.textContent =
          "show" in button.dataset ? `${button.dataset.done} ${lat.value}, ${lon.value}` : button.dataset.done;
      },
      () => {
        status.textContent = button.dataset.failed;
      },
      precise
        ? { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }
        : { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
    );
  });
}
