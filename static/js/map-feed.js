// The station map's feed, asked for by view (a classic script, before station-map.js).
//
// The server groups stations on a grid of 64-pixel cells (stations/feeds.py); the map asks
// for 512-pixel "feed tiles" of that grid at the map's zoom, at most two by two per request,
// and keeps every tile it received: panning back or zooming back costs nothing, and a
// cluster never straddles two answers. No Leaflet here: bounds are plain numbers.
(function () {
  "use strict";

  const TILE_PX = 512;
  // The server answers a box of at most 16 cells a side at the asked zoom: 2 tiles.
  const TILES_PER_REQUEST = 2;

  function tileDegrees(zoom) {
    return ((360 / 256) * TILE_PX) / 2 ** zoom;
  }

  // The tiles covering a view {west, south, east, north} at a zoom: [x0, y0, x1, y1].
  function tileRange(view, zoom) {
    const side = tileDegrees(zoom);
    const clamp = (value, low, high) => Math.min(Math.max(value, low), high);
    return [
      Math.floor(clamp(view.west, -180, 180) / side),
      Math.floor(clamp(view.south, -90, 90) / side),
      Math.floor(clamp(view.east, -180, 179.9999999) / side),
      Math.floor(clamp(view.north, -90, 89.9999999) / side),
    ];
  }

  // The bbox parameter of a tile range, written as the server writes it (feeds.tiles_bbox).
  function rangeBox(range, zoom) {
    const side = tileDegrees(zoom);
    const [x0, y0, x1, y1] = range;
    return [
      Math.max(-180, x0 * side),
      Math.max(-90, y0 * side),
      Math.min(180, (x1 + 1) * side),
      Math.min(90, (y1 + 1) * side),
    ].map((value) => String(Number(value.toFixed(7))));
  }

  function within(inner, outer) {
    return inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3];
  }

  class FeedLoader {
    // url: the feed; initial: the first view the page announced ({zoom, tiles, url}).
    constructor(url, initial) {
      this.url = url;
      this.initial = initial && initial.url ? initial : null;
      this.tiles = new Map(); // key -> features received for that tile
      this.requests = new Map(); // request URL -> promise
      this.amenities = [];
      this.parking = false;
    }

    // Only stations offering every amenity in codes (asked of the server, kept apart).
    setAmenities(codes) {
      this.amenities = [...codes].sort();
    }

    // "Truck parking not full" (the list's parking filter).
    setParking(on) {
      this.parking = Boolean(on);
    }

    key(zoom, x, y) {
      return `${this.amenities.join("+")}${this.parking ? "+P" : ""}|${zoom}/${x}/${y}`;
    }

    requestUrl(range, zoom) {
      const initial = this.initial;
      // The first view's request is already on its way (<link rel="preload">): same URL.
      if (initial && !this.amenities.length && !this.parking && initial.zoom === zoom && within(range, initial.tiles)) {
        return { url: initial.url, range: initial.tiles };
      }
      let url = `${this.url}${this.url.includes("?") ? "&" : "?"}bbox=${rangeBox(range, zoom).join(",")}&zoom=${zoom}`;
      for (const code of this.amenities) url += `&amenity=${encodeURIComponent(code)}`;
      if (this.parking) url += "&parking=1";
      return { url, range };
    }

    // Keep each feature under the tile its (WGS-84) point falls in.
    store(collection, range, zoom) {
      const side = tileDegrees(zoom);
      const [x0, y0, x1, y1] = range;
      const byTile = new Map();
      for (let x = x0; x <= x1; x += 1) {
        for (let y = y0; y <= y1; y += 1) byTile.set(this.key(zoom, x, y), []);
      }
      for (const feature of collection.features || []) {
        const [lng, lat] = feature.geometry.coordinates;
        const key = this.key(zoom, Math.floor(lng / side), Math.floor(lat / side));
        if (byTile.has(key)) byTile.get(key).push(feature);
      }
      for (const [key, features] of byTile) this.tiles.set(key, features);
    }

    fetchRange(range, zoom) {
      const { url, range: asked } = this.requestUrl(range, zoom);
      if (!this.requests.has(url)) {
        // The first view may be on its way already (map-preview.js): take that answer once.
        const first = window.DriverHomeMapFirstView;
        let answer;
        if (first && first.url === url) {
          window.DriverHomeMapFirstView = null;
          answer = first.request;
        } else {
          answer = fetch(url, { credentials: "same-origin" }).then((response) => {
            if (!response.ok) throw new Error(String(response.status));
            return response.json();
          });
        }
        const request = answer
          .then((collection) => this.store(collection, asked, zoom))
          .finally(() => this.requests.delete(url));
        this.requests.set(url, request);
      }
      return this.requests.get(url);
    }

    // Ask for the tiles of a view not held yet; resolve to every feature of the view's tiles.
    async load(view, zoom) {
      const [x0, y0, x1, y1] = tileRange(view, zoom);
      const asked = [];
      for (let x = x0; x <= x1; x += TILES_PER_REQUEST) {
        for (let y = y0; y <= y1; y += TILES_PER_REQUEST) {
          const range = [x, y, Math.min(x + TILES_PER_REQUEST - 1, x1), Math.min(y + TILES_PER_REQUEST - 1, y1)];
          if (!this.holds(range, zoom)) asked.push(this.fetchRange(range, zoom).catch(() => null));
        }
      }
      await Promise.all(asked);
      const features = [];
      for (let x = x0; x <= x1; x += 1) {
        for (let y = y0; y <= y1; y += 1) features.push(...(this.tiles.get(this.key(zoom, x, y)) || []));
      }
      return features;
    }

    holds(range, zoom) {
      for (let x = range[0]; x <= range[2]; x += 1) {
        for (let y = range[1]; y <= range[3]; y += 1) {
          if (!this.tiles.has(this.key(zoom, x, y))) return false;
        }
      }
      return true;
    }
  }

  // Call fn once calls have stopped for wait milliseconds.
  function debounce(fn, wait) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), wait);
    };
  }

  // Ask for the stations around a position so the service worker keeps them for the offline
  // page (docs/offline.md). The point is rounded to 0.1 degree (about 10 km): the exact
  // position never leaves the phone.
  function keepAround(url, latitude, longitude) {
    const near = `${latitude.toFixed(1)},${longitude.toFixed(1)}`;
    return fetch(`${url}${url.includes("?") ? "&" : "?"}near=${near}`, { credentials: "same-origin" }).catch(() => null);
  }

  window.DriverHomeMapFeed = { FeedLoader, debounce, keepAround, tileRange, rangeBox, tileDegrees };
})();
