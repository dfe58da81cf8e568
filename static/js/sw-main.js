// The service worker's logic (loaded by /sw.js after Workbox and the help outbox).
//
// - The app shell (styles, scripts, icons, Leaflet, the offline page in each language) is
//   precached under the release's version, read from the hashed static URLs the server
//   listed in self.DRIVERHOME_SW. A new release installs a complete new set of caches and
//   takes over only when no page uses the old one, so a page never mixes two releases.
// - The station feed, the crossings' feed and the pages a driver opened (station list,
//   station pages, the border crossings, the help form) are network first: refreshed whenever the network answers, the saved
//   copy when it does not (or is too slow), marked with the time it was saved.
// - Any other navigation that fails gets the offline page in its language.
/* global workbox, HelpOutbox */
(function () {
  "use strict";

  const config = self.DRIVERHOME_SW;
  const { core, routing, strategies, precaching, expiration } = workbox;

  core.setCacheNameDetails({ prefix: "driverhome", suffix: config.version });
  const PRECACHE = core.cacheNames.precache;
  const PAGES = `driverhome-pages-${config.version}`;
  const FEED = "driverhome-feed";
  // Each feed answer is bounded (stations/feeds.py), so this bounds what the phone keeps.
  const FEED_ENTRIES = 80;
  // A weak signal is worse than none: after this long, show the saved copy.
  const NETWORK_TIMEOUT = 6;
  const pagePaths = new RegExp(config.pages);

  function isCachedPage(url) {
    return url.origin === self.location.origin && !url.search && pagePaths.test(url.pathname);
  }

  function languageOf(url) {
    const found = url.pathname.match(/^\/([a-z]{2}(?:-[a-z]+)?)\//);
    if (found && config.offline[found[1]]) return found[1];
    return config.defaultLanguage;
  }

  // Keep only complete pages, stamped with the time they were saved.
  async function stamped(response) {
    if (!response || response.status !== 200 || response.type !== "basic" || response.redirected) {
      return null;
    }
    const headers = new Headers(response.headers);
    headers.set("X-Saved-At", new Date().toISOString());
    headers.delete("Content-Length");
    headers.delete("Content-Encoding");
    return new Response(await response.blob(), {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }

  const stampPlugin = { cacheWillUpdate: ({ response }) => stamped(response) };

  // A page read from the cache tells its scripts when it was saved (<html data-cached-at>).
  const markPagePlugin = {
    cachedResponseWillBeUsed: async ({ cachedResponse }) => {
      if (!cachedResponse) return null;
      const savedAt = cachedResponse.headers.get("X-Saved-At");
      if (!savedAt) return cachedResponse;
      const html = await cachedResponse.text();
      const headers = new Headers(cachedResponse.headers);
      headers.delete("Content-Length");
      return new Response(html.replace(/<html(\s|>)/, `<html data-cached-at="${savedAt}"$1`), {
        status: 200,
        headers,
      });
    },
  };

  // The feed read from the cache: tell the page that asked, so it can say "as of" (the map
  // and nearby scripts need not know about the worker).
  const tellPagePlugin = {
    cachedResponseWillBeUsed: async ({ cachedResponse, event }) => {
      const savedAt = cachedResponse && cachedResponse.headers.get("X-Saved-At");
      if (savedAt && event && event.clientId) {
        const client = await self.clients.get(event.clientId);
        if (client) client.postMessage({ type: "feed-from-cache", savedAt });
      }
      return cachedResponse;
    },
  };

  precaching.precacheAndRoute(config.precache);

  // The language is in the path, so Django's "Vary: Accept-Language, Cookie" need not split
  // the saved copies (and the requests the worker saves itself carry neither header).
  const matchOptions = { ignoreVary: true };

  const pages = new strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: NETWORK_TIMEOUT,
    matchOptions,
    plugins: [
      stampPlugin,
      markPagePlugin,
      new expiration.ExpirationPlugin({ maxEntries: 60, purgeOnQuotaError: true }),
    ],
  });
  routing.registerRoute(
    ({ request, url }) => request.mode === "navigate" && isCachedPage(url),
    pages,
  );

  // The feed, in every form a page asked for it (the first stations, each view the map
  // showed, the stations around the driver): each answer kept under its URL, the most recent
  // FEED_ENTRIES of them, for the map and the offline page without a signal.
  routing.registerRoute(
    ({ url }) => url.origin === self.location.origin && url.pathname === config.feed,
    new strategies.NetworkFirst({
      cacheName: FEED,
      networkTimeoutSeconds: NETWORK_TIMEOUT,
      matchOptions,
      plugins: [
        stampPlugin,
        tellPagePlugin,
        new expiration.ExpirationPlugin({ maxEntries: FEED_ENTRIES, purgeOnQuotaError: true }),
      ],
    }),
  );

  // The border crossings' feed (the map's crossing layer), kept apart from the stations'
  // answers the offline page lists: the latest copy for the map without a signal.
  routing.registerRoute(
    ({ url }) => url.origin === self.location.origin && url.pathname === config.crossingsFeed,
    new strategies.NetworkFirst({
      cacheName: "driverhome-crossings",
      networkTimeoutSeconds: NETWORK_TIMEOUT,
      matchOptions,
      plugins: [
        stampPlugin,
        new expiration.ExpirationPlugin({ maxEntries: 6, purgeOnQuotaError: true }),
      ],
    }),
  );

  // The help form posted on a signal too weak to carry it (the page believed it was online):
  // keep the request in the outbox and show the form again, which says it is not sent yet.
  const helpForm = new RegExp(config.helpForm);
  const POST_TIMEOUT = 30;
  routing.registerRoute(
    ({ request, url }) =>
      request.mode === "navigate" &&
      url.origin === self.location.origin &&
      helpForm.test(url.pathname),
    async ({ request }) => {
      const copy = request.clone();
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), POST_TIMEOUT * 1000);
      try {
        return await fetch(request, { signal: abort.signal });
      } catch (error) {
        // Maybe it arrived, maybe not: the outbox resends the same form token, so the
        // server answers a repeat with the request it stored first.
        await HelpOutbox.keepFields(copy.url, await copy.formData(), config.helpMinFillSeconds);
        if (self.registration.sync) {
          await self.registration.sync.register("help-outbox").catch(() => null);
        }
        return Response.redirect(copy.url, 303);
      } finally {
        clearTimeout(timer);
      }
    },
    "POST",
  );

  // Every other navigation goes to the network, and to the offline page if that fails.
  routing.registerRoute(
    ({ request, url }) => request.mode === "navigate" && url.origin === self.location.origin,
    new strategies.NetworkOnly(),
  );
  routing.setCatchHandler(async ({ request, url }) => {
    if (request.mode === "navigate") {
      const page = await precaching.matchPrecache(config.offline[languageOf(url)]);
      if (page) return page;
    }
    return Response.error();
  });

  // Save one answer of the feed (by default the first stations, which the offline page
  // falls back on); only the feed's own address, whatever the page asked.
  async function saveFeed(url = config.feed) {
    const target = new URL(url, self.location.href);
    if (target.origin !== self.location.origin || target.pathname !== config.feed) return;
    try {
      const response = await stamped(await fetch(target.href, { credentials: "same-origin" }));
      if (response) await (await caches.open(FEED)).put(target.href, response);
    } catch (error) {
      // Offline while installing: the feed is saved the next time a page asks for it.
    }
  }

  async function savePage(url) {
    const target = new URL(url, self.location.href);
    if (!isCachedPage(target)) return;
    try {
      const response = await stamped(await fetch(target.href, { credentials: "same-origin" }));
      if (response) await (await caches.open(PAGES)).put(target.href, response);
    } catch (error) {
      // No network just now.
    }
  }

  self.addEventListener("install", (event) => {
    event.waitUntil(saveFeed());
  });

  // Take over from an older release: refresh the pages it had saved into this release's
  // cache (their old copies name the old release's files), then drop its caches.
  async function replaceOldCaches() {
    const keep = new Set([PRECACHE, PAGES, FEED]);
    for (const name of await caches.keys()) {
      if (!name.startsWith("driverhome-") || keep.has(name)) continue;
      if (name.startsWith("driverhome-pages-")) {
        const old = await caches.open(name);
        for (const request of await old.keys()) await savePage(request.url);
      }
      await caches.delete(name);
    }
  }
  self.addEventListener("activate", (event) => {
    event.waitUntil(replaceOldCaches());
  });

  self.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "cache-page") {
      event.waitUntil(
        Promise.all([
          savePage(data.url),
          saveFeed(),
          ...(data.feeds || []).slice(0, 8).map((url) => saveFeed(url)),
        ]).then(() => {
          if (event.ports[0]) event.ports[0].postMessage({ saved: data.url });
        }),
      );
    }
  });

  // Background Sync: send the help requests kept on the phone, then tell the open pages.
  self.addEventListener("sync", (event) => {
    if (event.tag !== "help-outbox") return;
    event.waitUntil(
      HelpOutbox.flush().then(async (results) => {
        for (const client of await self.clients.matchAll({ includeUncontrolled: true })) {
          client.postMessage({ type: "help-outbox" });
        }
        // Still no connection: fail, so the browser tries again later.
        if (results.includes("waiting")) throw new Error("help requests still waiting");
      }),
    );
  });
})();
