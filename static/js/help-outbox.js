// The help outbox: help requests typed without a connection, kept on the phone (IndexedDB)
// and sent once the connection is back. A classic script, loaded by the pages (<script>)
// and by the service worker (importScripts), which share one database and one lock.
//
// Exactly once: each kept request is bound to one form token (the signed nonce the help
// form already uses against double sending) before its first post, and every retry sends
// that same token, so the server answers a repeat with the request it stored first.
// CSRF: the post never reuses a saved page's token; it fetches the form afresh when online
// and sends the CSRF token of that fresh form with the session's own cookie.
(function (global) {
  "use strict";

  const DB_NAME = "driverhome-help-outbox";
  const STORE = "requests";
  const LOCK = "driverhome-help-outbox";

  function asPromise(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function openDb() {
    const opening = indexedDB.open(DB_NAME, 1);
    opening.onupgradeneeded = () => {
      opening.result.createObjectStore(STORE, { keyPath: "id" });
    };
    return asPromise(opening);
  }

  // Run work(store) in one transaction; resolve with its result once the transaction is done.
  async function withStore(mode, work) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const transaction = db.transaction(STORE, mode);
        let result;
        transaction.oncomplete = () => resolve(result);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
        Promise.resolve(work(transaction.objectStore(STORE))).then(
          (value) => {
            result = value;
          },
          (error) => {
            transaction.abort();
            reject(error);
          },
        );
      });
    } finally {
      db.close();
    }
  }

  function all() {
    return withStore("readonly", (store) => asPromise(store.getAll())).then((rows) =>
      rows.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt)),
    );
  }

  function update(id, changes) {
    return withStore("readwrite", async (store) => {
      const row = await asPromise(store.get(id));
      if (!row) return null;
      Object.assign(row, changes);
      await asPromise(store.put(row));
      return row;
    });
  }

  // Forget a sent or refused request once the driver has read it, but remember its tokens:
  // a saved copy of the form may still carry them.
  function dismiss(id) {
    return withStore("readwrite", async (store) => {
      const row = await asPromise(store.get(id));
      if (!row) return;
      await asPromise(
        store.put({
          id,
          state: "dismissed",
          token: row.token,
          formToken: row.formToken,
          queuedAt: row.queuedAt,
        }),
      );
    });
  }

  // Keep a filled-in help form on the phone; return the kept row.
  function keep(form) {
    return keepFields(
      new URL(form.action, global.location.href).href,
      new FormData(form),
      Number(form.dataset.minFillSeconds || 3),
    );
  }

  // Keep the fields of a help form posted to ``action`` (FormData); return the kept row.
  async function keepFields(action, data, minFillSeconds) {
    const fields = [];
    let token = "";
    for (const [name, value] of data.entries()) {
      if (name === "csrfmiddlewaretoken") continue;
      if (name === "token") {
        token = String(value);
        continue;
      }
      fields.push([name, String(value)]);
    }
    const rows = await all();
    // A saved copy of the form carries the token it was rendered with: a second request
    // typed into the same copy must not share it, or the server would take it for a repeat.
    const taken = rows.some((row) => row.token === token || row.formToken === token);
    const row = {
      id: `${Date.now()}-${Math.random().toString(36).slice(2)}`,
      action,
      fields,
      formToken: token,
      token: token && !taken ? token : null,
      minFillSeconds,
      state: "waiting",
      queuedAt: new Date().toISOString(),
    };
    await withStore("readwrite", (store) => asPromise(store.put(row)));
    return row;
  }

  function pick(html, pattern) {
    const found = html.match(pattern);
    return found ? found[1] : "";
  }

  function unescapeHtml(text) {
    return text
      .replace(/&quot;/g, '"')
      .replace(/&#x27;|&#39;/g, "'")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  }

  const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

  // Send one waiting row; return "sent", "refused" or "waiting" (try again later).
  async function sendOne(row, retried) {
    let form;
    try {
      form = await fetch(row.action, { credentials: "same-origin", cache: "no-store" });
    } catch (error) {
      return "waiting";
    }
    if (!form.ok) return "waiting";
    const page = await form.text();
    const csrf = pick(page, /name="csrfmiddlewaretoken" value="([^"]+)"/);
    const fresh = unescapeHtml(pick(page, /name="token" value="([^"]+)"/));
    if (!csrf) return "waiting";
    // Bind a token to the row once, in one transaction: if the page and the worker race,
    // both end up posting the same token.
    const bound = await withStore("readwrite", async (store) => {
      const current = await asPromise(store.get(row.id));
      if (!current || current.state !== "waiting") return null;
      if (!current.token) {
        current.token = fresh;
        current.freshToken = true;
        await asPromise(store.put(current));
      }
      return current;
    });
    if (!bound) return "done";
    if (bound.freshToken && !bound.postedOnce) {
      // A token rendered just now is younger than the form's minimum fill time.
      await sleep(bound.minFillSeconds + 0.5);
    }
    const body = new URLSearchParams(bound.fields);
    body.set("token", bound.token);
    body.set("csrfmiddlewaretoken", csrf);
    await update(row.id, { postedOnce: true });
    let answer;
    try {
      answer = await fetch(row.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch (error) {
      // Unknown whether it arrived: the next try sends the same token.
      return "waiting";
    }
    const html = await answer.text();
    const code = pick(html, /id="tracking-code"[^>]*>([^<]+)</).trim();
    if (answer.ok && code) {
      await update(row.id, { state: "sent", code, sentAt: new Date().toISOString() });
      return "sent";
    }
    if (answer.status === 429) {
      const message = pick(html, /class="message error" role="alert">([^<]+)</);
      await update(row.id, { state: "refused", message: unescapeHtml(message) });
      return "refused";
    }
    if (answer.status === 200 && html.includes('name="token"')) {
      // The form came back with errors, so nothing was stored. An expired token is one
      // such error: try once more with a fresh token before giving the request back.
      if (!retried && !bound.freshToken) {
        await update(row.id, { token: null, postedOnce: false });
        return sendOne(row, true);
      }
      await update(row.id, { state: "refused", message: "" });
      return "refused";
    }
    // 403 (CSRF), 5xx, a proxy's page: keep it and try again later.
    return "waiting";
  }

  async function flushUnlocked() {
    const results = [];
    for (const row of await all()) {
      if (row.state === "waiting") results.push(await sendOne(row, false));
    }
    return results;
  }

  // Send every waiting request, one sender at a time across the pages and the worker.
  function flush() {
    if (global.navigator && global.navigator.locks) {
      return global.navigator.locks.request(LOCK, flushUnlocked);
    }
    return flushUnlocked();
  }

  global.HelpOutbox = { all, keep, keepFields, flush, dismiss, update };
})(self);
