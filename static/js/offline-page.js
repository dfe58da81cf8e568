// The offline page: the nearest stations, worked out on the phone from the station feed the
// service worker saved and the phone's position (satellite positioning needs no data).
(function () {
  "use strict";

  const section = document.getElementById("offline-nearest");
  if (!section) return;
  const text = section.dataset;
  const status = document.getElementById("offline-status");
  const list = document.getElementById("offline-stations");
  const SHOWN = 8;

  function distanceKm(lat1, lon1, lat2, lon2) {
    const rad = Math.PI / 180;
    const dLat = (lat2 - lat1) * rad;
    const dLon = (lon2 - lon1) * rad;
    const a =
      Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
    return 6371 * 2 * Math.asin(Math.sqrt(a));
  }

  // The portal's date format, from sw-register.js (loaded later in the page).
  function when(iso) {
    return self.DriverHome ? self.DriverHome.when(iso) : new Date(iso).toLocaleString();
  }

  function pageUrl(url) {
    // Feed URLs are the Chinese (unprefixed) ones; add this page's language prefix.
    return text.languagePrefix + String(url || "").replace(/^\//, "");
  }

  function render(stations, origin) {
    list.replaceChildren();
    for (const station of stations.slice(0, SHOWN)) {
      const item = document.createElement("li");
      item.className = "offline-station";
      const name = document.createElement("a");
      name.className = "offline-station-name";
      name.href = pageUrl(station.url);
      name.textContent = station.name;
      item.append(name);
      if (origin) {
        const away = document.createElement("span");
        away.className = "offline-distance";
        away.textContent = ` ${station.distance.toFixed(1)} ${text.km}`;
        item.append(away);
      }
      if (station.open24h) {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = text.openAllDay;
        item.append(" ", badge);
      }
      if (station.phone) {
        const call = document.createElement("a");
        call.className = "button call";
        call.href = `tel:${station.phone}`;
        call.textContent = `${text.call} ${station.phone}`;
        const line = document.createElement("p");
        line.append(call);
        item.append(line);
      }
      list.append(item);
    }
  }

  // As map-feed.js does: a point rounded to 0.1 degree, never the exact position.
  function keepAround(latitude, longitude) {
    const near = `${latitude.toFixed(1)},${longitude.toFixed(1)}`;
    fetch(`${text.feed}?near=${near}`, { credentials: "same-origin" }).catch(() => null);
  }

  function position() {
    return new Promise((resolve) => {
      if (!("geolocation" in navigator)) return resolve(null);
      navigator.geolocation.getCurrentPosition(
        (found) => resolve(found.coords),
        () => resolve(null),
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 300000 },
      );
    });
  }

  // The feed's cache in the service worker (sw-main.js): the first stations, the views the
  // map showed and the stations around the driver, each kept as the server answered it.
  const FEED_CACHE = "driverhome-feed";

  async function read(response, found) {
    if (!response || !response.ok) return null;
    const collection = await response.json();
    for (const feature of collection.features || []) {
      // Clusters are counts, not stations.
      if (feature.geometry && !feature.properties.cluster) found.set(feature.id, feature);
    }
    return response.headers.get("X-Saved-At");
  }

  // Every station the phone holds, merged by id; and the newest time one was saved.
  async function savedStations() {
    const found = new Map();
    let savedAt = null;
    if ("caches" in self && (await caches.has(FEED_CACHE))) {
      const cache = await caches.open(FEED_CACHE);
      for (const request of await cache.keys()) {
        const stamp = await read(await cache.match(request), found).catch(() => null);
        if (stamp && (!savedAt || stamp > savedAt)) savedAt = stamp;
      }
    }
    if (!found.size) {
      // Nothing kept yet: ask (the worker answers from the network or its copy).
      savedAt = await read(await fetch(text.feed, { credentials: "same-origin" }), found);
    }
    if (!found.size) throw new Error("no saved stations");
    return { features: [...found.values()], savedAt };
  }

  async function show() {
    let features;
    let savedAt;
    try {
      ({ features, savedAt } = await savedStations());
    } catch (error) {
      status.textContent = text.noFeed;
      return;
    }
    const stations = features
      .filter((feature) => feature.properties.status !== "temporarily_closed")
      .map((feature) => ({
        name: feature.properties.name,
        url: feature.properties.url,
        phone: feature.properties.phone,
        open24h: feature.properties.open_24h,
        lon: feature.geometry.coordinates[0],
        lat: feature.geometry.coordinates[1],
      }));
    status.textContent = text.locating;
    const origin = await position();
    if (origin) {
      // Online, the stations around the driver are kept for the next time (map-feed.js).
      if (navigator.onLine) keepAround(origin.latitude, origin.longitude);
      for (const station of stations) {
        station.distance = distanceKm(origin.latitude, origin.longitude, station.lat, station.lon);
      }
      stations.sort((a, b) => a.distance - b.distance);
      status.textContent = "";
    } else {
      stations.sort((a, b) => a.name.localeCompare(b.name, document.documentElement.lang));
      status.textContent = text.noPosition;
    }
    render(stations, origin);
    if (savedAt) {
      const asOf = document.createElement("p");
      asOf.className = "helptext";
      asOf.id = "offline-feed-as-of";
      const time = document.createElement("time");
      time.dateTime = savedAt;
      time.textContent = when(savedAt);
      asOf.append(`${text.asOf} `, time);
      list.after(asOf);
    }
  }

  show();
})();
