// Leaflet set-up shared by every map of the portal (map page, station page, admin picker).
// A classic (deferred) script right after Leaflet, before any map is made.
//
// Marker images: Leaflet guesses its image folder from leaflet.css, which fails with the
// hashed names of the manifest static storage (every marker would 404). The page hands the
// real URLs over through this script's data attributes instead, together with Leaflet's own
// strings translated into the page language.
(function () {
  const setup = document.currentScript.dataset;
  const L = window.L;

  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: setup.icon,
    iconRetinaUrl: setup.icon2x,
    shadowUrl: setup.shadow,
  });
  // Markers use Leaflet's pin without its shadow: the shadow has no high-density version
  // (blurred on phones) and costs a request and an element per marker.
  const pin = L.icon({
    iconUrl: setup.icon,
    iconRetinaUrl: setup.icon2x,
    iconSize: [25, 41],
    iconAnchor: [12, 41],
    popupAnchor: [1, -34],
    tooltipAnchor: [16, -28],
  });
  L.Marker.mergeOptions({ icon: pin, alt: setup.marker });
  L.Control.Zoom.mergeOptions({ zoomInTitle: setup.zoomIn, zoomOutTitle: setup.zoomOut });

  // The attribution prefix, built as a node so no page text is parsed as HTML.
  const credit = document.createElement("a");
  credit.href = "https://leafletjs.com";
  credit.title = setup.leafletTitle;
  credit.textContent = "Leaflet";
  L.Control.Attribution.mergeOptions({ prefix: credit.outerHTML });

  // Vector layers (route lines, the "you are here" dot) on one canvas instead of SVG nodes.
  L.Map.mergeOptions({ preferCanvas: true });

  // Leaflet 1.9 writes "Close popup" into every popup's close button.
  L.Map.addInitHook(function () {
    this.on("popupopen", (event) => {
      const close = event.popup.getElement()?.querySelector(".leaflet-popup-close-button");
      if (close) {
        close.setAttribute("aria-label", setup.closePopup);
        close.title = setup.closePopup;
      }
    });
  });
})();
