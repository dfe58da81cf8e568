// The station map's first view before Leaflet has arrived. Leaflet is 37 KB: on a weak
// signal it lands two seconds and more after the page, while the first view's stations (the
// request the page announced, about 1.5 KB) land in one. This script (deferred, before
// Leaflet) draws those pins and cluster discs where Leaflet will draw them, over the empty
// map, so a driver sees where the stations are at once. They are pictures only (no popups):
// station-map.js replaces them with its own markers and reuses this request's answer.
(function () {
  "use strict";

  const setup = document.currentScript.dataset;
  const element = document.getElementById("stations-map");
  const data = JSON.parse(document.getElementById("map-data").textContent);
  const initial = data.initial;
  if (!element || !initial.url) return;

  const request = fetch(initial.url, { credentials: "same-origin" }).then((response) => {
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  });
  // For map-feed.js: the first view is already asked for (a preload is answered once).
  window.DriverHomeMapFirstView = { url: initial.url, request };

  // Web Mercator, as Leaflet projects at a zoom: pixels from the world's top left corner.
  function project(lat, lng, zoom) {
    const scale = 256 * 2 ** zoom;
    const sin = Math.sin((Math.max(Math.min(lat, 85), -85) * Math.PI) / 180);
    return [((lng + 180) / 360) * scale, (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale];
  }

  function pin(name) {
    const image = new Image(25, 41);
    image.src = window.devicePixelRatio > 1 ? setup.icon2x : setup.icon;
    image.alt = name;
    image.className = "leaflet-marker-icon";
    return [image, 12, 41];
  }

  function disc(count) {
    const size = count < 10 ? "small" : count < 50 ? "medium" : "large";
    const outer = document.createElement("div");
    outer.className = `leaflet-marker-icon marker-cluster marker-cluster-${size}`;
    const inner = document.createElement("div");
    const number = document.createElement("span");
    number.textContent = String(count);
    inner.append(number);
    outer.append(inner);
    return [outer, 22, 22];
  }

  request
    .then((collection) => {
      // Leaflet came first (a fast link): nothing to stand in for.
      if (element.dataset.loaded) return;
      const [centerX, centerY] = project(initial.center[0], initial.center[1], initial.zoom);
      const width = element.clientWidth;
      const height = element.clientHeight;
      const layer = document.createElement("div");
      layer.className = "map-preview";
      layer.setAttribute("aria-hidden", "true");
      for (const feature of collection.features || []) {
        const p = feature.properties;
        const [lng, lat] = p.display || feature.geometry.coordinates;
        const [x, y] = project(lat, lng, initial.zoom);
        const left = Math.round(x - centerX + width / 2);
        const top = Math.round(y - centerY + height / 2);
        if (left < 0 || top < 0 || left > width || top > height) continue;
        const [node, anchorX, anchorY] = p.cluster ? disc(p.count) : pin(p.name);
        node.style.transform = `translate(${left - anchorX}px, ${top - anchorY}px)`;
        layer.append(node);
      }
      element.append(layer);
    })
    .catch(() => null);
})();
