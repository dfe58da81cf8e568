// The station map: markers from the GeoJSON feed, clustered, with route lines, an
// amenity filter and "you are here". Text goes in through textContent only.
const data = JSON.parse(document.getElementById("map-data").textContent);
const labels = JSON.parse(document.getElementById("map-labels").textContent);

// The feed is asked for as soon as this module runs (after the page is parsed), so it
// travels while Leaflet sets the map up instead of after it.
const features = fetch(data.feed, { headers: { Accept: "application/geo+json" } })
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
  const link = document.createElement("a");
  link.href = data.detail.replace("__slug__", encodeURIComponent(p.slug));
  link.textContent = labels.details;
  box.append(link);
  return box;
}

function wanted() {
  return [...document.querySelectorAll("#map-filters input:checked")].map((input) => input.value);
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

window.addEventListener("map:init", async (event) => {
  const { id, map } = event.detail;
  if (id !== "stations-map") return;
  const L = window.L;
  locateControl(map);
  for (const route of data.routes) {
    L.polyline(route.latlngs, { color: route.colour, weight: 4, opacity: 0.7 })
      .bindTooltip(route.name)
      .addTo(map);
  }
  // No animations: on a slow phone they cost more than the clustering itself.
  const clusters = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 50,
    animate: false,
  });
  map.addLayer(clusters);
  const markers = (await features).map((feature) => {
    // GeoJSON is [lng, lat]; "display" is where GCJ-02 tiles draw the point.
    const [lng, lat] = feature.properties.display || feature.geometry.coordinates;
    const name = feature.properties.name;
    const marker = L.marker([lat, lng], { title: name, alt: name });
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
