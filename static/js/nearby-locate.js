// The nearby page's enhancements. "Use my location": fill the nearby form from the
// browser's position, rounded to 3 decimals (about 100 m) before it leaves the phone, then
// submit it. Below: the folded panels remember whether the driver left them open.
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

// Remember whether a folded panel (<details data-remember="key">) was left open or closed,
// so the results stay first for a driver who keeps the filters shut. Without this script,
// or without storage (private mode, some in-app browsers), the panels work as plain
// <details> and start as the server drew them.
const PREFIX = "driverhome.fold.";

function read(key) {
  try {
    return window.localStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    window.localStorage.setItem(PREFIX + key, value);
  } catch {
    // Storage refused: the panel still opens and closes, it is just not remembered.
  }
}

for (const panel of document.querySelectorAll("details[data-remember]")) {
  const key = panel.dataset.remember;
  const stored = read(key);
  // A panel holding an error stays open whatever was stored.
  if (stored && !panel.querySelector(".errorlist")) {
    panel.open = stored === "open";
  }
  panel.addEventListener("toggle", () => write(key, panel.open ? "open" : "closed"));
}
