// Bin-side recorder: works with no network. Every record gets a client-made UUID and waits in the phone's
// outbox (lib/outbox.js: IndexedDB, retries, log-in-again, storage-full) until the server has answered for it
// (created or duplicate), so a retry, a reload or a dead phone mid-sync never loses or duplicates a drop-off.
// A record waits UNDO_MS after its tap before it may be sent: the line saying what was recorded has an Undo
// for that long, and the API has no way to take a record back once stored. Records the server refuses stay
// on the phone with its reason, to be corrected and sent again, or discarded.
(function () {
  "use strict";
  const root = document.getElementById("recorder");
  if (!root || !window.wastegridOutbox) return;
  const { Outbox, uuid, legacyList } = window.wastegridOutbox;
  const UNDO_MS = 8000;
  const point = root.dataset.point;
  const households = JSON.parse(document.getElementById("households-data").textContent);
  const $ = (sel) => root.querySelector(sel);
  let pendingPhoto = null; // a Blob, shrunk on the phone
  let mixedPending = false; // 混投 tapped, its panel open: every other tap waits until it is saved or cancelled

  // The server's reason in the page's language (messages carry zh and en; see lib.bilingual).
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const reasonText = (m) => (m && typeof m === "object" ? (zh ? m.zh : m.en) || m.en || m.zh : m) || "";
  const categoryLabel = (c) => { const o = $(`#category option[value="${c}"]`); return o ? o.textContent.trim() : c; };
  const outcomeLabel = (o) => { const b = $(`button[data-outcome="${o}"]`); return b ? b.textContent.trim() : o; };
  // A household as the volunteer knows the door: "8号楼 502". Its code (ZJXL-01-B008-502) is what is sent;
  // on the page it is only the label's title, or the label itself for a code that names no household here.
  const placeLabel = (h) => `${h.building} ${h.room}`;
  const byCode = new Map(households.map((h) => [h.code, h]));
  const householdLabel = (code) => {
    if (!code) return root.dataset.anonymous;
    const h = byCode.get(code);
    return h ? placeLabel(h) : code;
  };
  // An outcome as the lists say it, for 混投 with what was mixed in: "混投（混入：干垃圾）" (server: outcomes.outcome_text).
  const outcomeText = (outcome, mixedWith) => {
    const mixed = outcome === "mixed" ? (mixedWith || []).map(categoryLabel).join(zh ? "、" : ", ") : "";
    const note = mixed ? (zh ? `（${lead(root.dataset.mixedIn)}${mixed}）` : ` (${lead(root.dataset.mixedIn)}${mixed})`) : "";
    return `${outcomeLabel(outcome)}${note}`;
  };
  // "已记录：" needs no space after it, "Recorded:" does.
  const lead = (label) => (/[：:]$/.test(label) && zh ? label : `${label} `);

  function localDay(iso) {
    // The record's day in Shanghai (UTC+8), as the server computes it.
    return new Date(new Date(iso).getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  }

  // What an older version left in localStorage: the queue, the refused records (with or without the reason)
  // and photos as data URLs (those whose record was already sent wait as "sent" items).
  async function legacy() {
    const KEYS = ["wastegrid-queue-v1", "wastegrid-rejected-v1", "wastegrid-photos-v1"];
    const items = [];
    const blobs = new Map();
    const now = Date.now();
    legacyList(KEYS[0]).forEach((r) => r && r.client_id && items.push({ id: r.client_id, state: "queued", data: r, at: now, hold: now, photo: false }));
    legacyList(KEYS[1]).forEach((e) => {
      const r = e && (e.record || e);
      if (!r || !r.client_id) return;
      const refusal = { code: e.code || "", message: e.message || "", at: e.at || new Date(now).toISOString() };
      items.push({ id: r.client_id, state: "refused", data: r, at: now, hold: now, photo: false, refusal });
    });
    for (const p of legacyList(KEYS[2])) {
      if (!p || !p.client_id || !p.data) continue;
      const blob = await (await fetch(p.data)).blob();
      const item = items.find((i) => i.id === p.client_id);
      if (item) item.photo = true;
      else items.push({ id: p.client_id, state: "sent", data: { client_id: p.client_id }, day: p.day, at: now, hold: now, photo: true });
      blobs.set(p.client_id, blob);
    }
    return { items, blobs, clear: () => KEYS.forEach((k) => localStorage.removeItem(k)) };
  }

  const box = new Outbox({
    name: "recorder",
    batch: 500,
    hold: UNDO_MS,
    legacy,
    onChange: render,
    send: (records, post) => post(root.dataset.endpoint, {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(records),
    }),
    async read(resp, batch) {
      // A 200 that is not the API's answer (a captive portal's page, a proxy's) is no answer for the records.
      const body = await resp.clone().json().catch(() => null);
      if (resp.ok && body && Array.isArray(body.errors)) return { refused: body.errors };
      if ([400, 413, 422].includes(resp.status) && body && body.code && body.message) {
        // The API refuses the batch as a whole (malformed, too large): sending it again cannot succeed, so
        // each of its records is kept among the refused with the server's reason, never dropped. Any other
        // answer (404 or 405 while the server is being deployed) keeps the queue.
        return { refused: batch.map((_, index) => ({ index, code: body.code, message: body.message })) };
      }
      return null;
    },
    upload(item, blob, post) {
      const form = new FormData();
      form.append("client_id", item.id);
      form.append("day", item.day || localDay(item.data.observed_at));
      form.append("image", blob, "photo.jpg");
      return post(root.dataset.photoEndpoint, { body: form });
    },
  });

  function note(sel, on) {
    // Notes newer than a page the phone may have cached for offline use can be missing: skipped then.
    const el = $(sel);
    if (el) el.hidden = !on;
    return el && on ? el : null;
  }

  function render() {
    const s = box.status();
    $("#pending").textContent = s.queued;
    $("#rejected").textContent = s.refused.length;
    // What the next tap uses, read from the field as typed (the label never says anonymous over a typed code).
    const h = currentHousehold();
    const several = h.choices.length > 1;
    $("#household-label").textContent = h.ok ? householdLabel(h.code) : `${several ? root.dataset.severalShort : root.dataset.unknownShort} ${$("#household").value.trim()}`;
    $("#household-label").title = h.ok && h.code ? h.code : "";
    $("#household-label").classList.toggle("error", !h.ok);
    renderChoices(several ? h.choices : []);
    renderMade();
    $("#net").textContent = navigator.onLine ? root.dataset.online : root.dataset.offline;
    if (s.lastSync) $("#last-sync").textContent = s.lastSync.toLocaleTimeString();
    if (note("#photos-waiting", s.photos)) $("#photos-count").textContent = s.photos;
    note("#session-expired", s.loggedOut);
    if (note("#retry-note", s.waiting)) $("#retry-at").textContent = new Date(s.nextTry).toLocaleTimeString();
    const full = note("#storage-full", s.unsaved > 0);
    if (full) {
      $("#unsaved-count").textContent = s.unsaved;
      const reason = $("#storage-reason");
      if (reason) reason.textContent = s.quota ? root.dataset.quota : String((s.storageError && s.storageError.message) || "");
    }
    renderRefused(s.refused);
  }

  // --- after each tap: what was recorded, with an Undo while it has not gone --------------------------------

  // The lines float (nothing moves when they come or go) in a free band: under the header (its 菜单 stays
  // reachable) and the status line, and clear of every control the volunteer needs next (`NEEDED`: the bin,
  // the household field, its choices, the photo, the outcome buttons and, while 混投 waits, its boxes and
  // 保存/取消). Tried in turn: just below that block, just under the header, the screen's bottom edge; a
  // band is free only if no control on screen lies in it. When none is (the open 混投 panel fills a short
  // screen), the lines leave the float and sit in the page's flow after the panel, where they cover
  // nothing. Placed again on scroll and resize.
  const NEEDED = "label:has(#category), label:has(#household), #household-label, #household-choices:not([hidden]) button, #anonymous, #photo, .outcomes button, #mixed-panel:not([hidden]) input, #mixed-panel:not([hidden]) button";
  function placeRecent() {
    const list = $("#recent");
    if (!list || !list.children.length) return;
    list.classList.remove("in-flow");
    const header = document.querySelector("header.top");
    // Below the status line too while it is on screen: "online · waiting to send" stays readable.
    const status = $(".status");
    const top = Math.max(header ? header.getBoundingClientRect().bottom : 0, status ? status.getBoundingClientRect().bottom : 0, 0) + 4;
    const panel = $("#mixed-panel");
    const last = (panel && !panel.hidden ? panel : $(".outcomes")).getBoundingClientRect();
    const height = list.offsetHeight;
    const bottom = window.innerHeight;
    const controls = [...document.querySelectorAll(NEEDED)]
      .map((el) => el.getBoundingClientRect())
      .filter((r) => r.height > 0 && r.bottom > 0 && r.top < bottom);
    const free = (y) => y >= top && y + height <= bottom && controls.every((r) => r.bottom <= y - 2 || r.top >= y + height + 2);
    const y = [Math.max(last.bottom + 4, top), top, bottom - height - 4].find(free);
    if (y === undefined) {
      list.classList.add("in-flow");
      list.style.top = "";
    } else list.style.top = `${y}px`;
  }
  window.addEventListener("scroll", placeRecent, { passive: true });
  window.addEventListener("resize", placeRecent);

  // What a record says, after its lead ("已记录："): the door (its code as the title; a code naming no household
  // here is shown, kept whole on one line), the bin and the outcome, for 混投 with what was mixed in.
  function recordLine(leadLabel, r) {
    const parts = [lead(leadLabel)];
    const place = document.createElement("span");
    place.className = byCode.has(r.household) ? "place" : "code";
    place.textContent = householdLabel(r.household);
    if (r.household) place.title = r.household;
    parts.push(place);
    parts.push(` · ${categoryLabel(r.category)} · ${outcomeText(r.outcome, r.mixed_with)}`);
    return parts;
  }

  function recent(item) {
    const list = $("#recent");
    if (!list) return;
    const li = document.createElement("li");
    li.className = "recent-line";
    const r = item.data;
    const text = document.createElement("span");
    text.append(...recordLine(root.dataset.recorded, r), item.photo ? " · 📷" : "");
    const undo = document.createElement("button");
    undo.type = "button";
    undo.className = "undo";
    undo.textContent = root.dataset.undo;
    undo.addEventListener("click", async () => {
      undo.disabled = true;
      const done = await box.undo(item.id);
      if (done) forget(item.id);
      text.replaceChildren(...recordLine(done ? root.dataset.undone : root.dataset.tooLate, r));
      undo.remove();
      setTimeout(() => li.remove(), 4000);
    });
    li.append(text, " ", undo);
    list.prepend(li);
    // At most three lines over the top of the screen; an older one's record goes on waiting out its window.
    [...list.children].slice(3).forEach((old) => old.remove());
    placeRecent();
    // The Undo goes when the record may be sent (UNDO_MS after the tap).
    setTimeout(() => { if (undo.isConnected) li.remove(); }, Math.max(0, item.hold - Date.now()));
  }

  async function record(outcome, mixedWith) {
    const h = currentHousehold();
    if (!h.ok) { // a typed code that is no household here: never recorded as anonymous behind the user's back
      // Several households match: nothing is recorded until one of the buttons under the field is picked.
      $("#household").setCustomValidity(h.choices.length > 1 ? root.dataset.several : root.dataset.unknown);
      $("#household").reportValidity();
      return false;
    }
    const clientId = uuid();
    const photo = pendingPhoto;
    pendingPhoto = null;
    $("#photo").value = "";
    root.dataset.photoReady = "";
    const data = {
      client_id: clientId,
      point: point,
      household: h.code,
      observed_at: new Date().toISOString(),
      category: $("#category").value,
      outcome: outcome,
      mixed_with: mixedWith || [],
    };
    $("#household").value = "";
    const item = await box.add(data, photo, clientId);
    remember(item, h.choices[0]);
    recent(item);
    render();
    return true;
  }

  // --- refused records: the server's reason, a form to correct and send again, or discard -------------------

  function toLocalInput(iso) {
    // <input type=datetime-local> takes the phone's local time without an offset.
    const d = new Date(iso);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }

  // What was typed, matched exactly (issue 14): a room number alone is shared by many buildings at a point,
  // so ALL households it can name are gathered and a record is made only when exactly one matches; several
  // are offered as buttons to pick from. A typed value names a household by its full code, by the code's end
  // ("-1101"), by its room as the pages show it ("1-101"), as "<building number>-<room>" ("3-502" for 3号楼
  // 502) or as the datalist's label ("1号楼 1-101"); full-width characters and case do not matter.
  const norm = (s) => String(s || "").normalize("NFKC").trim().toUpperCase().replace(/\s+/g, " ");
  const buildingNo = (name) => (norm(name).match(/\d+/g) || []).join("");
  const keys = households.map((h) => {
    const room = norm(h.room);
    const no = buildingNo(h.building);
    // The room as the other pages show it ("1-101": stairwell and door) is one more form of the same kind.
    return { h, code: norm(h.code), room, forms: new Set([room, `${no}-${room}`, `${norm(h.building)} ${room}`]) };
  });
  function matchHousehold(value) {
    const v = norm(value);
    if (!v) return { ok: true, code: null, choices: [] };
    const hits = keys.filter((k) => k.code === v || k.code.endsWith("-" + v) || k.forms.has(v)).map((k) => k.h);
    // A full code is one household even if it also ends another's code.
    const exact = hits.filter((h) => norm(h.code) === v);
    const choices = exact.length === 1 ? exact : hits;
    return { ok: choices.length === 1, code: choices.length === 1 ? choices[0].code : null, choices };
  }

  let shownRefused = "";
  function renderRefused(refused) {
    note("#rejected-box", refused.length);
    const list = note("#rejected-list", refused.length);
    const tpl = document.getElementById("refused-card");
    // Rebuilt only when the refused records change, so a form being filled in is left alone.
    const key = refused.map((i) => `${i.id}:${i.refusal && i.refusal.at}`).join(",");
    if (!list || key === shownRefused) return;
    shownRefused = key;
    list.replaceChildren(...refused.map((item) => {
      const r = item.data;
      const reason = reasonText(item.refusal && item.refusal.message) || root.dataset.noReason || "";
      if (!tpl) { // a page cached before the form existed: the reason at least
        const li = document.createElement("li");
        li.textContent = `${r.observed_at ? new Date(r.observed_at).toLocaleString() : ""} · ${householdLabel(r.household)} · ${r.outcome} — ${reason}`;
        return li;
      }
      const li = tpl.content.firstElementChild.cloneNode(true);
      li.dataset.id = item.id;
      const set = (f, v) => { const el = li.querySelector(`[data-f="${f}"]`); if (el) el.textContent = v; };
      set("time", r.observed_at ? new Date(r.observed_at).toLocaleString() : "—");
      set("household", householdLabel(r.household));
      set("category", categoryLabel(r.category));
      set("outcome", outcomeText(r.outcome, r.mixed_with));
      set("reason", reason);
      const form = li.querySelector("form");
      form.elements.time.value = r.observed_at ? toLocalInput(r.observed_at) : "";
      form.elements.household.value = r.household || "";
      form.elements.category.replaceChildren(...[...$("#category").options].map((o) => o.cloneNode(true)));
      form.elements.category.value = r.category;
      form.elements.outcome.replaceChildren(...[...root.querySelectorAll("button[data-outcome]")].map((b) => new Option(b.textContent.trim(), b.dataset.outcome)));
      form.elements.outcome.value = r.outcome;
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const h = matchHousehold(form.elements.household.value);
        form.elements.household.setCustomValidity(h.ok ? "" : h.choices.length > 1 ? root.dataset.several : root.dataset.unknown);
        const when = new Date(form.elements.time.value);
        if (!h.ok || Number.isNaN(when.getTime())) { form.reportValidity(); return; }
        const outcome = form.elements.outcome.value;
        box.resend(item.id, Object.assign({}, r, {
          household: h.code,
          observed_at: when.toISOString(),
          category: form.elements.category.value,
          outcome,
          mixed_with: outcome === "mixed" ? r.mixed_with || [] : [],
        }));
      });
      li.querySelector("[data-act=discard]").addEventListener("click", () => {
        if (window.confirm(root.dataset.discardConfirm)) box.discard(item.id);
      });
      return li;
    }));
  }

  // --- the page's controls ----------------------------------------------------------------------------------

  function currentHousehold() {
    return matchHousehold($("#household").value);
  }

  // Several households match what was typed: one button each (building + room); a tap puts its code in the
  // field, and the next outcome tap records for it.
  let shownChoices = "";
  function renderChoices(choices) {
    const box_ = note("#household-choices", choices.length > 1);
    const key = choices.map((c) => c.code).join(",");
    if (!box_ || key === shownChoices) return;
    shownChoices = key;
    $("#household-choices-list").replaceChildren(...choices.map((c) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "choice";
      b.dataset.code = c.code;
      b.textContent = placeLabel(c);
      b.addEventListener("click", () => {
        $("#household").value = c.code;
        $("#household").setCustomValidity("");
        render();
        $("#household").focus();
      });
      return b;
    }));
  }

  // "Recorded here": the last records made on this page (kept for the tab's session, per point), so a
  // volunteer can check them after the line with the Undo has gone. A record's state is read from the
  // outbox: still waiting, refused, or gone from it (the server has it).
  const MADE_KEY = `wastegrid-recorded-${point}`;
  const MADE_MAX = 10;
  let made = [];
  try { made = JSON.parse(sessionStorage.getItem(MADE_KEY) || "[]"); } catch (e) { made = []; }
  const saveMade = () => { try { sessionStorage.setItem(MADE_KEY, JSON.stringify(made)); } catch (e) { /* private mode */ } };
  function remember(item, h) {
    const r = item.data;
    made.unshift({ id: item.id, at: r.observed_at, place: h ? placeLabel(h) : "", category: r.category, outcome: r.outcome, mixed_with: r.mixed_with || [] });
    made = made.slice(0, MADE_MAX);
    saveMade();
  }
  function forget(id) {
    made = made.filter((m) => m.id !== id);
    saveMade();
    render();
  }
  function renderMade() {
    const list = note("#made-list", made.length);
    note("#made-box", made.length);
    if (!list) return;
    list.replaceChildren(...made.map((m) => {
      const li = document.createElement("li");
      const item = box.items && box.items.get(m.id);
      const state = !item ? root.dataset.stateSent : item.state === "refused" ? root.dataset.stateRefused : item.state === "sent" ? root.dataset.stateSent : root.dataset.stateWaiting;
      const time = new Date(m.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      li.textContent = `${time} · ${m.place || root.dataset.anonymous} · ${categoryLabel(m.category)} · ${outcomeText(m.outcome, m.mixed_with)} · ${state}`;
      li.dataset.id = m.id;
      return li;
    }));
  }

  // 混投 opens its panel and holds the page until 保存 or 取消: the other outcomes, the household and the bin
  // wait, so the mixed record is never dropped by a next tap nor saved under another household.
  function holdForMixed(on) {
    mixedPending = on;
    const panel = $("#mixed-panel");
    panel.hidden = !on;
    root.classList.toggle("mixed-pending", on);
    root.querySelectorAll(".outcomes button, #household, #category, #anonymous, #photo").forEach((el) => (el.disabled = on));
    const mixed = $(".outcomes button[data-outcome=mixed]");
    if (mixed) mixed.setAttribute("aria-pressed", on ? "true" : "false");
    if (!on) root.querySelectorAll("#mixed-panel input:checked").forEach((i) => (i.checked = false));
    else panel.scrollIntoView({ block: "nearest" });
    // A bin is not "mixed with" its own category: that box is not offered.
    const own = $("#category").value;
    root.querySelectorAll("#mixed-panel input[type=checkbox]").forEach((i) => {
      const label = i.closest("label");
      if (label) label.style.display = on && i.value === own ? "none" : ""; // label.check is display:flex
      if (i.value === own) i.checked = false;
    });
    placeRecent(); // the panel came or went: the lines find a free band again
  }
  window.addEventListener("beforeunload", (ev) => { if (mixedPending) ev.preventDefault(); });

  // Photos are shrunk on the phone (canvas → JPEG, ≤1280 px) and wait as Blobs in the outbox until their
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
        canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("no image"))), "image/jpeg", 0.8);
      };
      img.onerror = reject;
      img.src = URL.createObjectURL(file);
    });
  }

  root.addEventListener("click", (ev) => {
    const btn = ev.target.closest(".outcomes button[data-outcome]");
    if (!btn) return;
    ev.preventDefault();
    if (btn.dataset.outcome === "mixed") {
      if (currentHousehold().ok) holdForMixed(true);
      else record("mixed"); // refused with the reason, as any other tap
      return;
    }
    record(btn.dataset.outcome);
  });
  $("#mixed-done").addEventListener("click", async (ev) => {
    ev.preventDefault();
    const picked = [...root.querySelectorAll("#mixed-panel input:checked")].map((i) => i.value);
    holdForMixed(false);
    await record("mixed", picked);
  });
  const cancel = $("#mixed-cancel");
  if (cancel) cancel.addEventListener("click", (ev) => { ev.preventDefault(); holdForMixed(false); });
  const typed = (ev) => {
    const h = currentHousehold();
    ev.target.setCustomValidity(h.ok ? "" : h.choices.length > 1 ? root.dataset.several : root.dataset.unknown);
    render();
  };
  $("#household").addEventListener("input", typed);
  $("#household").addEventListener("change", typed);
  $("#anonymous").addEventListener("click", (ev) => {
    ev.preventDefault();
    $("#household").value = "";
    $("#household").setCustomValidity("");
    render();
  });
  $("#photo").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    pendingPhoto = file ? await shrink(file) : null;
    root.dataset.photoReady = pendingPhoto ? "1" : "";
  });
  const preset = new URLSearchParams(location.search).get("h");
  if (preset) $("#household").value = preset;
  render();

  if ("serviceWorker" in navigator && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope });
  }
})();
