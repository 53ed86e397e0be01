/*
 * Confetti live pages: keeps every [data-live-region] of the page current.
 *
 * Protocol: see realtime/consumers.py. The page embeds the version it was
 * rendered at (#live-page[data-live-version]); the socket says hello with it
 * and the server brings the page up to date, then pushes region HTML.
 *
 * Why not the htmx ws extension: it reconnects only after closes 1006/1011/
 * 1012/1013 (not after a clean server restart, 1000/1001), cannot tell a
 * deliberate 4xxx refusal from an outage, and swaps raw HTML with no version,
 * so gaps could not be detected. The socket handling here is small; region
 * HTML is still swapped and htmx-processed like an out-of-band swap, and
 * htmx 2 (django-htmx) serves the forms inside regions.
 *
 * Focus and typed input survive: a region that holds the focused element is
 * not replaced until focus leaves it (it is marked .live-pending meanwhile);
 * values the user typed into a region (inputs whose value differs from their
 * default) are carried over into the new HTML by id or name.
 *
 * After a region swaps, `live:updated` is dispatched on the new element
 * (bubbles; detail: {id, version}) so page scripts can re-bind.
 */
(function () {
  "use strict";

  var page = document.getElementById("live-page");
  if (!page || !window.WebSocket) return;

  var POLL_MS = 10000; // one shared interval for every region while the socket is down
  var PING_MS = 25000;
  var RESYNC_GAP_MS = 300; // resync requests coalesce like the server's debounce

  var csrf = page.dataset.csrfToken;
  var version = parseInt(page.dataset.liveVersion || "0", 10) || 0;
  var statusEl = document.getElementById("live-status");
  var labels = {
    connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…",
    offline: "Offline — showing saved data", degraded: "Live updates delayed",
    closed: "Live updates off"
  };

  var socket = null, attempts = 0, retryTimer = null, pollTimer = null, pingTimer = null;
  var state = "connecting", stopped = false, lastResync = 0, helloKey = "";
  var pending = {}; // region id -> {html, version} waiting for focus to leave

  function setState(next) {
    state = next;
    if (statusEl) {
      statusEl.dataset.state = next;
      statusEl.querySelector(".live-status__label").textContent = labels[next] || next;
    }
    document.dispatchEvent(new CustomEvent("live:state", { detail: { state: next } }));
    if (next === "live") stopPolling(); else if (next !== "closed") startPolling();
  }

  // --- regions -------------------------------------------------------------------

  function regionsOnPage() {
    var out = [];
    document.querySelectorAll("[data-live-region]").forEach(function (el) {
      var params = {};
      new URLSearchParams(el.dataset.liveParams || "").forEach(function (v, k) { params[k] = v; });
      out.push({ name: el.dataset.liveRegion, params: params });
    });
    return out;
  }

  function isDirty(field) {
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    if (field.type === "file" || field.type === "hidden" || field.type === "submit") return false;
    return field.value !== field.defaultValue;
  }

  function fieldKey(field) {
    return field.id ? "#" + field.id : (field.name ? "@" + field.name + "=" + (field.type === "radio" ? field.value : "") : "");
  }

  function carryTypedValues(oldEl, newEl) {
    oldEl.querySelectorAll("input, textarea, select").forEach(function (field) {
      if (!isDirty(field)) return;
      var key = fieldKey(field);
      if (!key) return;
      var match = Array.prototype.find.call(newEl.querySelectorAll("input, textarea, select"), function (f) {
        return fieldKey(f) === key;
      });
      if (!match) return;
      if (field.type === "checkbox" || field.type === "radio") match.checked = field.checked;
      else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (o, i) { if (match.options[i]) match.options[i].selected = o.selected; });
      } else match.value = field.value;
    });
  }

  function swap(id, html, v) {
    var old = document.getElementById(id);
    if (!old) return;
    if (old.contains(document.activeElement) && document.activeElement !== document.body) {
      pending[id] = { html: html, version: v };
      old.classList.add("live-pending");
      if (!old.dataset.liveDeferred) {
        old.dataset.liveDeferred = "1";
        old.addEventListener("focusout", function onLeave(event) {
          if (event.relatedTarget && old.contains(event.relatedTarget)) return;
          old.removeEventListener("focusout", onLeave);
          // Let the click that moved focus finish (a submit button) before swapping.
          setTimeout(function () {
            var next = pending[id];
            delete pending[id];
            if (next && document.getElementById(id) === old) swap(id, next.html, next.version);
          }, 0);
        });
      }
      return;
    }
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var fresh = template.content.firstElementChild;
    if (!fresh) return;
    carryTypedValues(old, fresh);
    old.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    fresh.dispatchEvent(new CustomEvent("live:updated", { bubbles: true, detail: { id: id, version: v } }));
  }

  // --- the socket ------------------------------------------------------------------

  function send(data) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(data));
  }

  function hello() {
    var regions = regionsOnPage();
    helloKey = JSON.stringify(regions);
    send({ t: "hello", v: version, regions: regions });
  }

  function resync() {
    var now = Date.now();
    if (now - lastResync < RESYNC_GAP_MS) return;
    lastResync = now;
    send({ t: "resync" });
  }

  function connect() {
    if (stopped) return;
    clearTimeout(retryTimer);
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + page.dataset.liveSocket;
    try {
      socket = new WebSocket(url);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket.onopen = function () { hello(); };
    socket.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      if (msg.t === "welcome") {
        attempts = 0;
        version = Math.max(version, msg.v);
        setState(msg.state === "degraded" ? "degraded" : "live");
      } else if (msg.t === "update") {
        var gap = msg.since !== version && !msg.resync;
        (msg.regions || []).forEach(function (r) { swap(r.id, r.html, msg.v); });
        version = Math.max(version, msg.v);
        if (gap) resync(); // a frame we never saw: ask for everything at the current version
      } else if (msg.t === "retry") {
        serverRetryMs = msg.ms; // the server is full: the 4429 close follows (reconnect ladder below)
      } else if (msg.t === "state") {
        setState(msg.state === "degraded" ? "degraded" : "live");
      }
    };
    socket.onclose = function (event) {
      socket = null;
      clearInterval(pingTimer);
      if (event.code === RETRY_AFTER_CODE) { scheduleReconnect(retryAfterMs(event)); return; }
      if (event.code >= 4000 && event.code < 5000) {
        stopped = true; // deliberately refused (not allowed, logged out): do not retry
        setState("closed");
        return;
      }
      scheduleReconnect();
    };
    clearInterval(pingTimer);
    pingTimer = setInterval(function () { send({ t: "ping" }); }, PING_MS);
  }

  // --- reconnect ladder (issue 14) --------------------------------------------------
  // bench/storm.py reads these three numbers from this file: keep them one per line as
  // `var LADDER_… = <number>;` so the benchmark and the browser cannot drift apart.
  //
  // Full jitter: attempt n waits uniformly in [0, min(CAP, FIRST * FACTOR^(n-1))].
  // * CAP 1500 ms: however long the server was down, a page tries again at least every
  //   1.5 s, so a page is back within 2 s of the server answering (1.5 s + handshake
  //   and catch-up; on average 0.75 s). Attempts while the server is down are refused
  //   by the kernel and cost the server nothing.
  // * Full jitter (not "half + random half"): after a few attempts a herd is spread
  //   uniformly over the whole CAP window instead of arriving in waves: 2,000 pages
  //   come back at ≈1,300/s over 1.5 s, and whatever the process cannot take at once
  //   it answers with 4429 and a delay (realtime/admission.py) that spreads the rest
  //   over the following seconds at the rate it serves handshakes.
  // * FIRST 250 ms, FACTOR 2: a blip (one dropped socket) is repaired in ≈125 ms on
  //   average; the cap is reached at the 4th attempt (≈1 s after the drop).
  // The server's retry-after replaces the ladder when given (plus up to 10 % jitter,
  // so clients handed the same slot do not arrive in the same millisecond), and does
  // not climb the ladder: it is a booking, not a failure.
  var LADDER_FIRST_MS = 250;
  var LADDER_FACTOR = 2;
  var LADDER_CAP_MS = 1500;
  var RETRY_AFTER_CODE = 4429;
  var RETRY_AFTER_MAX_MS = 60000;
  var serverRetryMs = null;

  function retryAfterMs(event) {
    var ms = serverRetryMs;
    serverRetryMs = null;
    var match = /^retry-after=(\d+)$/.exec(event.reason || ""); // servers that pass the reason on
    if (match) ms = parseInt(match[1], 10);
    return typeof ms === "number" && ms >= 0 ? Math.min(ms, RETRY_AFTER_MAX_MS) : null;
  }

  function scheduleReconnect(serverDelayMs) {
    if (stopped) return;
    var delay;
    if (typeof serverDelayMs === "number") {
      delay = serverDelayMs + Math.random() * serverDelayMs / 10;
    } else {
      attempts += 1;
      delay = Math.random() * Math.min(LADDER_CAP_MS, LADDER_FIRST_MS * Math.pow(LADDER_FACTOR, attempts - 1));
    }
    setState(navigator.onLine === false ? "offline" : "reconnecting");
    retryTimer = setTimeout(connect, delay);
  }
  // --- end of reconnect ladder ------------------------------------------------------

  function reconnectNow() {
    if (stopped || socket) return;
    attempts = 0;
    connect();
  }

  // --- polling fallback (socket down or server degraded) -------------------------------

  function pollOnce() {
    var fetches = Array.prototype.map.call(
      document.querySelectorAll("[data-live-region][data-live-url]"),
      function (el) {
        var id = el.id;
        return fetch(el.dataset.liveUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) return null;
            var v = parseInt(response.headers.get("X-Live-Version") || "0", 10);
            return response.text().then(function (html) {
              if (state === "live") return null; // the socket is back and owns the page again
              swap(id, html, v);
              return v;
            });
          })
          .catch(function () { return null; }); // offline: next round
      }
    );
    // The page is as fresh as its stalest region: only a full round moves the version on.
    Promise.all(fetches).then(function (versions) {
      if (!versions.length || versions.some(function (v) { return v === null; })) return;
      version = Math.max(version, Math.min.apply(null, versions));
    });
  }

  function startPolling() {
    if (pollTimer) return;
    pollTimer = setInterval(pollOnce, POLL_MS);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  // --- page events -----------------------------------------------------------------

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") return;
    if (socket && socket.readyState === WebSocket.OPEN) resync(); else reconnectNow();
  });
  window.addEventListener("online", reconnectNow);
  window.addEventListener("offline", function () { if (!socket) setState("offline"); });
  document.addEventListener("htmx:configRequest", function (event) {
    if (csrf) event.detail.headers["X-CSRFToken"] = csrf;
  });
  // A swap by htmx may add or remove regions: tell the server what the page shows now.
  document.addEventListener("htmx:afterSettle", function () {
    if (JSON.stringify(regionsOnPage()) !== helloKey) hello();
  });

  window.confettiLive = {
    get version() { return version; },
    get state() { return state; },
    resync: resync
  };

  connect();
})();
