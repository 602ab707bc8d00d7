// Service worker for the bin-side recorder: the pages and assets it needs come from the cache when there
// is no network. Network first, so a connected phone always gets fresh pages.
const CACHE = "wastegrid-recorder-{{ version }}";
const ASSETS = {{ assets|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return; // records are posted by the page's own queue, never cached
  event.respondWith(
    fetch(req)
      .then((resp) => {
        if (resp.ok && (req.mode === "navigate" || ASSETS.includes(new URL(req.url).pathname))) {
          const copy = resp.clone();
          caches.open(CACHE).then((cache) => cache.put(req, copy));
        }
        return resp;
      })
      .catch(() => caches.match(req, { ignoreSearch: req.mode === "navigate" }))
  );
});
