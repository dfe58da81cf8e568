// The station map: markers from the GeoJSON feed, clustered, with route lines and an
// amenity filter. Text goes in through textContent only.
const data = JSON.parse(document.getElementById("map-data").textContent);
const labels = JSON.parse(document.getElementById("map-labels").textContent);

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
  const link = document.createElement("a");
  link.href = data.detail.replace("__slug__", encodeURIComponent(p.slug));
  link.textContent = labels.details;
  box.append(link);
  return box;
}

function wanted() {
  return [...document.querySelectorAll("#map-filters input:checked")].map((input) => input.value);
}

window.addEventListener("map:init", async (event) => {
  const { id, map } = event.detail;
  if (id !== "stations-map") return;
  const L = window.L;
  for (const route of data.routes) {
    L.polyline(route.latlngs, { color: route.colour, weight: 4, opacity: 0.7 })
      .bindTooltip(route.name)
      .addTo(map);
  }
  const clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
  map.addLayer(clusters);
  const response = await fetch(data.feed, { headers: { Accept: "application/geo+json" } });
  const collection = await response.json();
  const markers = collection.features.map((feature) => {
    // GeoJSON is [lng, lat]; "display" is where GCJ-02 tiles draw the point.
    const [lng, lat] = feature.properties.display || feature.geometry.coordinates;
    const marker = L.marker([lat, lng], { title: feature.properties.name });
    marker.bindPopup(() => popupFor(feature));
    marker.feature = feature;
    return marker;
  });
  const count = document.getElementById("map-count");
  function redraw() {
    const codes = wanted();
    const shown = markers.filter((marker) =>
      codes.every((code) => marker.feature.properties.amenities.includes(code)),
    );
    clusters.clearLayers();
    clusters.addLayers(shown);
    count.textContent = labels.count.replace("%(count)s", String(shown.length));
    count.dataset.count = String(shown.length);
    if (shown.length) {
      map.fitBounds(clusters.getBounds(), { padding: [20, 20], maxZoom: 14, animate: false });
    }
  }
  document.getElementById("map-filters").addEventListener("change", redraw);
  redraw();
});
