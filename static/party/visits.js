// Door-to-door visits offline: the same approach as the bin-side recorder (supervision/recorder.js), kept
// separate and small. A visit form (form[data-visit-queue], sent by htmx) that cannot reach the server is
// kept in localStorage with its client id; the server records a client id once (party.services.visit_record),
// so sending it again after a lost answer never makes a second visit. Visits are a few short text fields, so
// localStorage (≈5 MB) holds thousands; no photos go through here.
(function () {
  "use strict";
  const KEY = "wastegrid-visits-v1";
  const RETRY = 15000; // ms between tries while something waits and the phone says it is online
  let syncing = false;
  let loggedOut = false; // 401/403 or a redirect to the log-in page: wait for the user to log in again

  const load = () => {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  };
  const save = (items) => localStorage.setItem(KEY, JSON.stringify(items));

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function csrf() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  // What waits, said under the form (texts come translated from the template's data attributes).
  function show() {
    const items = load();
    document.querySelectorAll("form[data-visit-queue] .visit-queue-note").forEach((note) => {
      const mine = items.filter((i) => i.url === note.closest("form").getAttribute("hx-post"));
      const refused = mine.filter((i) => i.error);
      const parts = [];
      if (mine.length - refused.length) parts.push(`${note.dataset.waiting} ${mine.length - refused.length}`);
      if (loggedOut && mine.length) parts.push(note.dataset.login);
      refused.forEach((i) => parts.push(`${note.dataset.refused} ${i.error}`));
      note.textContent = parts.join(" · ");
      note.hidden = parts.length === 0;
    });
  }

  function keep(form) {
    const fields = [...new FormData(form).entries()].filter(([k]) => k !== "csrfmiddlewaretoken");
    const item = { url: form.getAttribute("hx-post"), fields, at: Date.now() };
    const cid = form.querySelector("input[name=client_id]");
    const items = load().filter((i) => i.fields.find(([k]) => k === "client_id")[1] !== cid.value);
    items.push(item);
    save(items);
    cid.value = uuid(); // the next visit recorded from this page is another visit
    form.reset();
    form.querySelector("input[name=client_id]").value = cid.value;
    show();
  }

  // The server's answer for a visit sent from the queue replaces the panel when it is on screen.
  function place(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    ["hh-visits", "my-visited"].forEach((id) => {
      const fresh = doc.getElementById(id);
      const old = document.getElementById(id);
      if (fresh && old) {
        fresh.removeAttribute("hx-swap-oob");
        old.replaceWith(fresh);
        if (window.htmx) window.htmx.process(fresh);
      }
    });
  }

  async function sync() {
    if (syncing || loggedOut || !navigator.onLine) return;
    syncing = true;
    try {
      for (const item of load().filter((i) => !i.error)) {
        const body = new URLSearchParams(item.fields);
        let resp;
        try {
          resp = await fetch(item.url, {
            method: "POST",
            body,
            credentials: "same-origin",
            headers: { "X-CSRFToken": csrf(), "HX-Request": "true" },
          });
        } catch (e) {
          break; // no network after all: try again later
        }
        if (resp.status === 401 || resp.status === 403 || resp.url.includes("/accounts/login/")) {
          loggedOut = true;
          break;
        }
        if (resp.status >= 500 || resp.status === 429) break;
        const html = await resp.text();
        const cid = item.fields.find(([k]) => k === "client_id")[1];
        let items = load();
        if (resp.ok) {
          items = items.filter((i) => i.fields.find(([k]) => k === "client_id")[1] !== cid);
          if (document.querySelector(`form[hx-post="${item.url}"]`)) place(html);
        } else {
          // Refused (a 4xx with the reason): kept and shown, never retried blindly.
          const doc = new DOMParser().parseFromString(html, "text/html");
          const reason = doc.querySelector(".error");
          items.forEach((i) => {
            if (i.fields.find(([k]) => k === "client_id")[1] === cid) i.error = reason ? reason.textContent.trim() : String(resp.status);
          });
        }
        save(items);
      }
    } finally {
      syncing = false;
      show();
    }
  }

  document.addEventListener("htmx:beforeRequest", (evt) => {
    const form = evt.detail.elt;
    if (!form.matches || !form.matches("form[data-visit-queue]") || navigator.onLine) return;
    evt.preventDefault(); // offline: do not even try, keep it
    keep(form);
  });
  document.addEventListener("htmx:sendError", (evt) => {
    const form = evt.detail.elt;
    if (form.matches && form.matches("form[data-visit-queue]")) keep(form);
  });
  document.addEventListener("htmx:afterSwap", show);
  window.addEventListener("online", sync);
  setInterval(() => { if (load().some((i) => !i.error)) sync(); }, RETRY);
  show();
  sync();
})();
