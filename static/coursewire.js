// The little JS Coursewire owns: CSRF header, live-connection status, highlight of live
// changes, list trimming. Everything else is htmx.
(function () {
  "use strict";
  var RESYNC = 4000, UNAUTHENTICATED = 4401;

  // Reconnect also when the server asks a slow socket to resync (close code 4000).
  htmx.config.ws = Object.assign({}, htmx.config.ws, {
    reconnectCodes: [1001, 1005, 1006, 1011, 1012, 1013, 1014, RESYNC],
    reconnectDelay: 500,
    reconnectMaxDelay: 15000,
  });

  document.addEventListener("htmx:config:request", function (evt) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && evt.detail && evt.detail.ctx) {
      evt.detail.ctx.request.headers["X-CSRF-Token"] = meta.content;
    }
  });

  function setStatus(state, text) {
    var el = document.getElementById("live-status");
    if (!el) return;
    el.dataset.state = state;
    el.textContent = text;
  }

  document.addEventListener("htmx:ws:after:connection", function () {
    setStatus("live", "Live");
  });
  document.addEventListener("htmx:ws:close", function (evt) {
    var code = evt.detail && evt.detail.code;
    if (code === UNAUTHENTICATED) {
      setStatus("down", "Signed out — reload to log in again.");
    } else if (evt.detail && evt.detail.reason === "removed") {
      return;
    } else {
      setStatus("down", "Disconnected — reconnecting…");
    }
  });
  document.addEventListener("htmx:ws:error", function () {
    setStatus("down", "Disconnected — reconnecting…");
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
})();
