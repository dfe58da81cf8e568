// "Use my location": fill the nearby form from the browser's position, rounded to
// 3 decimals (about 100 m) before it leaves the phone, then submit it.
const form = document.getElementById("nearby-form");
const button = document.getElementById("use-location");
const message = document.getElementById("locate-message");

function round3(value) {
  return (Math.round(value * 1000) / 1000).toFixed(3);
}

if (form && button) {
  if ("geolocation" in navigator) {
    button.hidden = false;
  } else {
    message.textContent = button.dataset.unsupported;
  }
  button.addEventListener("click", () => {
    message.textContent = button.dataset.locating;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.elements.lat.value = round3(position.coords.latitude);
        form.elements.lng.value = round3(position.coords.longitude);
        form.elements.place.value = "";
        form.submit();
      },
      () => {
        button.disabled = false;
        message.textContent = button.dataset.denied;
        form.elements.place.focus();
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  });
}
