// The map's "stretch ahead": choosing a road and direction draws the line from the driver's
// place (``#ahead=G228:start@70.5``, as the stations-ahead page links it, km from the line's
// start) or from the line's far end, and rings the stations within the maximum offset of
// that stretch. Takes the map from station-map.js (window.driverHomeMaps or its "map:init").
const control = document.getElementById("map-ahead-control");
const select = document.getElementById("map-ahead");
const status = document.getElementById("map-ahead-status");
const data = JSON.parse(document.getElementById("map-data").textContent);

const RAD = Math.PI / 180;
const R = 6371008.8;

function metres(a, b) {
  const dlat = (b[0] - a[0]) * RAD;
  const dlng = (b[1] - a[1]) * RAD;
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(a[0] * RAD) * Math.cos(b[0] * RAD) * Math.sin(dlng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

// The same projection as stations/road/geometry.py: nearest segment, distance along it.
export function project(latlngs, point) {
  let best = null;
  let start = 0;
  for (let i = 0; i < latlngs.length - 1; i += 1) {
    const [lat0, lng0] = latlngs[i];
    const [lat1, lng1] = latlngs[i + 1];
    const scale = Math.cos(((lat0 + lat1 + 2 * point[0]) / 4) * RAD);
    const dx = (lng1 - lng0) * scale;
    const dy = lat1 - lat0;
    const length2 = dx * dx + dy * dy;
    const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, (((point[1] - lng0) * scale) * dx + (point[0] - lat0) * dy) / length2));
    const foot = [lat0 + t * (lat1 - lat0), lng0 + t * (lng1 - lng0)];
    const segment = metres(latlngs[i], latlngs[i + 1]);
    const offset = metres(point, foot);
    if (!best || offset < best.offset) best = { along: start + t * segment, offset, foot };
    start += segment;
  }
  return best;
}

function stretch(latlngs, fromM, towardsEnd) {
  const points = [];
  let along = 0;
  const cumulative = latlngs.map((p, i) => {
    if (i > 0) along += metres(latlngs[i - 1], p);
    return along;
  });
  const start = project(latlngs, pointAt(latlngs, cumulative, fromM)).foot;
  points.push(start);
  const rest = latlngs.filter((_p, i) => (towardsEnd ? cumulative[i] > fromM : cumulative[i] < fromM));
  return points.concat(towardsEnd ? rest : rest.reverse());
}

function pointAt(latlngs, cumulative, along) {
  for (let i = 0; i < latlngs.length - 1; i += 1) {
    if (along <= cumulative[i + 1]) {
      const span = cumulative[i + 1] - cumulative[i] || 1;
      const t = Math.max(0, (along - cumulative[i]) / span);
      return [latlngs[i][0] + t * (latlngs[i + 1][0] - latlngs[i][0]), latlngs[i][1] + t * (latlngs[i + 1][1] - latlngs[i][1])];
    }
  }
  return latlngs[latlngs.length - 1];
}

function fromHash() {
  const match = /ahead=([^:@]+):(start|end)@([0-9.]+)/.exec(decodeURIComponent(window.location.hash));
  return match ? { way: `${match[1]}:${match[2]}`, km: Number(match[3]) } : null;
}

if (control && select) {
  const onMap = (map) => {
    const L = window.L;
    const maxOffset = Number(control.dataset.maxOffset);
    const layer = L.layerGroup().addTo(map);
    // The feed answers a bounded number of stations (stations/feeds.py): ask for this road's.
    const byRoute = {};
    // The map's feed address may carry its own query (the page's language): add the road.
    const routeFeed = (code) => {
      const url = new URL(data.feed, window.location.href);
      url.searchParams.set("route", code);
      return url.toString();
    };
    const featuresOf = (code) => {
      byRoute[code] ??= fetch(routeFeed(code))
        .then((response) => (response.ok ? response.json() : { features: [] }))
        .then((collection) => collection.features.filter((f) => !f.properties.cluster))
        .catch(() => []);
      return byRoute[code];
    };
    const linked = fromHash();

    async function highlight() {
      layer.clearLayers();
      status.textContent = "";
      delete control.dataset.shown;
      delete control.dataset.stretchKm;
      const [code, end] = select.value.split(":");
      const route = data.routes.find((r) => r.code === code);
      if (!route) return;
      const towardsEnd = end === "end";
      const fromM = linked && linked.way === select.value ? linked.km * 1000 : towardsEnd ? 0 : Infinity;
      const line = stretch(route.latlngs, fromM, towardsEnd);
      L.polyline(line, { color: "#f9a825", weight: 10, opacity: 0.85, className: "road-ahead" }).addTo(layer);
      const here = project(route.latlngs, line[0]).along;
      let count = 0;
      for (const feature of await featuresOf(code)) {
        const [lng, lat] = feature.properties.display || feature.geometry.coordinates;
        const p = project(route.latlngs, [lat, lng]);
        const ahead = towardsEnd ? p.along >= here - 100 : p.along <= here + 100;
        if (p.offset <= maxOffset && ahead) {
          count += 1;
          L.circleMarker([lat, lng], { radius: 12, color: "#f9a825", weight: 4, fill: false, className: "station-ahead" })
            .bindTooltip(feature.properties.name)
            .addTo(layer);
        }
      }
      // The map draws on a canvas: the stretch's length is left where tests can read it.
      control.dataset.stretchKm = (line.slice(1).reduce((sum, p, i) => sum + metres(line[i], p), 0) / 1000).toFixed(1);
      control.dataset.shown = String(count);
      status.textContent = control.dataset.count.replace("{count}", String(count));
      map.fitBounds(L.latLngBounds(line), { padding: [20, 20], maxZoom: 13, animate: false });
    }

    select.addEventListener("change", highlight);
    if (linked && [...select.options].some((o) => o.value === linked.way)) {
      select.value = linked.way;
      // After the map's own first fit to every station.
      setTimeout(highlight, 0);
    }
  };
  const ready = window.driverHomeMaps?.["stations-map"];
  if (ready) onMap(ready);
  else {
    window.addEventListener("map:init", (event) => {
      if (event.detail.id === "stations-map") onMap(event.detail.map);
    });
  }
}
