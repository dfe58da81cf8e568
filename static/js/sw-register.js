// Every page: register the service worker, save this page for offline use, say "as of"
// on a saved copy, and send help requests kept on the phone once the connection is back.
(function () {
  "use strict";

  const script = document.getElementById("sw-register");
  if (!script) return;
  const text = script.dataset;
  const root = document.documentElement;
  const main = document.getElementById("main") || document.body;

  function note(className, parts) {
    const box = document.createElement("div");
    box.className = `offline-note ${className}`;
    box.setAttribute("role", "status");
    for (const part of parts) box.append(part);
    main.prepend(box);
    return box;
  }

  function paragraph(...children) {
    const p = document.createElement("p");
    p.append(...children);
    return p;
  }

  function link(href, label, className) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    if (className) a.className = className;
    return a;
  }

  function when(iso) {
    try {
      return new Intl.DateTimeFormat(root.lang || undefined, {
        dateStyle: "medium",
        timeStyle: "short",
        timeZone: root.dataset.timeZone || undefined,
      }).format(new Date(iso));
    } catch (error) {
      return iso;
    }
  }

  self.DriverHome = Object.assign(self.DriverHome || {}, { when });

  function savedNote(id, label, iso) {
    if (document.getElementById(id)) return;
    const time = document.createElement("time");
    time.dateTime = iso;
    time.textContent = when(iso);
    note("as-of", [paragraph(`${label} `, time)]).id = id;
  }

  // A page the worker served from its saved copy carries the time it was saved.
  if (root.dataset.cachedAt) savedNote("offline-as-of", text.asOf, root.dataset.cachedAt);

  function emergencyLine() {
    return paragraph(
      `${text.emergencyText} `,
      link(text.emergencyTel, text.emergencyPhone, "button button-danger"),
    );
  }

  let shown = null;
  async function showOutbox() {
    if (!self.HelpOutbox || !self.indexedDB) return;
    let rows;
    try {
      rows = await self.HelpOutbox.all();
    } catch (error) {
      return;
    }
    if (shown) shown.remove();
    shown = document.createElement("div");
    shown.id = "help-outbox";
    main.prepend(shown);
    for (const row of rows) {
      if (row.state === "dismissed") continue;
      let box;
      if (row.state === "waiting") {
        const strong = document.createElement("strong");
        strong.textContent = text.pending;
        box = note("outbox-waiting", [paragraph(strong, ` ${text.pendingMore}`), emergencyLine()]);
      } else if (row.state === "sent") {
        const code = document.createElement("strong");
        code.className = "outbox-code";
        code.textContent = row.code;
        box = note("outbox-sent", [
          paragraph(`${text.sent} `, code),
          paragraph(text.sentMore, " ", link(text.trackUrl, text.trackLabel)),
        ]);
      } else {
        const strong = document.createElement("strong");
        strong.textContent = text.refused;
        box = note("outbox-refused", [
          paragraph(strong, ` ${row.message || text.refusedMore}`),
          paragraph(link(text.formUrl, text.formLabel)),
          emergencyLine(),
        ]);
      }
      if (row.state !== "waiting") {
        // Sent and refused requests stay on screen until the driver has read them.
        const dismiss = document.createElement("button");
        dismiss.type = "button";
        dismiss.className = "button button-secondary";
        dismiss.textContent = text.dismiss;
        dismiss.addEventListener("click", async () => {
          await self.HelpOutbox.dismiss(row.id);
          box.remove();
        });
        box.append(paragraph(dismiss));
      }
      box.dataset.state = row.state;
      shown.append(box);
    }
  }

  let flushing = null;
  async function sendKept() {
    if (!self.HelpOutbox || !navigator.onLine) return showOutbox();
    if (!flushing) {
      flushing = self.HelpOutbox.flush()
        .catch(() => null)
        .finally(() => {
          flushing = null;
        });
    }
    await flushing;
    return showOutbox();
  }
  window.addEventListener("online", sendKept);
  document.addEventListener("help-outbox-changed", showOutbox);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "help-outbox") showOutbox();
      // The station feed came from the phone (the offline page says so itself).
      if (event.data && event.data.type === "feed-from-cache") {
        if (!document.getElementById("offline-nearest")) {
          savedNote("offline-feed-note", text.feedAsOf, event.data.savedAt);
        }
      }
    });
    window.addEventListener("load", () => {
      navigator.serviceWorker
        .register(text.worker, { scope: "/" })
        .then(() => navigator.serviceWorker.ready)
        .then((registration) => {
          // The page that installed the worker was not fetched through it: save it now.
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            root.dataset.offlineReady = "1";
          };
          // So were the feed's answers it drew (the map's first view): save those too.
          const feeds = performance
            .getEntriesByType("resource")
            .map((entry) => new URL(entry.name))
            .filter((url) => url.origin === location.origin && url.pathname === text.feed)
            .map((url) => url.href);
          registration.active.postMessage({ type: "cache-page", url: location.href, feeds }, [
            channel.port2,
          ]);
        })
        .catch(() => null);
    });
  }
  sendKept();
})();
