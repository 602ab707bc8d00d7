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

  function record(outcome, mixedWith) {
    const queue = load(KEY);
    queue.push({
      client_id: uuid(),
      point: point,
      household: household,
      observed_at: new Date().toISOString(),
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
    if (!queue.length) return;
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
  window.addEventListener("online", () => { render(); sync(); });
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
