// The proctor page (quizzes/templates/quizzes/proctor.html).
// - Time left: each row says how many seconds its attempt had left when the server rendered
//   it (data-seconds-left, by the server's clock); this counts that down from when the row
//   reached the page, so the browser's own clock changes nothing. At zero the row says
//   "handing in" (its data-handing-in), as a reload does until the server hands the
//   attempt in and pushes the row again. A pushed row replaces the old one and starts afresh.
// - The filter (?show=, quizzes.proctor.shown: the same rule) hides the rows it does not
//   show, those that arrive live included, and the counts above the table follow the rows.
//   Choosing another filter applies it at once and keeps it in the address for a reload.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".proctor-left[data-seconds-left]").forEach(function (el) {
      if (!el.dataset.shownAt) {
        el.dataset.shownAt = String(now);
        el.dataset.format = el.dataset.format || el.textContent;
      }
      var start = parseInt(el.dataset.secondsLeft, 10) || 0;
      var left = Math.max(0, start - Math.floor((now - parseInt(el.dataset.shownAt, 10)) / 1000));
      var text = el.dataset.format.replace(/\d\d+:\d\d/, pad(Math.floor(left / 60)) + ":" + pad(left % 60));
      if (text !== el.textContent) { el.textContent = text; }
      if (left === 0) {
        var phase = el.closest("tr") && el.closest("tr").querySelector(".proctor-phase");
        if (phase && phase.textContent !== phase.dataset.handingIn) {
          phase.textContent = phase.dataset.handingIn;
        }
      }
    });
  }

  var RULES = {
    all: function () { return true; },
    in_progress: function (s) { return s === "in_progress"; },
    closed: function (s, c) { return s === "in_progress" && c === "false"; },
    not_started: function (s) { return s === "not_started"; },
    handed_in: function (s) { return s === "submitted" || s === "graded"; }
  };

  function select() { return document.getElementById("proctor-show"); }

  function apply() {
    var show = select() ? select().value : "all";
    var rule = RULES[show] || RULES.all;
    var counts = {in_progress: 0, closed: 0, not_started: 0, handed_in: 0};
    document.querySelectorAll("tr.proctor-row").forEach(function (row) {
      var status = row.dataset.status;
      var cell = row.querySelector(".proctor-page");
      var connected = cell ? cell.dataset.connected : "false";
      Object.keys(counts).forEach(function (key) {
        if (RULES[key](status, connected)) { counts[key] += 1; }
      });
      var hide = !rule(status, connected);
      if (row.hidden !== hide) { row.hidden = hide; }
    });
    Object.keys(counts).forEach(function (key) {
      var el = document.querySelector('.proctor-summary [data-count="' + key + '"]');
      if (el && el.textContent !== String(counts[key])) { el.textContent = String(counts[key]); }
    });
  }

  function start() {
    tick();
    setInterval(tick, 1000);
    apply();
    var table = document.querySelector(".table-scroll");
    if (table) {
      new MutationObserver(apply).observe(table, {childList: true, subtree: true,
                                                  attributes: true,
                                                  attributeFilter: ["data-status", "data-connected"]});
    }
    if (select()) {
      select().addEventListener("change", function () {
        var url = new URL(window.location.href);
        if (select().value === "all") { url.searchParams.delete("show"); } else { url.searchParams.set("show", select().value); }
        window.history.replaceState(null, "", url.toString());
        apply();
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
