// On every page: register the app's service worker (templates/accounts/sw.js) and tell it whose page this
// is (data-owner, the same opaque key as the X-Offline-Owner header), so it drops another user's kept pages
// and keeps this user's recorder and visit forms even before the worker served a page.
// On the offline page: list the pages this phone holds for its user, read from the worker's cache.
(function () {
  "use strict";
  const cfg = document.currentScript.dataset;
  // A page the worker answered from its cache (templates/accounts/sw.js marks its <body>): say so.
  function markOffline() {
    const banner = document.getElementById("offline-banner");
    if (banner && document.body && "fromCache" in document.body.dataset) banner.hidden = false;
    // The offline page answering a form sent with no network: say it was not sent; "Try again" goes back
    // to the form (reloading would ask for the form's address without its data).
    const unsent = document.getElementById("offline-unsent");
    if (unsent && "formUnsent" in document.body.dataset) {
      unsent.hidden = false;
      const retry = document.getElementById("offline-retry");
      if (retry) retry.addEventListener("click", (ev) => { ev.preventDefault(); history.back(); });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", markOffline);
  else markOffline();
  // The network is back (the browser says so, or the outbox got an answer from the server): the banner about
  // a kept copy must not outlive the outage. The page may still be the kept copy; the next page is fresh.
  function markOnline() {
    const banner = document.getElementById("offline-banner");
    if (banner) banner.hidden = true;
  }
  window.addEventListener("online", markOnline);
  window.addEventListener("wastegrid:sent", markOnline);
  if (!("serviceWorker" in navigator)) return;

  if (cfg.sw) {
    navigator.serviceWorker.register(cfg.sw, { scope: cfg.scope }).catch(() => {
      /* no worker (private mode, http on a LAN address): pages simply need the network */
    });
    navigator.serviceWorker.ready.then((reg) => {
      const worker = navigator.serviceWorker.controller || reg.active;
      // When this page was asked for: the worker ignores it if it has seen a newer page since.
      if (worker) worker.postMessage({ type: "owner", owner: cfg.owner || "", at: performance.timeOrigin });
    });
  }

  const list = document.getElementById("offline-pages");
  if (list && window.caches) listKept(list).catch(() => showNone());

  function showNone() {
    const none = document.getElementById("offline-none");
    if (none) none.hidden = false;
  }

  async function listKept(list) {
    if (!(await caches.has(cfg.cache))) return showNone();
    const cache = await caches.open(cfg.cache);
    const items = [];
    const listed = new Set([cfg.pages, cfg.note]);
    const listing = await cache.match(cfg.pages);
    if (listing) {
      for (const page of (await listing.json()).pages) {
        items.push(page);
        listed.add(page.url);
      }
    }
    // Pages opened before: their own <title> names them.
    for (const request of await cache.keys()) {
      const url = new URL(request.url);
      const path = url.pathname + url.search;
      if (listed.has(path) || items.length >= 40) continue;
      const response = await cache.match(request);
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      items.push({ url: path, title: doc.title || path });
      listed.add(path);
    }
    if (!items.length) return showNone();
    for (const item of items) {
      const li = document.createElement("li");
      li.className = "card";
      const a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;
      li.append(a);
      list.append(li);
    }
  }
})();
