// The little JS Coursewire owns: CSRF header, the live connection's reconnects and status,
// highlight of live changes, list trimming. Everything else is htmx.
// Strings in the page's language: base.html embeds the catalogue (core/i18n.py js_catalogue,
// built from the PO files' entries that name a .js file) as <script id="cw-i18n">.
// cwT("Hello %(name)s", {name: x}) and cwN("%(num)d day", "%(num)d days", n) work like
// gettext/ngettext in Python; a string missing from the catalogue shows in English.
(function () {
  "use strict";
  var catalogue = null;
  function strings() {
    if (catalogue === null) {
      var el = document.getElementById("cw-i18n");
      try { catalogue = el ? JSON.parse(el.textContent) : {}; } catch (e) { catalogue = {}; }
    }
    return catalogue;
  }
  function fill(text, vars) {
    return text.replace(/%\((\w+)\)[sd]/g, function (whole, name) {
      return vars && Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole;
    });
  }
  window.cwT = function (message, vars) {
    var found = strings()[message];
    return fill(typeof found === "string" ? found : message, vars);
  };
  window.cwN = function (singular, plural, n, vars) {
    var found = strings()[singular], all = Object.assign({num: n}, vars || {});
    // English, Finnish and Spanish: two forms, "n != 1"
    if (Array.isArray(found)) return fill(found[n === 1 ? 0 : Math.min(1, found.length - 1)], all);
    return fill(n === 1 ? singular : plural, all);
  };
  window.cwTimeNames = function () { return strings()["$time"] || null; };

  // The footer's language switcher takes effect on choosing (its button is for no-JS).
  document.addEventListener("change", function (evt) {
    if (evt.target && evt.target.id === "f-footer-language") evt.target.form.requestSubmit();
  });
})();

(function () {
  "use strict";
  document.addEventListener("htmx:config:request", function (evt) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && evt.detail && evt.detail.ctx) {
      evt.detail.ctx.request.headers["X-CSRF-Token"] = meta.content;
    }
  });

  // The live socket is htmx's hx-ws connection on #live; we own when it (re)connects.
  // hx-ws reconnects only on a fixed list of close codes (never 1000) with a fixed backoff,
  // and closes background tabs; so its reconnect and pause are off, and after every close
  // this file opens a new connection (the "cw-reconnect" trigger on #live) with capped
  // exponential backoff and full jitter. Only an authentication refusal stops it.
  var SIGNED_OUT = [4401, 4403];
  var FIRST_DELAY = 500, MAX_DELAY = 30000;
  // A socket that opens and is closed again within this long (a server accepting and then
  // refusing) does not reset the backoff, so a refusing server is not hammered.
  var STABLE_AFTER = 10000;
  // A connection can also die without a close (a network drop, a proxy or NAT forgetting it,
  // a laptop asleep): nothing more arrives and no close is ever reported. The server sends
  // every socket a heartbeat frame each data-heartbeat-seconds (on #live), so this many
  // intervals without any frame mean the socket is dead; never less than MIN_SILENCE, or with
  // a very short interval a busy server's late heartbeat would look like a dead socket.
  var SILENT_HEARTBEATS = 2.5, MIN_SILENCE = 10000;
  htmx.config.ws = Object.assign({}, htmx.config.ws, {reconnect: false, pauseOnBackground: false});

  // phase: "connecting" (first open) | "live" | "waiting" (timer set) | "trying" (a retry is
  // opening) | "signed-out" | "leaving" (the page is going away).
  var live = {phase: "connecting", attempt: 0, timer: null, tick: null, retryAt: 0,
              openedAt: 0, connection: null, lastFrame: 0, watchdog: null};

  function delayFor(attempt) {  // full jitter: uniform in [0, min(cap, base * 2^(n-1))]
    return Math.random() * Math.min(MAX_DELAY, FIRST_DELAY * Math.pow(2, attempt - 1));
  }

  function badge() { return document.getElementById("live-status"); }

  function show(state, text) {
    var el = badge();
    if (!el) return;
    el.dataset.state = state;
    el.textContent = text;
    return el;
  }

  function secondsLeft() {
    return cwT("in %(seconds)s s", {seconds: Math.max(1, Math.ceil((live.retryAt - Date.now()) / 1000))});
  }

  function countDown() {
    var when = document.querySelector("#live-status .live-countdown");
    if (when) when.textContent = secondsLeft();
  }

  function showWaiting() {
    var el = show("down", cwT("Disconnected — reconnecting") + " ");
    if (!el) return;
    var when = document.createElement("span");
    when.className = "live-countdown";
    when.setAttribute("aria-hidden", "true");  // announced once, not every second
    when.textContent = secondsLeft();
    var now = document.createElement("button");
    now.type = "button";
    now.className = "live-retry";
    now.textContent = cwT("Reconnect now");
    now.addEventListener("click", reconnectNow);
    el.append(when, " ", now);
  }

  function showSignedOut() {
    var el = show("signed-out", cwT("Signed out —") + " ");
    if (!el) return;
    var link = document.createElement("a");
    link.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    link.textContent = cwT("sign in");
    el.append(link, " " + cwT("to see live updates."));
  }

  function stopTimers() {
    clearTimeout(live.timer);
    clearInterval(live.tick);
    live.timer = live.tick = null;
  }

  function open() {
    var el = document.getElementById("live");
    if (!el) return;
    stopTimers();
    live.phase = "trying";
    show("down", cwT("Disconnected — reconnecting now…"));
    htmx.trigger(el, "cw-reconnect");
  }

  function scheduleReconnect() {
    stopTimers();
    live.attempt += 1;
    var delay = delayFor(live.attempt);
    live.phase = "waiting";
    live.retryAt = Date.now() + delay;
    live.timer = setTimeout(open, delay);
    live.tick = setInterval(countDown, 1000);
    showWaiting();
  }

  // After any end of a live connection: one that lasted resets the backoff.
  function connectionLost() {
    clearTimeout(live.watchdog);
    live.connection = null;
    if (live.phase === "live" && Date.now() - live.openedAt >= STABLE_AFTER) live.attempt = 0;
    scheduleReconnect();
  }

  function silenceLimit() {
    var el = document.getElementById("live");
    var seconds = el ? parseFloat(el.dataset.heartbeatSeconds) : NaN;
    return seconds > 0 ? Math.max(MIN_SILENCE, seconds * SILENT_HEARTBEATS * 1000) : 0;
  }

  // Checked when the limit would be reached and whenever the page may have been asleep:
  // timers do not run during a sleep, Date.now() does.
  function watchSilence() {
    clearTimeout(live.watchdog);
    var limit = silenceLimit();
    if (live.phase !== "live" || !limit) return;
    var left = live.lastFrame + limit - Date.now();
    if (left > 0) {
      live.watchdog = setTimeout(watchSilence, left);
      return;
    }
    // A dead socket reports its close only when the close handshake times out (a minute in
    // Chromium), and hx-ws builds no new connection while the old one is registered. So its
    // events are dropped (hx-ws listens with this AbortController's signal), it is closed
    // and unregistered, and the page reconnects as after any close.
    var connection = live.connection, el = document.getElementById("live");
    if (connection) {
      if (connection.abortController) connection.abortController.abort();
      try { if (connection.socket) connection.socket.close(1000, "no frames"); } catch (e) {}
      if (el && el._htmx && el._htmx.ws && el._htmx.ws.connection === connection) {
        delete el._htmx.ws.connection;
      }
    }
    connectionLost();
  }

  // Back online, or back to the tab: no point waiting out the backoff; and a socket that
  // stayed silent meanwhile is dead.
  function reconnectNow() {
    watchSilence();
    if (live.phase === "waiting") open();
  }
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) reconnectNow();
  });
  document.addEventListener("resume", reconnectNow);  // a frozen page runs again
  window.addEventListener("pagehide", function () {
    stopTimers();
    live.phase = "leaving";  // hx-ws closes the socket (1000): not a reason to come back
  });
  window.addEventListener("pageshow", function (evt) {
    if (evt.persisted && live.phase === "leaving") { live.attempt = 0; open(); }
  });

  // Every (re)connect tells the server how far this page's "load more" lists reach (the
  // lists marked data-paged, counting their items), so the resync that follows re-renders
  // all the loaded pages, not only the first (realtime/resync.py `loaded`).
  document.addEventListener("htmx:ws:before:connection", function (evt) {
    var connection = evt.detail && evt.detail.connection;
    if (!connection || !connection.url) return;
    var loaded = [];
    document.querySelectorAll("[data-paged][id]").forEach(function (list) {
      var count = list.querySelectorAll(":scope > " + list.dataset.paged).length;
      loaded.push(list.id + ":" + count);
    });
    var url = new URL(connection.url);
    if (loaded.length) url.searchParams.set("loaded", loaded.join(","));
    else url.searchParams.delete("loaded");
    connection.url = url.toString();
  });

  document.addEventListener("htmx:ws:after:connection", function (evt) {
    stopTimers();
    live.phase = "live";
    live.openedAt = live.lastFrame = Date.now();
    live.connection = evt.detail && evt.detail.connection;
    show("live", cwT("Live"));
    watchSilence();
  });
  document.addEventListener("htmx:ws:before:message:incoming", function () {
    live.lastFrame = Date.now();  // any frame, heartbeat or not: the socket is alive
  });
  document.addEventListener("htmx:ws:close", function (evt) {
    var detail = evt.detail || {};
    if (detail.reason === "removed" || live.phase === "leaving" || live.phase === "signed-out") {
      return;
    }
    if (SIGNED_OUT.indexOf(detail.code) >= 0) {
      stopTimers();
      clearTimeout(live.watchdog);
      live.phase = "signed-out";
      showSignedOut();
      return;
    }
    connectionLost();  // every other close: server restart, network, resync (4000), 1000
  });
  // A failed attempt also fires htmx:ws:close, which schedules the next one; only a socket
  // that could not even be created (a bad URL) leaves nothing to retry.
  document.addEventListener("htmx:ws:error", function (evt) {
    var connection = evt.detail && evt.detail.connection;
    if (live.phase === "trying" && connection && !connection.socket) {
      live.phase = "failed";
      show("down", cwT("Disconnected — reload the page to reconnect."));
    }
  });

  function trim(list) {
    var limit = parseInt(list.dataset.liveLimit, 10);
    if (!limit) return;
    while (list.children.length > limit) list.lastElementChild.remove();
  }

  // What each live element said when last seen, so a resync that re-sends unchanged
  // regions (on every connect) does not flash the whole page.
  var lastText = new Map();
  function textOf(el) { return el.textContent.replace(/\s+/g, " ").trim(); }
  function remember(root) {
    root.querySelectorAll("[aria-live][id], [aria-live] [id]").forEach(function (el) {
      lastText.set(el.id, textOf(el));
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { remember(document); });
  } else {
    remember(document);
  }
  function changed(el) {
    if (!el.id) return true;
    var text = textOf(el), before = lastText.get(el.id);
    lastText.set(el.id, text);
    return before !== text;
  }

  // A live change is visible: flash what a socket frame changed (not what this page just
  // loaded or the user's own request returned), then trim bounded lists.
  document.addEventListener("htmx:after:settle", function (evt) {
    var detail = evt.detail || {};
    var items = detail.newContent || [];
    var source = detail.task && detail.task.sourceElement;
    var fromSocket = !!(source && source.hasAttribute && source.hasAttribute("hx-ws:connect"));
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      if (!(el instanceof Element) || !el.closest("[aria-live]")) continue;
      if (el.id) remember(el);
      if (!changed(el) || !fromSocket) continue;
      el.classList.add("live-flash");
      setTimeout(function (e) { e.classList.remove("live-flash"); }, 2000, el);
    }
    var target = evt.target;
    if (target instanceof Element && target.matches("[data-live-limit]")) trim(target);
  });

  // The outline marks the unit this page shows (the outline is one rendering for every
  // page, so the page marks its own link, again after every swap of the outline).
  function markCurrentUnit() {
    document.querySelectorAll(".course-outline a").forEach(function (a) {
      if (a.pathname === location.pathname) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
  }
  // On a phone the course's sections scroll sideways: bring the current one into view.
  function showCurrentSection() {
    var current = document.querySelector('.course-nav a[aria-current="page"]');
    var list = current && current.closest("ul");
    if (list && list.scrollWidth > list.clientWidth) {
      list.scrollLeft = current.offsetLeft - (list.clientWidth - current.offsetWidth) / 2;
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markCurrentUnit);
    document.addEventListener("DOMContentLoaded", showCurrentSection);
  } else {
    markCurrentUnit();
    showCurrentSection();
  }
  document.addEventListener("htmx:after:settle", markCurrentUnit);
})();
