// The help form without a connection: keep the request on the phone (static/js/help-outbox.js)
// and say plainly that it is not sent yet; it is sent when the connection is back.
(function () {
  "use strict";

  const script = document.getElementById("help-offline");
  const template = document.getElementById("help-offline-kept");
  const form = document.querySelector("form[data-help-form], main form[method='post']");
  if (!script || !template || !form || !self.indexedDB) return;
  form.dataset.minFillSeconds = script.dataset.minFillSeconds || "3";

  form.addEventListener("submit", async (event) => {
    // The outbox script comes later in the page; without it the browser posts as usual.
    if (navigator.onLine || !self.HelpOutbox) return;
    // "Search stations" asks the server: nothing to keep for later.
    if (event.submitter && event.submitter.name === "find_station") return;
    event.preventDefault();
    // Nobody checks it before the connection is back: catch what the phone can check now.
    if (!form.checkValidity()) {
      form.reportValidity();
      return;
    }
    let row;
    try {
      row = await self.HelpOutbox.keep(form);
    } catch (error) {
      // No storage (private mode, full disk): let the browser try and fail visibly.
      form.submit();
      return;
    }
    const kept = template.content.firstElementChild.cloneNode(true);
    kept.dataset.outboxId = row.id;
    form.replaceWith(kept);
    kept.scrollIntoView({ block: "start" });
    document.dispatchEvent(new CustomEvent("help-outbox-changed"));
    // Background Sync where the browser has it; otherwise the next page or "online" event.
    try {
      const registration = await navigator.serviceWorker.ready;
      if (registration.sync) await registration.sync.register("help-outbox");
    } catch (error) {
      // Sent on the next visit instead.
    }
  });
})();
