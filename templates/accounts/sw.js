// The app's service worker ({{ version }}); accounts/offline.py says what it keeps and why. Workbox's modules
// come from this app's own static files (npm packages served through STATICFILES_DIRS), never a CDN.
importScripts(...{{ workbox|safe }});

const CONFIG = {{ config|safe }};
const PAGES = "wastegrid-pages"; // one user's pages: emptied whenever the owner changes
const OWNER = "/__offline_owner__"; // a note in PAGES: {"owner", "synced", "started"} (never a real URL)
const RESYNC_MS = 30 * 60 * 1000; // a user's kept pages (new points, new households) are refreshed this often
const SYNC_MS = 60 * 1000; // a sync begun this recently is still running (or died with its worker)
const NEVER = (url) => CONFIG.never.some((prefix) => url.pathname.startsWith(prefix));
const MATCH = { ignoreVary: true }; // pages vary on Cookie; a kept copy is matched by its URL alone

// The API and every write go straight to the network, without waking this worker (Chromium's static routing;
// elsewhere the fetch handler below lets them pass untouched): nothing of them is ever kept, and the phone's
// queues see the server's answers, Retry-After included, with no worker in between.
self.addEventListener("install", (event) => {
  if (!event.addRoutes) return;
  const routes = [{ condition: { urlPattern: new URLPattern({ pathname: "/api/*" }) }, source: "network" }];
  // A form's POST (mode "navigate") does wake the worker: with no network it gets the app's offline page,
  // not the browser's error (the route further down).
  for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
    for (const mode of ["same-origin", "cors", "no-cors"]) {
      routes.push({ condition: { requestMethod: method, requestMode: mode }, source: "network" });
    }
  }
  event.waitUntil(event.addRoutes(routes).catch(() => {}));
});

workbox.core.setCacheNameDetails({ prefix: "wastegrid" });
self.skipWaiting();
workbox.core.clientsClaim();
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute(CONFIG.precache);

const expiration = new workbox.expiration.ExpirationPlugin({ maxEntries: 80, purgeOnQuotaError: true });

// Owner changes and the writes of a sync run one at a time, so a page of the previous user is never put
// into the cache after it was emptied for the next one.
let queue = Promise.resolve();
function serial(task) {
  const run = queue.then(task, task);
  queue = run.catch(() => {});
  return run;
}

async function readOwner() {
  const cache = await caches.open(PAGES);
  const note = await cache.match(OWNER);
  return note ? note.json() : null;
}

async function writeOwner(owner, synced, started) {
  const cache = await caches.open(PAGES);
  const body = JSON.stringify({ owner: owner, synced: synced, started: started || 0 });
  await cache.put(OWNER, new Response(body, { headers: { "Content-Type": "application/json" } }));
}

// Take `owner`'s pages ("" = nobody logged in): anyone else's are dropped first. `at` (ms since 1970) is when
// the owner was seen; an older sighting is stale (a logged-out page's message arriving after the next login's
// first page) and changes nothing. → {same, synced} or {stale: true}
let lastSeen = 0;
function adopt(owner, at) {
  return serial(async () => {
    if (at < lastSeen) return { stale: true };
    lastSeen = at;
    const current = await readOwner();
    if (current && current.owner === owner) {
      return { same: true, synced: current.synced, started: current.started };
    }
    await expiration.deleteCacheAndMetadata();
    if (owner) await writeOwner(owner, 0);
    return { same: false, synced: 0 };
  });
}

function keepable(response, owner) {
  return (
    response &&
    response.status === 200 &&
    (response.headers.get("Content-Type") || "").startsWith("text/html") &&
    !/no-store/.test(response.headers.get("Cache-Control") || "") &&
    response.headers.get(CONFIG.ownerHeader) === owner
  );
}

// Fetch the pages this user needs offline (the recorder, the visit forms) and keep them with the list
// itself (the offline page shows it). Stops when the user changed in between.
async function syncPages(owner) {
  const answer = await fetch(CONFIG.pages, { credentials: "same-origin", cache: "no-store" });
  if (!answer.ok) return;
  const listing = await answer.clone().json();
  if (listing.owner !== owner) return;
  for (const page of listing.pages) {
    let response;
    try {
      response = await fetch(page.url, { credentials: "same-origin", cache: "no-store" });
    } catch (e) {
      return; // the network went: the next page load tries again
    }
    if (!keepable(response, owner)) continue;
    await serial(async () => {
      const current = await readOwner();
      if (current && current.owner === owner) await (await caches.open(PAGES)).put(page.url, response);
    });
  }
  await serial(async () => {
    const current = await readOwner();
    if (!current || current.owner !== owner) return;
    await (await caches.open(PAGES)).put(CONFIG.pages, answer);
    await writeOwner(owner, Date.now());
  });
}

// A page of `owner` was seen: take their pages, and fetch their kept pages when new or stale. → {sync}: the
// sync's promise or null (in an object, so awaiting the owner change does not wait for the whole sync).
const syncing = new Map(); // owner → the running sync
async function seen(owner, at) {
  const state = await adopt(owner, at);
  if (!owner || state.stale || (state.same && Date.now() - state.synced < RESYNC_MS)) return { sync: null };
  // One sync at a time per phone: the worker under /supervision/ (an older registration, same code) shares
  // the note, which says when a sync began.
  if (!syncing.has(owner) && !(Date.now() - (state.started || 0) < SYNC_MS)) {
    await serial(() => writeOwner(owner, state.synced || 0, Date.now()));
    syncing.set(owner, syncPages(owner).catch(() => {}).finally(() => syncing.delete(owner)));
  }
  return { sync: syncing.get(owner) };
}

// Every page the network answers names its owner: a new owner empties the cache before anything is kept.
const ownerPlugin = {
  cacheWillUpdate: async ({ response, event }) => {
    const owner = response.headers.get(CONFIG.ownerHeader);
    if (owner === null || !keepable(response, owner)) return null; // not one of this app's pages
    const { sync } = await seen(owner, Date.now());
    if (sync && event) event.waitUntil(sync);
    return owner ? response : null; // a logged-out page is not kept
  },
};

// A page answered from the cache says so: <body data-from-cache> shows base.html's offline notice
// (static/lib/offline.js), so nobody takes the kept copy for the live page.
const fromCachePlugin = {
  cachedResponseWillBeUsed: async ({ cachedResponse }) => {
    if (!cachedResponse || !(cachedResponse.headers.get("Content-Type") || "").startsWith("text/html")) {
      return cachedResponse;
    }
    const html = (await cachedResponse.text()).replace(/<body\b/, "<body data-from-cache");
    const { status, statusText, headers } = cachedResponse;
    return new Response(html, { status, statusText, headers });
  },
};

workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.origin === location.origin && !NEVER(url),
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 8, // at the edge of the signal the kept copy beats a blank screen
    matchOptions: MATCH,
    plugins: [ownerPlugin, expiration, fromCachePlugin],
  })
);
// A form sent with no network (报名, a POST): the network or, failing it, the offline page (the catch handler).
// Nothing of it is kept; the form's data stays in the page the browser goes back to.
for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
  workbox.routing.registerRoute(({ request }) => request.mode === "navigate", new workbox.strategies.NetworkOnly(), method);
}
// The API, the admin, logging out: always the network (and the offline page when there is none).
workbox.routing.registerRoute(({ request, url }) => request.mode === "navigate" && NEVER(url), new workbox.strategies.NetworkOnly());
// Other static files (icons, charts) once fetched: the same for every user.
workbox.routing.registerRoute(
  ({ url }) => url.origin === location.origin && url.pathname.startsWith(CONFIG.static),
  new workbox.strategies.StaleWhileRevalidate({
    cacheName: "wastegrid-static",
    plugins: [new workbox.expiration.ExpirationPlugin({ maxEntries: 60, purgeOnQuotaError: true })],
  })
);
workbox.routing.setCatchHandler(async ({ request }) => {
  if (request.mode === "navigate") {
    const page = await workbox.precaching.matchPrecache(CONFIG.offline);
    if (page && request.method !== "GET") {
      // A form that was not sent: the page says so, and its "Try again" goes back to the form.
      const html = (await page.text()).replace(/<body\b/, "<body data-form-unsent");
      return new Response(html, { status: page.status, headers: page.headers });
    }
    if (page) return page;
  }
  return Response.error();
});

// Each page says whose it is and when it was loaded (static/lib/offline.js): the first page, which no worker
// served, too.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "owner" && typeof data.owner === "string" && typeof data.at === "number") {
    event.waitUntil(seen(data.owner, data.at).then((r) => r.sync));
  }
});
