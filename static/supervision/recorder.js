// Bin-side recorder: works with no network. Every record gets a client-made UUID and waits in
// localStorage until the server has confirmed it (created or duplicate), so a retry, a reload or a dead
// phone mid-sync never loses or duplicates a drop-off.
(function () {
  "use strict";
  const root = document.getElementById("recorder");
  if (!root) return;
  const point = root.dataset.point;
  const endpoint = root.dataset.endpoint;
  const households = JSON.parse(document.getElementById("households-data").textContent);
  const KEY = "wastegrid-queue-v1";
  const REJECTED = "wastegrid-rejected-v1";
  const PHOTOS = "wastegrid-photos-v1";
  const photoEndpoint = root.dataset.photoEndpoint;
  let pendingPhoto = null;
  let household = null;
  let syncing = false;
  // When the server cannot take the queue now (5xx, 429, no network) the phone waits before trying again: at
  // least what the server asks for in Retry-After, and twice as long after each failure in a row (from
  // RETRY_MIN up to RETRY_MAX), plus up to a fifth more so that phones sent away together do not all come
  // back at the same moment. Every way a sync starts (a new record, the 10 s tick, `online`) waits too.
  const RETRY_MIN = 1500;
  const RETRY_MAX = 5 * 60 * 1000;
  let failures = 0;
  let nextTry = 0;
  let timer = null;
  let offlineFailure = false;
  // 401/403: the session has expired (or its CSRF token with it). Retrying cannot help until the user logs in
  // again, which reloads the page; until then nothing is sent and the queue stays on the phone.
  let loggedOut = false;

  const load = (k) => JSON.parse(localStorage.getItem(k) || "[]");
  const save = (k, v) => localStorage.setItem(k, JSON.stringify(v));
  const $ = (sel) => root.querySelector(sel);

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function csrf() {
    const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // The server's reason in the page's language (messages carry zh and en; see lib.bilingual).
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const reasonText = (m) => (m && typeof m === "object" ? (zh ? m.zh : m.en) || m.en || m.zh : m) || "";

  function render() {
    const queue = load(KEY);
    const rejected = load(REJECTED);
    $("#pending").textContent = queue.length;
    $("#rejected").textContent = rejected.length;
    $("#household-label").textContent = household || root.dataset.anonymous;
    $("#net").textContent = navigator.onLine ? root.dataset.online : root.dataset.offline;
    // The notes below are newer than the page a phone may have cached for offline use: missing, skipped.
    const note = (sel, on) => { const el = $(sel); if (el) el.hidden = !on; return el && on ? el : null; };
    note("#session-expired", loggedOut);
    const waiting = !loggedOut && !offlineFailure && queue.length && nextTry > Date.now();
    if (note("#retry-note", waiting)) $("#retry-at").textContent = new Date(nextTry).toLocaleTimeString();
    // Refused records stay on the phone with the server's reason (correcting them is for a later page).
    // Entries from before reasons were kept are the bare record.
    const list = note("#rejected-list", rejected.length);
    if (list) list.replaceChildren(
      ...rejected.map((entry) => {
        const r = entry.record || entry;
        const li = document.createElement("li");
        const when = r.observed_at ? new Date(r.observed_at).toLocaleString() : "";
        li.textContent = `${when} · ${r.household || root.dataset.anonymous} · ${r.outcome} — ${reasonText(entry.message) || root.dataset.noReason || ""}`;
        return li;
      })
    );
  }

  function chooseHousehold(value) {
    const v = (value || "").trim().toUpperCase();
    if (!v) { household = null; render(); return true; }
    const match = households.find((c) => c === v || c.endsWith("-" + v));
    household = match || null;
    render();
    return Boolean(match);
  }

  // Photos are shrunk on the phone (canvas → JPEG, ≤1280 px) and wait in their own queue until their
  // record has reached the server; the server strips what metadata is left.
  function shrink(file) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => {
        const scale = Math.min(1, 1280 / Math.max(img.width, img.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale);
        canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(img.src);
        resolve(canvas.toDataURL("image/jpeg", 0.8));
      };
      img.onerror = reject;
      img.src = URL.createObjectURL(file);
    });
  }

  function localDay(date) {
    // The record's day in Shanghai (UTC+8), as the server computes it.
    return new Date(date.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  }

  async function uploadPhotos() {
    // Only photos whose record has left the queue (the server has answered for it) are sent.
    // A refused record's photo stays with it on the phone: the server has no record to attach it to.
    const queued = new Set(load(KEY).map((r) => r.client_id));
    load(REJECTED).forEach((e) => queued.add((e.record || e).client_id));
    const waiting = load(PHOTOS);
    for (const p of waiting.filter((p) => !queued.has(p.client_id))) {
      if (loggedOut) return;
      try {
        const blob = await (await fetch(p.data)).blob();
        const form = new FormData();
        form.append("client_id", p.client_id);
        form.append("day", p.day);
        form.append("image", blob, "photo.jpg");
        const resp = await fetch(photoEndpoint, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() }, body: form });
        if (resp.status === 401 || resp.status === 403) { loggedOut = true; render(); return; }
        if (resp.ok || resp.status === 400) save(PHOTOS, load(PHOTOS).filter((q) => q.client_id !== p.client_id));
        if (resp.status >= 500 || resp.status === 429) { failed(resp); return; } // busy: wait as for records
      } catch (e) { failed(null); return; } // offline again: next time
    }
  }

  function record(outcome, mixedWith) {
    const queue = load(KEY);
    const now = new Date();
    const clientId = uuid();
    if (pendingPhoto) {
      try {
        save(PHOTOS, load(PHOTOS).concat([{ client_id: clientId, day: localDay(now), data: pendingPhoto }]));
      } catch (e) { alert(root.dataset.photoFull); }
      pendingPhoto = null;
      $("#photo").value = "";
    }
    queue.push({
      client_id: clientId,
      point: point,
      household: household,
      observed_at: now.toISOString(),
      category: $("#category").value,
      outcome: outcome,
      mixed_with: mixedWith || [],
    });
    save(KEY, queue);
    household = null;
    $("#household").value = "";
    $("#mixed-panel").hidden = true;
    render();
    sync();
  }

  function retryAfter(resp) {
    // Retry-After in seconds or as an HTTP date, in ms; null when absent or unreadable.
    const v = resp && resp.headers.get("Retry-After");
    if (!v) return null;
    if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
    const at = Date.parse(v);
    return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(sync, Math.max(0, delay));
  }

  function failed(resp) {
    // Keep the whole queue and come back later (see RETRY_MIN above).
    failures += 1;
    offlineFailure = !resp;
    const backoff = Math.min(RETRY_MAX, RETRY_MIN * 2 ** (failures - 1));
    const wait = Math.min(RETRY_MAX, Math.max(retryAfter(resp) || 0, backoff)) * (1 + Math.random() / 5);
    nextTry = Date.now() + wait;
    schedule(wait);
  }

  function refused(batch, body) {
    // The server answered for the batch: it leaves the queue; what it refused is kept with its reason.
    const sent = new Set(batch.map((r) => r.client_id));
    const now = new Date().toISOString();
    const kept = (body.errors || [])
      .filter((e) => batch[e.index])
      .map((e) => ({ record: batch[e.index], code: e.code, message: e.message, at: now }));
    if (kept.length) save(REJECTED, load(REJECTED).concat(kept));
    save(KEY, load(KEY).filter((r) => !sent.has(r.client_id)));
  }

  async function sync() {
    // navigator.onLine is only a hint, but when it says offline there is no point trying; a failed fetch
    // when it says online is handled below.
    if (syncing || loggedOut || !navigator.onLine) return;
    const queue = load(KEY);
    if (Date.now() < nextTry) { schedule(nextTry - Date.now()); return; }
    if (!queue.length) { if (load(PHOTOS).length) uploadPhotos(); return; }
    syncing = true;
    const batch = queue.slice(0, 500);
    try {
      let resp = null;
      try {
        resp = await fetch(endpoint, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify(batch),
        });
      } catch (e) {
        // Offline or the server is unreachable: resp stays null.
      }
      // A 200 that is not the API's answer (a captive portal's page, a proxy's) is no answer for the records.
      const body = resp ? await resp.clone().json().catch(() => null) : null;
      if (resp && resp.ok && body && Array.isArray(body.errors)) {
        // Only now, with the server's answer in hand, do records leave the queue.
        refused(batch, body);
        failures = 0;
        nextTry = 0;
        await uploadPhotos();
        $("#last-sync").textContent = new Date().toLocaleTimeString();
        if (load(KEY).length) schedule(0);
      } else if (resp && (resp.status === 401 || resp.status === 403)) {
        loggedOut = true;
        clearTimeout(timer);
      } else if (resp && [400, 413, 422].includes(resp.status) && body && body.code && body.message) {
        // The API refuses the batch as a whole (malformed, too large): sending it again cannot succeed, so
        // each of its records is kept among the refused with the server's reason, never dropped. Any other
        // answer (5xx, 404 or 405 while the server is being deployed, 408, 429, no network) keeps the queue.
        refused(batch, { errors: batch.map((r, index) => ({ index, code: body.code, message: body.message })) });
        if (load(KEY).length) schedule(RETRY_MIN);
      } else {
        failed(resp);
      }
    } finally {
      syncing = false;
      render();
    }
  }

  root.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-outcome]");
    if (!btn) return;
    ev.preventDefault();
    if (btn.dataset.outcome === "mixed") { $("#mixed-panel").hidden = false; return; }
    record(btn.dataset.outcome);
  });
  $("#mixed-done").addEventListener("click", (ev) => {
    ev.preventDefault();
    const picked = [...root.querySelectorAll("#mixed-panel input:checked")].map((i) => i.value);
    root.querySelectorAll("#mixed-panel input:checked").forEach((i) => (i.checked = false));
    record("mixed", picked);
  });
  $("#household").addEventListener("change", (ev) => {
    if (!chooseHousehold(ev.target.value)) ev.target.setCustomValidity(root.dataset.unknown);
    else ev.target.setCustomValidity("");
  });
  $("#anonymous").addEventListener("click", (ev) => { ev.preventDefault(); $("#household").value = ""; chooseHousehold(""); });
  $("#photo").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    pendingPhoto = file ? await shrink(file) : null;
  });
  window.addEventListener("online", () => {
    // Back on the network: a wait caused by having none is over (a busy server's Retry-After still stands).
    if (offlineFailure) { failures = 0; nextTry = 0; }
    render(); sync(); uploadPhotos();
  });
  window.addEventListener("offline", render);
  setInterval(sync, 10000);
  const preset = new URLSearchParams(location.search).get("h");
  if (preset) { $("#household").value = preset; chooseHousehold(preset); }
  render();
  sync();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope });
  }
})();
