// Camera scanning of a household's QR code for every input marked data-scan="household" (the recorder, the
// points counter, a new case, "my households"): a "Scan" button beside the input opens the back camera; the
// code it reads fills the input and fires `input` and `change`, as if it had been typed. Typing always works:
// no camera, a refused permission or an unreadable QR only show a message next to the field.
//
// Decoding: the browser's own BarcodeDetector where it reads QR codes (Android Chrome, Safari 17+), else
// ZXing (@zxing/browser, served by the app; loaded only when needed). No inline script or style element is
// used (the Content-Security-Policy allows neither); the camera's stream is given to the <video> as srcObject,
// which no CSP directive governs.
//
// What a QR may hold (grid/scan.py reads the same three on the server): a bare household code; an old sheet's
// URL ".../guide/?h=<code>" (both read here, offline too); a new sheet's secret URL ".../h/<token>/", which
// only the server can map to a household (GET data-resolve?q=<text> → {"code"}), within the user's scope.
(function () {
  "use strict";
  const script = document.currentScript;
  const cfg = script.dataset;
  const CODE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;
  const TOKEN_PATH_RE = /^\/h\/[A-Za-z0-9_-]{8,128}\/?$/;
  let zxing = null; // the promise of the ZXing script, loaded once

  function loadZxing() {
    if (!zxing) {
      zxing = new Promise((resolve, reject) => {
        const tag = document.createElement("script");
        tag.src = cfg.zxing;
        tag.onload = () => (window.ZXingBrowser ? resolve(window.ZXingBrowser) : reject(new Error("zxing")));
        tag.onerror = () => {
          zxing = null; // offline before it was ever cached: try again next time
          reject(new Error("zxing"));
        };
        document.head.append(tag);
      });
    }
    return zxing;
  }

  async function nativeDetector() {
    if (!("BarcodeDetector" in window)) return null;
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      return formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    } catch (e) {
      return null;
    }
  }

  // The household code a scanned text names: {code}, {resolve: text} (ask the server) or {} (not ours).
  function readLocally(text) {
    text = (text || "").trim();
    if (CODE_RE.test(text)) return { code: text };
    let url;
    try {
      url = new URL(text, location.origin);
    } catch (e) {
      return {};
    }
    if (!/^(https?:\/\/|\/)/.test(text)) return {};
    const codes = url.searchParams.getAll("h");
    if (codes.length === 1 && CODE_RE.test(codes[0])) return { code: codes[0] };
    if (TOKEN_PATH_RE.test(url.pathname)) return { resolve: text };
    return {};
  }

  async function toCode(text) {
    const local = readLocally(text);
    if (local.code) return local.code;
    if (!local.resolve) throw new Error(cfg.msgNotHousehold);
    let resp;
    try {
      resp = await fetch(cfg.resolve + "?q=" + encodeURIComponent(local.resolve), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (e) {
      throw new Error(cfg.msgOffline);
    }
    let body = {};
    try {
      body = await resp.json();
    } catch (e) {
      /* an HTML answer (a proxy's page): the generic message below */
    }
    if (resp.ok && body.code) return body.code;
    throw new Error(body.error || cfg.msgUnknown);
  }

  function fill(input, code) {
    input.value = code;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // One scanning session: a full-screen panel with the camera's picture, a line of status and "Cancel".
  function Session(input, note) {
    const panel = document.createElement("div");
    panel.className = "scan-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", cfg.label);
    const video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.muted = true;
    const status = document.createElement("p");
    status.className = "scan-status";
    status.setAttribute("role", "status");
    status.textContent = cfg.msgStarting;
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = cfg.cancel;
    panel.append(video, status, cancel);
    document.body.append(panel);

    let stream = null;
    let controls = null; // ZXing's scanner controls
    let timer = null; // BarcodeDetector's next look
    let done = false;

    function close() {
      done = true;
      clearTimeout(timer);
      if (controls) controls.stop();
      if (stream) stream.getTracks().forEach((t) => t.stop());
      panel.remove();
      document.removeEventListener("keydown", onKey);
      input.focus();
    }
    function onKey(e) {
      if (e.key === "Escape") close();
    }
    function fail(message) {
      close();
      note.textContent = message;
      note.className = "scan-note error";
    }
    async function found(text) {
      if (done) return;
      done = true; // one reading per session, even if frames keep arriving
      clearTimeout(timer);
      if (controls) controls.stop();
      status.textContent = cfg.msgReading;
      try {
        const code = await toCode(text);
        close();
        fill(input, code);
        note.textContent = cfg.msgScanned + " " + code;
        note.className = "scan-note ok";
        // A find-by-code form (the points counter, "my households") goes straight to the household.
        if (input.hasAttribute("data-scan-submit") && input.form) input.form.requestSubmit();
      } catch (e) {
        fail(e.message);
      }
    }
    cancel.addEventListener("click", close);
    document.addEventListener("keydown", onKey);

    (async function start() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        return fail(cfg.msgNoCamera); // plain http outside localhost has no camera API at all
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: { ideal: "environment" } },
          audio: false,
        });
      } catch (e) {
        return fail(e && e.name === "NotAllowedError" ? cfg.msgDenied : cfg.msgNoCamera);
      }
      if (done) return stream.getTracks().forEach((t) => t.stop()); // cancelled while asking
      status.textContent = cfg.msgAim;
      const detector = await nativeDetector();
      if (detector) {
        video.srcObject = stream;
        await video.play().catch(() => {});
        const look = async () => {
          if (done) return;
          try {
            const codes = await detector.detect(video);
            if (codes.length) return found(codes[0].rawValue);
          } catch (e) {
            /* a frame not ready yet: look again */
          }
          timer = setTimeout(look, 150);
        };
        return look();
      }
      try {
        const ZX = await loadZxing();
        if (done) return;
        const reader = new ZX.BrowserQRCodeReader(undefined, { delayBetweenScanAttempts: 150 });
        controls = await reader.decodeFromStream(stream, video, (result) => {
          if (result) found(result.getText());
        });
        if (done) controls.stop();
      } catch (e) {
        fail(cfg.msgNoDecoder);
      }
    })();
  }

  function attach(input) {
    if (input.dataset.scanReady) return;
    input.dataset.scanReady = "1";
    const row = document.createElement("span");
    row.className = "scan-field";
    input.replaceWith(row);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "scan-button";
    button.textContent = cfg.label;
    row.append(input, button);
    const note = document.createElement("small");
    note.className = "scan-note";
    note.setAttribute("role", "status");
    row.after(note);
    button.addEventListener("click", (e) => {
      e.preventDefault(); // inside a <label> or a <form>: neither focus jumps nor a submit
      note.textContent = "";
      Session(input, note);
    });
  }

  function attachAll(root) {
    root.querySelectorAll('input[data-scan="household"]').forEach(attach);
  }
  attachAll(document);
  document.addEventListener("htmx:load", (e) => attachAll(e.target)); // fields swapped in later
})();
