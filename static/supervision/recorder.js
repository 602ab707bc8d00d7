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

  function render() {
    const queue = load(KEY);
    $("#pending").textContent = queue.length;
    $("#rejected").textContent = load(REJECTED).length;
    $("#household-label").textContent = household || root.dataset.anonymous;
    $("#net").textContent = navigator.onLine ? root.dataset.online : root.dataset.offline;
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
    const queued = new Set(load(KEY).map((r) => r.client_id));
    const waiting = load(PHOTOS);
    for (const p of waiting.filter((p) => !queued.has(p.client_id))) {
      try {
        const blob = await (await fetch(p.data)).blob();
        const form = new FormData();
        form.append("client_id", p.client_id);
        form.append("day", p.day);
        form.append("image", blob, "photo.jpg");
        const resp = await fetch(photoEndpoint, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() }, body: form });
        if (resp.ok || resp.status === 400) save(PHOTOS, load(PHOTOS).filter((q) => q.client_id !== p.client_id));
      } catch (e) { /* offline again: next time */ }
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

  async function sync() {
    // navigator.onLine is only a hint, but when it says offline there is no point trying; a failed fetch
    // when it says online is handled below.
    if (syncing || !navigator.onLine) return;
    const queue = load(KEY);
    if (!queue.length) { if (load(PHOTOS).length) uploadPhotos(); return; }
    syncing = true;
    const batch = queue.slice(0, 500);
    try {
      const resp = await fetch(endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(batch),
      });
      if (resp.ok) {
        const body = await resp.json();
        const rejected = new Set(body.errors.map((e) => e.client_id));
        const sent = new Set(batch.map((r) => r.client_id));
        // Only now, with the server's answer in hand, do records leave the queue.
        save(KEY, load(KEY).filter((r) => !sent.has(r.client_id)));
        const bad = batch.filter((r) => rejected.has(r.client_id));
        if (bad.length) save(REJECTED, load(REJECTED).concat(bad));
        await uploadPhotos();
        $("#last-sync").textContent = new Date().toLocaleTimeString();
      }
    } catch (e) {
      // Offline or the server is unreachable: keep everything, try again later.
    } finally {
      syncing = false;
      render();
      if (load(KEY).length && navigator.onLine) setTimeout(sync, 1500);
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
  window.addEventListener("online", () => { render(); sync(); uploadPhotos(); });
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
