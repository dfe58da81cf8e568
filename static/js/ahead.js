// The "stations ahead" page's enhancements.
// 1. "Use my location": the position, rounded to 3 decimals (about 100 m) before it leaves
//    the phone. With a road and direction chosen it is sent at once; with "work it out"
//    the page waits until the phone has moved a few hundred metres and sends both
//    positions, from which the server tells the direction.
// 2. The rest limit: "driving since HH:MM" stays in this phone's localStorage; the form
//    sends only the minutes left before the four hours are up (rest_min).
const form = document.getElementById("ahead-form");
const button = document.getElementById("use-location");
const message = document.getElementById("locate-message");
const LIMIT_MIN = 240;
const MOVED_M = 300;
const SINCE_KEY = "driverhome.drivingSince";

function round3(value) {
  return (Math.round(value * 1000) / 1000).toFixed(3);
}

function metresBetween(a, b) {
  const rad = Math.PI / 180;
  const dlat = (b.latitude - a.latitude) * rad;
  const dlng = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dlat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dlng / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

function send(position, earlier) {
  form.elements.lat.value = round3(position.latitude);
  form.elements.lng.value = round3(position.longitude);
  form.elements.place.value = "";
  form.elements.from_lat.value = earlier ? round3(earlier.latitude) : "";
  form.elements.from_lng.value = earlier ? round3(earlier.longitude) : "";
  form.requestSubmit();
}

if (form && button && "geolocation" in navigator) {
  button.hidden = false;
  button.addEventListener("click", () => {
    message.textContent = button.dataset.locating;
    button.disabled = true;
    const failed = () => {
      button.disabled = false;
      message.textContent = button.dataset.denied;
    };
    const options = { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 };
    if (form.elements.way.value) {
      navigator.geolocation.getCurrentPosition((p) => send(p.coords, null), failed, options);
      return;
    }
    // No direction chosen: watch until the phone has moved far enough to tell it. Some
    // phones report a watched position only now and then, so it is also asked for every
    // few seconds; both stop once the direction is known (or after five minutes).
    let first = null;
    let done = false;
    const stop = () => {
      done = true;
      navigator.geolocation.clearWatch(watch);
      window.clearInterval(poll);
    };
    const seen = (p) => {
      if (done) return;
      if (!first) {
        first = { latitude: p.coords.latitude, longitude: p.coords.longitude };
        message.textContent = button.dataset.moving;
      } else if (metresBetween(first, p.coords) >= MOVED_M) {
        stop();
        send(p.coords, first);
      }
    };
    const lost = () => {
      if (done || first) return;
      stop();
      failed();
    };
    const watch = navigator.geolocation.watchPosition(seen, lost, options);
    const poll = window.setInterval(
      () => navigator.geolocation.getCurrentPosition(seen, () => {}, options),
      4000,
    );
    window.setTimeout(() => {
      if (!done) {
        stop();
        failed();
      }
    }, 300000);
  });
}

// Minutes of driving left at ``now`` for a start at "HH:MM" (a start later in the day
// than now was yesterday: driving across midnight).
export function minutesLeft(since, now) {
  const [hours, minutes] = since.split(":").map(Number);
  const started = hours * 60 + minutes;
  const current = now.getHours() * 60 + now.getMinutes();
  const driven = (current - started + 1440) % 1440;
  return LIMIT_MIN - driven;
}

function dueAt(since) {
  const [hours, minutes] = since.split(":").map(Number);
  const due = (hours * 60 + minutes + LIMIT_MIN) % 1440;
  return `${String(Math.floor(due / 60)).padStart(2, "0")}:${String(due % 60).padStart(2, "0")}`;
}

function readSince() {
  try {
    return window.localStorage.getItem(SINCE_KEY) || "";
  } catch {
    return "";
  }
}

function writeSince(value) {
  try {
    if (value) window.localStorage.setItem(SINCE_KEY, value);
    else window.localStorage.removeItem(SINCE_KEY);
  } catch {
    // No storage (private mode): the time still counts for this page.
  }
}

const rest = document.getElementById("rest-limit");
if (form && rest) {
  rest.hidden = false;
  const input = document.getElementById("driving-since");
  const due = document.getElementById("rest-due");
  const minutes = form.elements.rest_min;
  input.value = readSince();
  const update = () => {
    const since = input.value;
    if (!since) {
      due.textContent = "";
      minutes.value = "";
      return;
    }
    const left = minutesLeft(since, new Date());
    minutes.value = String(Math.max(-1440, left));
    due.textContent = left > 0 ? due.dataset.due.replace("{time}", dueAt(since)) : due.dataset.past;
  };
  input.addEventListener("change", () => {
    writeSince(input.value);
    update();
  });
  // Minutes left are worked out again at the moment the form leaves.
  form.addEventListener("submit", update);
  update();
}
