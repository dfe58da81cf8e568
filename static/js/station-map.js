// The station map: markers from the GeoJSON feed, clustered, with route lines, an
// amenity filter and "you are here". Text goes in through textContent only.
const data = JSON.parse(document.getElementById("map-data").textContent);
const labels = JSON.parse(document.getElementById("map-labels").textContent);

// The feed travels while Leaflet loads and sets the map up, not after it.
// The page preloads it (<link rel="preload">), so this request is answered from there.
const features = fetch(data.feed)
  .then((response) => (response.ok ? response.json() : { features: [] }))
  .then((collection) => collection.features)
  .catch(() => []);

function popupFor(feature) {
  const p = feature.properties;
  const box = document.createElement("div");
  box.className = "map-popup";
  const title = document.createElement("strong");
  title.textContent = p.name;
  box.append(title);
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

function wanted() {
  return [...document.querySelectorAll("#map-filters input[name=amenity]:checked")].map(
    (input) => input.value,
  );
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

function parkingWanted() {
  const box = document.querySelector("#map-filters input[name=parking]");
  return Boolean(box && box.checked);
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

function clusterMarker(map, index, cluster) {
  const L = window.L;
  const [lng, lat] = cluster.geometry.coordinates;
  const count = cluster.properties.point_count;
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
    const zoom = Math.min(index.getClusterExpansionZoom(cluster.properties.cluster_id), 18);
    map.setView([lat, lng], zoom, { animate: false });
  });
  return marker;
}

window.addEventListener("map:init", async (event) => {
  const { id, map } = event.detail;
  if (id !== "stations-map") return;
  const L = window.L;
  // Straight to where the stations are, before the first tiles are asked for twice.
  if (data.bounds) map.fitBounds(data.bounds, { padding: [20, 20], maxZoom: 14, animate: false });
  locateControl(map);
  for (const route of data.routes) {
    L.polyline(route.latlngs, { color: route.colour, weight: 4, opacity: 0.7 })
      .bindTooltip(route.name)
      .addTo(map);
  }
  // Supercluster indexes the points once for every zoom; each move only reads the view.
  const layer = L.layerGroup().addTo(map);
  const markers = (await features).map((feature) => ({ feature, marker: stationMarker(feature) }));
  const count = document.getElementById("map-count");
  let index = null;

  function draw() {
    if (!index) return;
    const bounds = map.getBounds();
    const box = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
    const shown = index.getClusters(box, Math.round(map.getZoom())).map((item) =>
      item.properties.cluster
        ? clusterMarker(map, index, item)
        : markers[item.properties.index].marker,
    );
    layer.eachLayer((old) => {
      if (!shown.includes(old)) layer.removeLayer(old);
    });
    for (const marker of shown) layer.addLayer(marker);
  }

  function filter() {
    const codes = wanted();
    const parkingOnly = parkingWanted();
    const points = [];
    markers.forEach(({ feature }, position) => {
      if (parkingOnly && !feature.properties.parking_not_full) return;
      if (codes.every((code) => feature.properties.amenities.includes(code))) {
        const [lng, lat] = feature.properties.display || feature.geometry.coordinates;
        points.push({
          type: "Feature",
          geometry: { type: "Point", coordinates: [lng, lat] },
          properties: { index: position },
        });
      }
    });
    // extent 256: Leaflet's tile size, so the radius is in screen pixels (clusters 50 px apart).
    index = new window.Supercluster({ radius: 50, extent: 256, maxZoom: 16 }).load(points);
    count.textContent = labels.count.replace("%(count)s", String(points.length));
    count.dataset.count = String(points.length);
    if (points.length) {
      const box = L.latLngBounds(points.map((p) => [p.geometry.coordinates[1], p.geometry.coordinates[0]]));
      map.fitBounds(box, { padding: [20, 20], maxZoom: 14, animate: false });
    }
    draw();
  }
  map.on("moveend", draw);
  document.getElementById("map-filters").addEventListener("change", filter);
  filter();
});
