/*
 * Confetti live pages: keeps every [data-live-region] of the page current, and is the one
 * client every page script goes through (window.confettiLive: refresh, post, csrfToken).
 *
 * Protocol: see realtime/consumers.py. The page embeds the version it was
 * rendered at (#live-page[data-live-version]); the socket says hello with it
 * and the server brings the page up to date, then pushes region HTML.
 *
 * Why not the htmx ws extension: it reconnects only after closes 1006/1011/
 * 1012/1013 (not after a clean server restart, 1000/1001), cannot tell a
 * deliberate 4xxx refusal from an outage, and swaps raw HTML with no version,
 * so gaps could not be detected. The socket handling here is small; region
 * HTML (push, resync, polling, refresh) is swapped by htmx itself
 * (`htmx.swap`) with idiomorph's morph extension, and htmx 2 (django-htmx)
 * serves the hx-* actions inside regions.
 *
 * Focus, selection and typed input survive because a swap morphs the region in place
 * instead of replacing it: an element keeps its identity (and so focus, an open
 * <details>, scroll position) when the new HTML has it under the same id or shape.
 * A region updates while it keeps focus. Form state the user changed (a typed value, a
 * ticked box, a chosen option: anything that differs from what the server rendered) is
 * the user's until they submit it, and so is an open <details>/<dialog>: the morph leaves
 * them alone (see keepUserState).
 *
 * After a region swaps, `live:updated` is dispatched on it (bubbles; detail:
 * {id, version}) so page scripts can re-apply client-side state (a selection).
 */
(function () {
  "use strict";
  // Words in the page's language when Django's JavaScript catalog is loaded (guest pages:
  // base.html); English as written otherwise (the admin).
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, args) {
    var i = 0;
    return text.replace(/%s/g, function () { return String(args[i++]); });
  };

  // --- the API every page script uses (also when the socket cannot run) ----------------

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  /*
   * POST a form or FormData to `url` the way the page's own actions do: CSRF header, asking
   * for JSON. Resolves (never rejects) to {ok, status, message, body}; `message` is the
   * server's words, or ours when the server could not be reached.
   */
  function post(url, data) {
    var body = data instanceof HTMLFormElement ? new FormData(data) : data;
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Confetti-Action": "1", Accept: "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (answer) {
        answer = answer || {};
        var ok = response.ok && answer.ok !== false && !answer.error;
        var message = answer.message || answer.error ||
          (response.ok ? "" : interpolate(gettext("Something went wrong (%s); nothing was changed."), [response.status]));
        return { ok: ok, status: response.status, message: message, body: answer };
      });
    }, function () {
      return { ok: false, status: 0, message: gettext("The server could not be reached; nothing was changed."), body: {} };
    });
  }

  var live = window.confettiLive = { csrfToken: csrfToken, post: post, refresh: function () { return Promise.resolve(); } };

  // Every htmx request (hx-post inside regions, forms) carries the page's one CSRF token.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) event.detail.headers["X-CSRFToken"] = token;
  });
  // A refused or failed htmx action says why, in the page's message area ([data-live-message]):
  // htmx swaps nothing on 4xx/5xx, so the region keeps showing the server's truth.
  function say(message) {
    var box = document.querySelector("[data-live-message]");
    if (box) box.textContent = message; else window.alert(message);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var text = event.detail.xhr.responseText || "", answer = null;
    try { answer = JSON.parse(text); } catch (e) { /* plain text or HTML */ }
    say((answer && (answer.error || answer.message)) ||
        interpolate(gettext("That did not work (%s); nothing was changed."), [event.detail.xhr.status]));
  });
  document.addEventListener("htmx:sendError", function () {
    say(gettext("The server could not be reached; nothing was changed."));
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.querySelector("[data-live-message]");
    if (box) box.textContent = ""; // an old refusal does not describe the new attempt
  });

  // A form the user just sent is no longer "being typed": let its answer reset its fields.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    form = form && (form.tagName === "FORM" ? form : form.closest("form"));
    if (form) adoptUserState(form);
  });

  if (window.Idiomorph) window.Idiomorph.defaults.callbacks.beforeAttributeUpdated = keepUserState;
  // Morphing applies page-wide (live swaps and hx-* actions alike). Django's admin owns the
  // admin pages' <body> tag, so the extension is switched on here rather than in a template.
  if (document.body && !document.body.hasAttribute("hx-ext")) document.body.setAttribute("hx-ext", "morph");

  var page = document.getElementById("live-page");
  if (!page || !window.WebSocket) return;

  var POLL_MS = 10000; // one shared interval for every region while the socket is down
  var PING_MS = 25000;
  var RESYNC_GAP_MS = 300; // resync requests coalesce like the server's debounce

  var version = parseInt(page.dataset.liveVersion || "0", 10) || 0;
  var statusEl = document.getElementById("live-status");
  var labels = {
    connecting: gettext("Connecting…"), live: gettext("Live"), reconnecting: gettext("Reconnecting…"),
    offline: gettext("Offline — showing saved data"), degraded: gettext("Live updates delayed"),
    closed: gettext("Live updates off")
  };

  var socket = null, attempts = 0, retryTimer = null, pollTimer = null, pingTimer = null;
  var state = "connecting", stopped = false, lastResync = 0, helloKey = "";

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

  // A form control whose state the user changed since the server rendered it.
  function isDirty(field) {
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "OPTION") return field.selected !== field.defaultSelected;
    if (field.tagName === "SELECT") return Array.prototype.some.call(field.options, isDirty);
    if (field.type === "file" || field.type === "hidden" || field.type === "submit") return false;
    if (field.tagName === "INPUT" || field.tagName === "TEXTAREA") return field.value !== field.defaultValue;
    return false;
  }

  var USER_STATE = { value: true, checked: true, selected: true };

  // Idiomorph hook: never overwrite what the user typed, ticked or chose (and has not sent yet),
  // nor close a menu or disclosure they opened (or open one they closed).
  function keepUserState(attribute, element) {
    if (attribute === "open" && (element.tagName === "DETAILS" || element.tagName === "DIALOG")) return false;
    // An option's selectedness belongs to its <select>: choosing one deselects the others.
    var field = element.tagName === "OPTION" ? element.closest("select") || element : element;
    if (USER_STATE[attribute] && isDirty(field)) return false;
    return undefined;
  }

  function adoptUserState(form) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.type === "checkbox" || field.type === "radio") field.defaultChecked = field.checked;
      else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (o) { o.defaultSelected = o.selected; });
      } else if ("defaultValue" in field && field.type !== "file") field.defaultValue = field.value;
    });
  }

  function swap(id, html, v) {
    var old = document.getElementById(id);
    if (!old || !window.htmx) return;
    var focused = document.activeElement;
    // Without idiomorph (npm ci not run) the region is replaced whole: still correct, less kind.
    var style = window.Idiomorph ? "morph:outerHTML" : "outerHTML";
    window.htmx.swap(old, html.trim(), { swapStyle: style, swapDelay: 0, settleDelay: 0 },
                     { contextElement: page });
    // Idiomorph keeps the focused element in place; should a browser without moveBefore()
    // drop focus while an element moves between lists, put it back without scrolling.
    if (focused && focused !== document.body && document.activeElement !== focused && focused.isConnected &&
        (!document.activeElement || document.activeElement === document.body)) {
      focused.focus({ preventScroll: true });
    }
    var fresh = document.getElementById(id);
    if (fresh) fresh.dispatchEvent(new CustomEvent("live:updated", { bubbles: true, detail: { id: id, version: v } }));
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

  // --- refresh on demand (after a page script's own post) ---------------------------------

  /*
   * Re-fetch every region of the page now and swap it in, so the acting window shows the
   * result before the socket's push (which brings the same HTML a moment later). A render
   * older than what the socket already delivered is dropped. Resolves when all are swapped.
   */
  function refresh() {
    return Promise.all(Array.prototype.map.call(
      document.querySelectorAll("[data-live-region][data-live-url]"),
      function (el) {
        var id = el.id;
        return fetch(el.dataset.liveUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) return;
            var rendered = parseInt(response.headers.get("X-Live-Version") || "0", 10);
            return response.text().then(function (html) {
              if (rendered >= version) swap(id, html, rendered);
            });
          })
          .catch(function () { /* offline: polling or the next resync catches up */ });
      }
    ));
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
  // A swap by htmx may add or remove regions: tell the server what the page shows now.
  document.addEventListener("htmx:afterSettle", function () {
    if (JSON.stringify(regionsOnPage()) !== helloKey) hello();
  });

  live.refresh = refresh;
  live.resync = resync;
  Object.defineProperty(live, "version", { get: function () { return version; } });
  Object.defineProperty(live, "state", { get: function () { return state; } });

  connect();
})();
