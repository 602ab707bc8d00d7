// A phone's outbox: what a volunteer or a grid worker recorded waits here, in IndexedDB (through idb-keyval),
// until the server has answered for it. One module for the bin-side recorder (supervision/recorder.js) and
// door-to-door visits (party/visits.js), so both keep, retry and report in the same way:
//
// - every item has a client-made id the server keys on, so sending it again after a lost answer is harmless;
// - an item leaves only with the server's answer in hand: taken (gone), or refused (kept with the server's
//   reason until the user corrects and resends it, or discards it);
// - no network, a busy server (5xx, 408, 429) or an answer that is not the API's (a captive portal's page):
//   wait at least Retry-After, doubling the wait after each failure in a row (1.5 s up to 5 min, plus up to a
//   fifth so phones sent away together do not all come back at once);
// - 401/403, or a redirect to the log-in page: the session has expired; nothing is sent until the user logs in
//   again (which reloads the page), and the page says so;
// - a write the phone's storage refuses (QuotaExceededError, or no IndexedDB at all) keeps the item in memory,
//   says so, and is tried again at every change and every tick; the item is sent from memory meanwhile;
// - every POST carries X-Client-Time, the phone's clock at the moment of sending, so the server can tell how
//   far off the phone's clock is and correct the items' own times (supervision.ingest);
// - what an older version kept in localStorage is moved in on first load and removed only once stored.
//
// Items: {id, state: "queued" | "refused" | "sent", data, at, hold, photo, refusal: {code, message, at}}.
// "sent" means the server has the item but its photo (a Blob under "blob:<id>") still has to go.
(function () {
  "use strict";
  const kv = window.idbKeyval;
  const RETRY_MIN = 1500;
  const RETRY_MAX = 5 * 60 * 1000;
  const TICK = 10000;

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // ISO 8601 in the phone's own zone with its offset ("2026-11-30T15:17:27.123+08:00"): the clock as the phone
  // has it, which is what the server compares with its own.
  function clientTime(d) {
    const date = d || new Date();
    const off = -date.getTimezoneOffset();
    const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
    const local = new Date(date.getTime() + off * 60000).toISOString().slice(0, 23);
    return `${local}${off >= 0 ? "+" : "-"}${pad(off / 60)}:${pad(off % 60)}`;
  }

  // The CSRF token: the cookie first (it is the one a new log-in in another tab rotated), else the page's.
  function csrf() {
    const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  // A POST from the outbox: same-origin session, CSRF and the phone's clock at the moment of sending.
  function post(url, init) {
    const headers = Object.assign({ "X-CSRFToken": csrf(), "X-Client-Time": clientTime() }, (init && init.headers) || {});
    return fetch(url, Object.assign({ method: "POST", credentials: "same-origin" }, init || {}, { headers }));
  }

  function retryAfter(resp) {
    // Retry-After in seconds or as an HTTP date, in ms; null when absent or unreadable.
    const v = resp && resp.headers.get("Retry-After");
    if (!v) return null;
    if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
    const at = Date.parse(v);
    return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
  }

  const loggedOutAnswer = (resp) =>
    resp.status === 401 || resp.status === 403 || (resp.redirected && /\/accounts\/login\//.test(resp.url));
  const busyAnswer = (resp) => resp.status >= 500 || resp.status === 408 || resp.status === 429;
  const isQuota = (e) => Boolean(e) && (e.name === "QuotaExceededError" || e.name === "NS_ERROR_DOM_QUOTA_REACHED" || e.code === 22);

  class Outbox {
    /**
     * opts: name (the IndexedDB database, "wastegrid-<name>"), batch (items per send), hold (ms an item waits
     * before it may be sent: the undo window), send(items, post) → Promise<Response>, read(resp, items) →
     * Promise<{refused: [{index, code, message}]} | null> (null: not the server's answer, try again later),
     * upload(item, blob, post) → Promise<Response> for photos, legacy() → Promise<{items, blobs, clear}>,
     * onChange() after every change of state.
     */
    constructor(opts) {
      this.opts = Object.assign({ batch: 1, hold: 0 }, opts);
      this.store = kv ? kv.createStore(`wastegrid-${opts.name}`, "outbox") : null;
      this.items = new Map();
      this.unsaved = new Map(); // key → value (undefined: a delete) not yet in IndexedDB
      this.blobs = new Map(); // photos held in memory while they are not stored
      this.seq = new Map();
      this.inflight = new Set();
      this.storageError = null;
      this.syncing = false;
      this.loggedOut = false;
      this.failures = 0;
      this.nextTry = 0;
      this.offlineFailure = false;
      this.lastSync = null;
      this.timer = null;
      this.ready = this.open();
    }

    async open() {
      try {
        if (!this.store) throw new Error("no IndexedDB");
        for (const [key, value] of await kv.entries(this.store)) {
          if (String(key).startsWith("item:")) this.items.set(value.id, value);
        }
      } catch (e) {
        this.storageError = e; // nothing stored can be read: what comes next is kept in memory
      }
      await this.migrate();
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => null);
      window.addEventListener("online", () => {
        // Back on the network: a wait caused by having none is over (a busy server's Retry-After still stands).
        if (this.offlineFailure) { this.failures = 0; this.nextTry = 0; }
        this.changed(); this.sync();
      });
      window.addEventListener("offline", () => this.changed());
      setInterval(() => { this.persist(); this.sync(); }, TICK);
      this.changed();
      this.sync();
    }

    async migrate() {
      if (!this.opts.legacy) return;
      let old;
      try { old = await this.opts.legacy(); } catch (e) { return; } // unreadable: left where it is
      if (!old || !old.items.length) { if (old && old.clear) old.clear(); return; }
      for (const item of old.items) {
        if (this.items.has(item.id)) continue; // moved in on an earlier load whose clean-up did not finish
        await this.write(item, old.blobs.get(item.id));
      }
      // Only once everything is in IndexedDB does the old copy go; otherwise the next load moves it again
      // (items are keyed by their id, so nothing is doubled).
      if (!this.unsaved.size) old.clear();
    }

    // --- storage: every change goes through write()/remove(); what fails stays in memory and is retried ----

    async put(key, value) {
      const n = (this.seq.get(key) || 0) + 1;
      this.seq.set(key, n);
      this.unsaved.delete(key);
      try {
        if (!this.store) throw new Error("no IndexedDB");
        if (value === undefined) await kv.del(key, this.store);
        else await kv.set(key, value, this.store);
        if (this.seq.get(key) === n && !this.unsaved.size) this.storageError = null;
      } catch (e) {
        if (this.seq.get(key) === n) { this.unsaved.set(key, value); this.storageError = e; }
      }
    }

    async write(item, blob) {
      this.items.set(item.id, item);
      if (blob) {
        this.blobs.set(item.id, blob);
        await this.put(`blob:${item.id}`, blob);
        if (!this.unsaved.has(`blob:${item.id}`)) this.blobs.delete(item.id);
      }
      await this.put(`item:${item.id}`, Object.assign({}, item));
      this.changed();
    }

    async remove(id) {
      const item = this.items.get(id);
      this.items.delete(id);
      this.blobs.delete(id);
      if (item && item.photo) await this.put(`blob:${id}`, undefined);
      await this.put(`item:${id}`, undefined);
      this.changed();
    }

    async persist() {
      // Writes the phone refused earlier, tried again in order.
      for (const [key, value] of [...this.unsaved]) {
        if (!this.unsaved.has(key)) continue;
        await this.put(key, value);
        if (key.startsWith("blob:") && !this.unsaved.has(key)) this.blobs.delete(key.slice(5));
      }
      this.changed();
    }

    async blob(id) {
      if (this.blobs.has(id)) return this.blobs.get(id);
      try { return await kv.get(`blob:${id}`, this.store); } catch (e) { return undefined; }
    }

    // --- what the page does ---------------------------------------------------------------------------------

    /** Keep a new item (data: what is sent; blob: an optional photo) and send it once its hold is over. */
    async add(data, blob, id) {
      await this.ready;
      const now = Date.now();
      const item = { id: id || uuid(), state: "queued", data, at: now, hold: now + this.opts.hold, photo: Boolean(blob) };
      await this.write(item, blob);
      this.sync();
      return item;
    }

    /** Take back an item that has not gone yet; false when it is already on its way or answered. */
    async undo(id) {
      const item = this.items.get(id);
      if (!item || item.state !== "queued" || this.inflight.has(id)) return false;
      await this.remove(id);
      return true;
    }

    /** A refused item, corrected (new data), goes back into the queue and is sent now. */
    async resend(id, data) {
      const item = this.items.get(id);
      if (!item || item.state !== "refused") return;
      await this.write(Object.assign({}, item, { state: "queued", data, hold: Date.now(), refusal: null }));
      this.sync();
    }

    async discard(id) { await this.remove(id); }

    list(state) { return [...this.items.values()].filter((i) => i.state === state).sort((a, b) => a.at - b.at); }

    status() {
      return {
        queued: this.list("queued").length,
        refused: this.list("refused"),
        photos: this.list("sent").length,
        loggedOut: this.loggedOut,
        waiting: !this.loggedOut && !this.offlineFailure && this.nextTry > Date.now() && this.list("queued").length > 0,
        nextTry: this.nextTry,
        unsaved: new Set([...this.unsaved.keys()].map((k) => k.replace(/^(item|blob):/, ""))).size,
        quota: isQuota(this.storageError),
        storageError: this.unsaved.size ? this.storageError : null,
        lastSync: this.lastSync,
      };
    }

    changed() { if (this.opts.onChange) this.opts.onChange(this.status()); }

    // --- sending ------------------------------------------------------------------------------------------

    schedule(delay) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.sync(), Math.max(0, delay));
    }

    failed(resp) {
      // Keep everything and come back later (see the top of this file).
      this.failures += 1;
      this.offlineFailure = !resp;
      const backoff = Math.min(RETRY_MAX, RETRY_MIN * 2 ** (this.failures - 1));
      const wait = Math.min(RETRY_MAX, Math.max(retryAfter(resp) || 0, backoff)) * (1 + Math.random() / 5);
      this.nextTry = Date.now() + wait;
      this.schedule(wait);
    }

    async sync() {
      // navigator.onLine is only a hint, but when it says offline there is no point trying; a failed fetch
      // when it says online counts as a failure below.
      await this.ready;
      if (this.syncing || this.loggedOut || !navigator.onLine) return;
      const now = Date.now();
      if (now < this.nextTry) { this.schedule(this.nextTry - now); return; }
      const queued = this.list("queued").filter((i) => !this.inflight.has(i.id));
      const batch = queued.filter((i) => i.hold <= now).slice(0, this.opts.batch);
      if (!batch.length) {
        if (queued.length) this.schedule(Math.min(...queued.map((i) => i.hold)) - now); // after the undo window
        await this.uploads();
        return;
      }
      this.syncing = true;
      batch.forEach((i) => this.inflight.add(i.id));
      try {
        let resp = null;
        try { resp = await this.opts.send(batch.map((i) => i.data), post); } catch (e) { /* no network */ }
        if (resp && loggedOutAnswer(resp)) {
          this.loggedOut = true;
          clearTimeout(this.timer);
          return;
        }
        const answer = resp && !busyAnswer(resp) ? await this.opts.read(resp, batch) : null;
        if (!answer) { this.failed(resp); return; }
        // Only now, with the server's answer in hand, do items leave the queue.
        const refused = new Map(answer.refused.filter((r) => batch[r.index]).map((r) => [r.index, r]));
        const at = new Date().toISOString();
        for (const [index, item] of batch.entries()) {
          const r = refused.get(index);
          if (r) await this.write(Object.assign({}, item, { state: "refused", refusal: { code: r.code, message: r.message, at } }));
          else if (item.photo) await this.write(Object.assign({}, item, { state: "sent" }));
          else await this.remove(item.id);
        }
        this.failures = 0;
        this.nextTry = 0;
        this.lastSync = new Date();
        // The server answered: the network is back whatever navigator.onLine says (lib/offline.js hides its
        // banner on this).
        window.dispatchEvent(new Event("wastegrid:sent"));
        this.schedule(0); // the rest of the queue, then the photos
      } finally {
        batch.forEach((i) => this.inflight.delete(i.id));
        this.syncing = false;
        this.changed();
      }
    }

    async uploads() {
      // Photos go once their item is on the server; a refused item's photo stays with it on the phone.
      if (!this.opts.upload || this.syncing) return;
      this.syncing = true;
      try {
        for (const item of this.list("sent")) {
          if (this.loggedOut || !navigator.onLine || Date.now() < this.nextTry) return;
          const blob = await this.blob(item.id);
          if (!blob) { await this.remove(item.id); continue; }
          let resp = null;
          try { resp = await this.opts.upload(item, blob, post); } catch (e) { /* no network */ }
          if (!resp) { this.failed(null); return; }
          if (loggedOutAnswer(resp)) { this.loggedOut = true; return; }
          if (busyAnswer(resp)) { this.failed(resp); return; }
          // A photo the server cannot take (400: not an image) will never be taken: it goes. Anything else
          // (404 while the server is being deployed) waits for the next round.
          if (resp.ok || resp.status === 400) await this.remove(item.id);
        }
      } finally {
        this.syncing = false;
        this.changed();
      }
    }
  }

  // Reads a localStorage key an older version wrote; [] when absent or unreadable.
  function legacyList(key) {
    try { const v = JSON.parse(localStorage.getItem(key) || "[]"); return Array.isArray(v) ? v : []; } catch (e) { return []; }
  }

  window.wastegridOutbox = { Outbox, uuid, clientTime, post, legacyList, isQuota };
})();
