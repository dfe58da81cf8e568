// The station map: markers for what the map shows, asked of the feed by view (map-feed.js),
// clustered on the server, with route lines, an amenity filter and "you are here". Text
// goes in through textContent only.
//
// The map is built here, as soon as Leaflet has run (not at DOMContentLoaded: the page's
// other scripts need not arrive first); "map:init" is sent as django-leaflet sends it, so
// additions to the map listen for it as on the other maps.
const data = JSON.parse(document.getElementById("map-data").textContent);
const labels = JSON.parse(document.getElementById("map-labels").textContent);
const { FeedLoader, debounce } = window.DriverHomeMapFeed;

function popupFor(feature) {
  const p = feature.properties;
  const box = document.createElement("div");
  box.className = "map-popup";
  const title = document.createElement("strong");
  title.textContent = p.name;
  box.append(title);
  if (p.name_lang) {
    // No translation: the Chinese name, marked as such, and how to say it.
    title.lang = p.name_lang;
    if (p.name_pinyin) {
      const pinyin = document.createElement("span");
      pinyin.className = "pinyin";
      pinyin.lang = "zh-Latn-pinyin";
      pinyin.textContent = ` ${p.name_pinyin}`;
      box.append(pinyin);
    }
  }
  const status = document.createElement("p");
  if (p.status === "temporarily_closed") {
    status.textContent = labels.temporarily_closed;
    status.className = "popup-closed";
  } else {
    status.textContent = p.open_now ? labels.open : labels.closed;
    status.className = p.open_now ? "popup-open" : "popup-closed";
  }
  box.append(status);
  // Key amenities only (showers, parking, hot water...), and none that are out of order.
  const shown = data.key_amenities.filter(
    (code) => p.amenities.includes(code) && !p.out_of_order.includes(code),
  );
  if (shown.length) {
    const list = document.createElement("p");
    list.textContent = shown.map((code) => data.amenities[code]).join(" · ");
    box.append(list);
  }
  if (p.next_event) {
    const next = document.createElement("p");
    const when = new Date(p.next_event.starts).toLocaleString(document.documentElement.lang, {
      // The portal's TIME_ZONE, handed over by the page (templates/base.html).
      timeZone: document.documentElement.dataset.timeZone || undefined,
      month: "numeric",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
    });
    const eventLink = document.createElement("a");
    eventLink.href = p.next_event.url;
    eventLink.textContent = p.next_event.title;
    next.append(`${labels.next_event}: `, eventLink, ` · ${when}`);
    box.append(next);
  }
  const parking = parkingLine(p);
  if (parking) box.append(parking);
  const link = document.createElement("a");
  link.href = data.detail.replace("__slug__", encodeURIComponent(p.slug));
  link.textContent = labels.details;
  box.append(link);
  return box;
}

// Truck parking now: the popup line always says how old the report is.
function parkingLine(p) {
  if (!p.parking || p.parking === "unknown" || !p.parking_at) return null;
  const line = document.createElement("p");
  line.className = `popup-parking parking-${p.parking}`;
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(p.parking_at)) / 60000));
  const age = minutes < 60
    ? labels.minutes_ago.replace("%(count)s", String(minutes))
    : labels.hours_ago.replace("%(count)s", String(Math.floor(minutes / 60)));
  line.textContent = `${labels.parking[p.parking]} · ${age}`;
  return line;
}

// "You are here": a dot (and the accuracy circle) where the phone is; the position stays
// on the phone.
function locateControl(map) {
  const L = window.L;
  let here = null;
  const control = L.control({ position: "topleft" });
  control.onAdd = () => {
    const bar = L.DomUtil.create("div", "leaflet-bar leaflet-control map-locate");
    const button = L.DomUtil.create("button", "map-locate-button", bar);
    button.type = "button";
    button.title = labels.locate;
    button.setAttribute("aria-label", labels.locate);
    button.textContent = "\u25CE";
    const status = document.getElementById("map-locate-status");
    L.DomEvent.disableClickPropagation(bar);
    L.DomEvent.on(button, "click", () => {
      if (!("geolocation" in navigator)) {
        status.textContent = labels.locate_failed;
        return;
      }
      status.textContent = labels.locating;
      navigator.geolocation.getCurrentPosition(
        (position) => {
          const point = [position.coords.latitude, position.coords.longitude];
          const radius = Math.min(position.coords.accuracy || 0, 5000);
          if (here) here.remove();
          here = L.layerGroup([
            L.circle(point, { radius, weight: 1, color: "#0b5cad", fillOpacity: 0.1 }),
            L.circleMarker(point, {
              radius: 8,
              weight: 3,
              color: "#ffffff",
              fillColor: "#0b5cad",
              fillOpacity: 1,
            }).bindTooltip(labels.you_are_here, { permanent: true, direction: "right" }),
          ]).addTo(map);
          map.getContainer().dataset.located = "true";
          window.DriverHomeMapFeed.keepAround(data.feed, point[0], point[1]);
          status.textContent = labels.you_are_here;
          map.setView(point, Math.max(map.getZoom(), 12), { animate: false });
        },
        () => {
          status.textContent = labels.locate_failed;
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
      );
    });
    return bar;
  };
  control.addTo(map);
}

// One marker per station, made once, so an open popup survives a redraw.
function stationMarker(feature) {
  const L = window.L;
  // GeoJSON is [lng, lat]; "display" is where GCJ-02 tiles draw the point.
  const [lng, lat] = feature.properties.display || feature.geometry.coordinates;
  const name = feature.properties.name;
  const marker = L.marker([lat, lng], { title: name, alt: name });
  marker.bindPopup(() => popupFor(feature));
  // Marker style by parking now: full ones fade, fresh "spaces" ones stand out.
  const parking = feature.properties.parking || "unknown";
  marker.on("add", () => marker.getElement().classList.add(`marker-parking-${parking}`));
  return marker;
}

// A cluster from the server: a 44 px disc with its count; a tap zooms to its stations.
function clusterMarker(map, feature) {
  const L = window.L;
  const p = feature.properties;
  const [lng, lat] = p.display || feature.geometry.coordinates;
  const count = p.count;
  const size = count < 10 ? "small" : count < 50 ? "medium" : "large";
  const label = labels.cluster.replace("%(count)s", String(count));
  const html = document.createElement("div");
  const number = document.createElement("span");
  number.textContent = String(count);
  html.append(number);
  const marker = L.marker([lat, lng], {
    icon: L.divIcon({ html, className: `marker-cluster marker-cluster-${size}`, iconSize: [44, 44] }),
    title: label,
  });
  marker.on("add", () => marker.getElement().setAttribute("aria-label", label));
  marker.on("click", () => {
    const [west, south, east, north] = p.display_bounds || p.bounds;
    const target = map.getBoundsZoom([[south, west], [north, east]], false, L.point(40, 40));
    // Stations on one spot: zoom in two steps, down to where they come one by one.
    const zoom = Math.min(Math.max(target, map.getZoom() + 2), map.getMaxZoom());
    map.setView([(south + north) / 2, (west + east) / 2], zoom, { animate: false });
  });
  return marker;
}

function buildMap() {
  const L = window.L;
  const tiles = data.tiles;
  const map = L.map("stations-map", {
    minZoom: tiles.minZoom,
    maxZoom: tiles.maxZoom,
    center: data.initial.center,
    zoom: data.initial.zoom,
  });
  L.tileLayer(tiles.url, tiles.options).addTo(map);
  return map;
}

function drawRoutes(map) {
  const L = window.L;
  for (const route of data.routes) {
    L.polyline(route.latlngs, { color: route.colour, weight: 4, opacity: 0.7 })
      .bindTooltip(route.name)
      .addTo(map);
  }
}

// The stations layer: asks the feed for the view, keeps one marker per feature id.
function stationsLayer(map) {
  const L = window.L;
  const layer = L.layerGroup().addTo(map);
  const loader = new FeedLoader(data.feed, data.initial);
  const made = new Map(); // feature id -> marker
  const count = document.getElementById("map-count");
  let generation = 0;

  function markerFor(feature) {
    if (!made.has(feature.id)) {
      made.set(feature.id, feature.properties.cluster ? clusterMarker(map, feature) : stationMarker(feature));
    }
    return made.get(feature.id);
  }

  async function refresh() {
    const mine = (generation += 1);
    const zoom = Math.round(map.getZoom());
    const bounds = map.getBounds();
    const view = { west: bounds.getWest(), south: bounds.getSouth(), east: bounds.getEast(), north: bounds.getNorth() };
    const features = await loader.load(view, zoom);
    // A later move has asked since: its answer draws.
    if (mine !== generation) return;
    // Only what is in view (and a margin): the tiles reach beyond the screen.
    const near = bounds.pad(0.25);
    const shown = features.map(markerFor).filter((marker) => near.contains(marker.getLatLng()));
    const keep = new Set(shown);
    layer.eachLayer((old) => {
      if (!keep.has(old)) layer.removeLayer(old);
    });
    let inView = 0;
    for (const feature of features) {
      if (bounds.contains(markerFor(feature).getLatLng())) inView += feature.properties.count || 1;
    }
    for (const marker of shown) layer.addLayer(marker);
    count.textContent = labels.count.replace("%(count)s", String(inView));
    count.dataset.count = String(inView);
    map.getContainer().dataset.loaded = String(generation);
    // Leaflet's markers are drawn: the stand-ins of map-preview.js go.
    for (const preview of map.getContainer().querySelectorAll(".map-preview")) preview.remove();
  }

  map.on("moveend", debounce(refresh, 200));
  document.getElementById("map-filters").addEventListener("change", () => {
    loader.setAmenities([...document.querySelectorAll("#map-filters input[name=amenity]:checked")].map((input) => input.value));
    loader.setParking(document.querySelector("#map-filters input[name=parking]")?.checked);
    refresh();
  });
  refresh();
}

// Other apps' layers (border crossings): a small feed each, drawn with their own marker style.
function extraLayerPopup(feature) {
  const p = feature.properties;
  const box = document.createElement("div");
  box.className = "map-popup";
  const title = document.createElement("a");
  title.href = p.url;
  title.textContent = p.name;
  if (p.name_lang) title.lang = p.name_lang;
  box.append(title);
  if (p.name_pinyin) {
    const pinyin = document.createElement("span");
    pinyin.className = "pinyin";
    pinyin.lang = "zh-Latn-pinyin";
    pinyin.textContent = ` ${p.name_pinyin}`;
    box.append(pinyin);
  }
  if (p.notice) {
    const notice = document.createElement("p");
    notice.className = p.notice.stale ? "crossing-notice notice-stale" : "crossing-notice";
    notice.lang = p.notice.lang;
    const posted = new Date(p.notice.posted_at);
    const minutes = Math.max(0, Math.round((Date.now() - posted.getTime()) / 60000));
    const age = minutes < 60
      ? labels.minutes_ago.replace("%(count)s", String(minutes))
      : labels.hours_ago.replace("%(count)s", String(Math.round(minutes / 60)));
    notice.textContent = `${p.notice.text} (${age})`;
    box.append(notice);
  }
  return box;
}

async function extraLayers(map) {
  const L = window.L;
  for (const layer of data.layers || []) {
    const response = await fetch(layer.url, { credentials: "same-origin" }).catch(() => null);
    if (!response || !response.ok) continue;
    const body = await response.json();
    const group = L.layerGroup().addTo(map);
    for (const feature of body.features) {
      const [lng, lat] = feature.geometry.coordinates;
      const icon = L.divIcon({ className: `marker-${layer.name}`, iconSize: [30, 30], html: "" });
      // Below the stations: a crossing never hides the station cluster beside it.
      L.marker([lat, lng], { icon, title: feature.properties.name, alt: feature.properties.name, zIndexOffset: -1000 })
        .bindPopup(() => extraLayerPopup(feature))
        .addTo(group);
    }
    map.getContainer().dataset[`${layer.name}Loaded`] = String(body.features.length);
  }
}

const map = buildMap();
locateControl(map);
drawRoutes(map);
stationsLayer(map);
extraLayers(map);
// Scripts that run later (ahead-map.js) find the map here; earlier ones hear "map:init".
window.driverHomeMaps = { ...window.driverHomeMaps, "stations-map": map };
window.dispatchEvent(new CustomEvent("map:init", { detail: { id: "stations-map", map } }));
