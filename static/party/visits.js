// Door-to-door visits offline, through the same outbox as the bin-side recorder (lib/outbox.js: IndexedDB,
// Retry-After and backoff, log-in-again, storage-full). A visit form (form[data-visit-queue], sent by htmx)
// that cannot reach the server is kept with its client id; the server records a client id once
// (party.services.visit_record), so sending it again after a lost answer never makes a second visit. A visit
// the server refuses stays with its reason: "Correct" puts it back into the form (same client id), "Discard"
// drops it after a confirmation.
(function () {
  "use strict";
  if (!window.wastegridOutbox) return;
  const { Outbox, uuid, clientTime, legacyList } = window.wastegridOutbox;
  const LEGACY = "wastegrid-visits-v1";
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const lead = (label) => (/[：:]$/.test(label) && zh ? label : `${label} `); // "已保存：" needs no space
  const cidOf = (fields) => (fields.find(([k]) => k === "client_id") || [])[1];

  // The server's answer for a visit sent from the outbox replaces its panel when that is on screen, with the
  // out-of-band parts (counters) as htmx would.
  function place(html, target) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const ids = [(target || "").replace(/^#/, ""), ...[...doc.querySelectorAll("[hx-swap-oob]")].map((e) => e.id)];
    ids.filter(Boolean).forEach((id) => {
      const fresh = doc.getElementById(id);
      const old = document.getElementById(id);
      if (fresh && old) {
        fresh.removeAttribute("hx-swap-oob");
        old.replaceWith(fresh);
        if (window.htmx) window.htmx.process(fresh);
      }
    });
  }

  const box = new Outbox({
    name: "visits",
    batch: 1, // one form post each: the answer is that visit's panel
    legacy: async () => {
      const now = Date.now();
      const items = legacyList(LEGACY)
        .filter((i) => i && i.url && Array.isArray(i.fields) && cidOf(i.fields))
        .map((i) => ({
          id: cidOf(i.fields),
          state: i.error ? "refused" : "queued",
          data: { url: i.url, fields: i.fields },
          at: i.at || now,
          hold: now,
          photo: false,
          refusal: i.error ? { code: "", message: i.error, at: new Date(now).toISOString() } : null,
        }));
      return { items, blobs: new Map(), clear: () => localStorage.removeItem(LEGACY) };
    },
    onChange: show,
    send: ([visit], post) => post(visit.url, { body: new URLSearchParams(visit.fields), headers: { "HX-Request": "true" } }),
    async read(resp, [item]) {
      const html = await resp.text();
      if (resp.ok) {
        if (document.querySelector(`form[hx-post="${item.data.url}"]`)) place(html, item.data.target);
        return { refused: [] };
      }
      // Refused (a 4xx with the reason in the panel): kept and shown, never retried blindly.
      const reason = new DOMParser().parseFromString(html, "text/html").querySelector(".error");
      return { refused: [{ index: 0, code: String(resp.status), message: reason ? reason.textContent.trim() : String(resp.status) }] };
    },
  });

  // A visit is shown under the form it came from: same address and, on a plan's list (one form per
  // household, all posting to the plan), the same household.
  function belongs(form, item) {
    if (item.data.url !== form.getAttribute("hx-post")) return false;
    const h = form.querySelector("input[type=hidden][name=household]");
    return !h || (item.data.fields.find(([k]) => k === "household") || [])[1] === h.value;
  }

  // What waits, said under the form (texts come translated from the template's data attributes).
  function show() {
    const s = box.status();
    const items = [...box.items.values()];
    document.querySelectorAll("form[data-visit-queue] .visit-queue-note").forEach((note) => {
      const mine = items.filter((i) => belongs(note.closest("form"), i));
      const waiting = mine.filter((i) => i.state === "queued");
      const refused = mine.filter((i) => i.state === "refused");
      const parts = [];
      if (waiting.length) parts.push(`${lead(note.dataset.waiting)}${waiting.length}`);
      if (s.loggedOut && waiting.length) parts.push(note.dataset.login);
      if (s.unsaved && note.dataset.unsaved) parts.push(note.dataset.unsaved);
      // Each refused visit on its own line: what it was, the server's reason, Correct and Discard.
      note.replaceChildren(...(parts.length ? [parts.join(" · ")] : []), ...refused.map((i) => refusedLine(note, i)));
      note.hidden = parts.length + refused.length === 0;
      // What waits or was refused is never folded away inside a closed "Record a visit".
      const details = note.closest("details");
      if (details && refused.length) details.open = true;
    });
  }

  function refusedLine(note, item) {
    const span = document.createElement("span");
    span.className = "visit-refused";
    const fields = new Map(item.data.fields);
    const form = note.closest("form");
    const radio = form.querySelector(`input[name=outcome][value="${fields.get("outcome")}"]`);
    const what = [fields.get("day"), radio ? radio.parentElement.textContent.trim() : "", fields.get("issue")].filter(Boolean).join(" · ");
    span.append(`${lead(note.dataset.refused)}${what} — ${(item.refusal && item.refusal.message) || ""} `);
    const fix = document.createElement("button");
    fix.type = "button";
    fix.className = "link";
    fix.textContent = note.dataset.fix || "✎";
    fix.addEventListener("click", () => refill(note.closest("form"), item));
    const drop = document.createElement("button");
    drop.type = "button";
    drop.className = "link";
    drop.textContent = note.dataset.discard || "✕";
    drop.addEventListener("click", () => { if (window.confirm(note.dataset.discardConfirm || "")) box.discard(item.id); });
    span.append(fix, " ", drop);
    return span;
  }

  // "Correct": the refused visit goes back into its form, client id included, for the user to fix and save;
  // it stays in the outbox until that form is saved (taken, or kept again offline under the same id).
  function refill(form, item) {
    form.reset();
    item.data.fields.forEach(([k, v]) => {
      const el = form.elements[k];
      if (!el) return;
      if (el instanceof RadioNodeList || (el.type === "radio")) {
        form.querySelectorAll(`input[name="${k}"]`).forEach((r) => (r.checked = r.value === v));
      } else el.value = v;
    });
    const details = form.closest("details");
    if (details) details.open = true;
    form.scrollIntoView({ block: "center" });
  }

  function keep(form) {
    const fields = [...new FormData(form).entries()].filter(([k]) => k !== "csrfmiddlewaretoken");
    const cid = form.querySelector("input[name=client_id]");
    const data = { url: form.getAttribute("hx-post"), target: form.getAttribute("hx-target"), fields };
    box.add(data, null, cid.value); // a corrected refused visit (same client id) replaces itself
    const next = uuid(); // the next visit recorded from this page is another visit
    form.reset();
    form.querySelector("input[name=client_id]").value = next;
    show();
  }

  const queueForm = (elt) => elt && elt.matches && elt.matches("form[data-visit-queue]") ? elt : null;
  document.addEventListener("htmx:configRequest", (evt) => {
    // A visit posted straight from the form carries the phone's clock too (see lib/outbox.js).
    const form = queueForm(evt.detail.elt);
    if (!form) return;
    evt.detail.headers["X-Client-Time"] = clientTime();
  });
  document.addEventListener("htmx:beforeRequest", (evt) => {
    const form = queueForm(evt.detail.elt);
    if (!form) return;
    if (!navigator.onLine) {
      evt.preventDefault(); // offline: do not even try, keep it
      keep(form);
      return;
    }
    // A refused visit corrected in its form and taken by the server straight away leaves the outbox. (The
    // request's own end, not htmx:afterRequest: by then the form has been swapped out of the page.)
    const cid = form.elements.client_id.value;
    const xhr = evt.detail.xhr;
    if (xhr && box.items.has(cid)) {
      xhr.addEventListener("loadend", () => { if (xhr.status >= 200 && xhr.status < 300) box.discard(cid); });
    }
  });
  document.addEventListener("htmx:sendError", (evt) => {
    const form = queueForm(evt.detail.elt);
    if (form) keep(form);
  });
  document.addEventListener("htmx:afterSwap", show);
  show();
})();
