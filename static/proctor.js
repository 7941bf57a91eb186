// The proctor page (quizzes/templates/quizzes/proctor.html).
// - Time left: each row says how many seconds its attempt had left when the server rendered
//   it (data-seconds-left, by the server's clock); this counts that down from when the row
//   reached the page, so the browser's own clock changes nothing. At zero the row says
//   "handing in" (its data-handing-in), as a reload does until the server hands the
//   attempt in and pushes the row again. A pushed row starts afresh. Only the rows on
//   screen are redrawn each second (a row scrolled into view at once), so a list of
//   thousands costs the browser no more each second than a short one.
// - The filter (?show=) and the search (?q=, part of the student's name, any case) hide the
//   rows they do not show (quizzes.proctor.shown and matches: the same rules), those that
//   arrive live included. Changing either applies it at once and keeps it in the address
//   for a reload.
// - The counts above the table count every row, whatever is shown. A pushed row is shown
//   or hidden as it arrives; the counts follow within a fifth of a second (one recount, from
//   each row's state kept here, for a burst of rows: a big exam pushes hundreds a second).
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function stamp(el, now) {
    el.dataset.shownAt = String(now);
    el.dataset.format = el.textContent;
  }

  // The rows on screen: only their countdowns are redrawn each second (a row scrolled into
  // view is redrawn at once). Redrawing thousands of rows every second would cost the
  // browser a layout of the whole table each time.
  var inView = new Set();
  var viewport = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (e.isIntersecting) { inView.add(e.target); draw(e.target, Date.now()); } else { inView.delete(e.target); }
    });
  }) : null;
  function watch(row) {
    if (viewport) { viewport.observe(row); } else { inView.add(row); }
  }

  function draw(row, now) {
    var el = row.querySelector(".proctor-left[data-seconds-left]");
    if (!el || row.hidden || !row.isConnected) { return; }
    if (!el.dataset.shownAt) { stamp(el, now); }
    var start = parseInt(el.dataset.secondsLeft, 10) || 0;
    var left = Math.max(0, start - Math.floor((now - parseInt(el.dataset.shownAt, 10)) / 1000));
    var text = el.dataset.format.replace(/\d\d+:\d\d/, pad(Math.floor(left / 60)) + ":" + pad(left % 60));
    if (text !== el.textContent) { el.textContent = text; }
    if (left === 0) {
      var phase = row.querySelector(".proctor-phase");
      if (phase && phase.textContent !== phase.dataset.handingIn) {
        phase.textContent = phase.dataset.handingIn;
      }
    }
  }

  function tick() {
    var now = Date.now();
    inView.forEach(function (row) {
      if (row.isConnected) { draw(row, now); } else { inView.delete(row); }
    });
  }

  var RULES = {
    all: function () { return true; },
    in_progress: function (s) { return s === "in_progress"; },
    closed: function (s, c) { return s === "in_progress" && c === "false"; },
    not_started: function (s) { return s === "not_started"; },
    handed_in: function (s) { return s === "submitted" || s === "graded"; }
  };
  var COUNTED = ["in_progress", "closed", "not_started", "handed_in"];

  function select() { return document.getElementById("proctor-show"); }
  function search() { return document.getElementById("proctor-q"); }

  function connected(row) {
    var cell = row.querySelector(".proctor-page");
    return cell ? cell.dataset.connected : "false";
  }

  // Each row's state for the counts, by row id: counting reads this, not the table.
  var states = new Map();

  // What the filter and the search ask for, read once per pass over the rows.
  function chosen() {
    return {rule: RULES[select() ? select().value : "all"] || RULES.all,
            q: search() ? search().value.trim().toLowerCase() : ""};
  }

  function show(row, wanted) {  // hides or shows one row by the filter and the search
    var name = row.cells.length ? row.cells[0].textContent.toLowerCase() : "";
    var status = row.dataset.status, c = connected(row);
    states.set(row.id, [status, c]);
    var hide = !wanted.rule(status, c) || (wanted.q !== "" && name.indexOf(wanted.q) < 0);
    if (row.hidden !== hide) { row.hidden = hide; }
  }

  function recount() {
    var counts = {};
    COUNTED.forEach(function (key) { counts[key] = 0; });
    states.forEach(function (state) {
      COUNTED.forEach(function (key) { if (RULES[key](state[0], state[1])) { counts[key] += 1; } });
    });
    var none = document.querySelector(".proctor-none");
    var nothing = !document.querySelector("tr.proctor-row:not([hidden])");
    if (none && none.hidden === nothing) { none.hidden = !nothing; }
    COUNTED.forEach(function (key) {
      var el = document.querySelector('.proctor-summary [data-count="' + key + '"]');
      if (el && el.textContent !== String(counts[key])) { el.textContent = String(counts[key]); }
    });
  }

  var pending = null;
  function recountSoon() {
    if (pending === null) { pending = setTimeout(function () { pending = null; recount(); }, 200); }
  }

  var observer = null;
  function applyAll() {
    var now = Date.now();
    document.querySelectorAll(".proctor-left[data-seconds-left]:not([data-shown-at])")
      .forEach(function (el) { stamp(el, now); });
    states.clear();
    if (viewport) { viewport.disconnect(); }
    inView.clear();
    var wanted = chosen();
    document.querySelectorAll("tr.proctor-row").forEach(function (row) { show(row, wanted); watch(row); });
    if (observer) { observer.takeRecords(); }  // its own hiding and showing: nothing new
    recount();
  }

  // What a batch of DOM changes in the table means: rows to show or hide again, or (a whole
  // table swapped in when the socket reconnects) everything. A row's time left replaced in
  // place (a new data-seconds-left) restarts its countdown. The countdown's own writes
  // (inside .proctor-left and .proctor-phase) change nothing here.
  function changed(records) {
    var rows = new Set(), all = false, now = Date.now();
    records.forEach(function (m) {
      var target = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      if (!target) { return; }
      if (m.type === "attributes" && m.attributeName === "data-seconds-left") {
        stamp(target, now);
        return;
      }
      if (m.type !== "attributes" && target.closest(".proctor-left, .proctor-phase")) { return; }
      if (m.type === "childList") {
        m.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) { return; }
          if (node.matches("tr.proctor-row")) { rows.add(node); } else if (node.querySelector("tr.proctor-row")) { all = true; }
        });
        m.removedNodes.forEach(function (node) {
          if (node.nodeType === 1 && node.matches("tr.proctor-row")) {
            if (viewport) { viewport.unobserve(node); }
            inView.delete(node);
          }
        });
        if (m.removedNodes.length) { recountSoon(); }
      }
      var row = target.closest("tr.proctor-row");
      if (row) { rows.add(row); }
    });
    rows.forEach(function (row) {
      var left = row.querySelector(".proctor-left[data-seconds-left]:not([data-shown-at])");
      if (left) { stamp(left, now); }
    });
    if (all) { applyAll(); return; }
    var wanted = chosen();
    rows.forEach(function (row) { show(row, wanted); watch(row); });  // observing twice is once
    if (rows.size) { recountSoon(); }
  }

  function remember(name, value, empty) {
    var url = new URL(window.location.href);
    if (value === empty) { url.searchParams.delete(name); } else { url.searchParams.set(name, value); }
    window.history.replaceState(null, "", url.toString());
  }

  function start() {
    applyAll();
    tick();
    setInterval(tick, 1000);
    var table = document.querySelector(".table-scroll");
    if (table) {
      observer = new MutationObserver(changed);
      observer.observe(table, {
        childList: true, subtree: true, characterData: true, attributes: true,
        attributeFilter: ["data-status", "data-connected", "data-seconds-left", "hidden"]});
    }
    if (select()) {
      select().addEventListener("change", function () {
        remember("show", select().value, "all");
        applyAll();
      });
    }
    if (search()) {
      var typing = null;
      search().addEventListener("input", function () {
        clearTimeout(typing);
        typing = setTimeout(function () {
          remember("q", search().value.trim(), "");
          applyAll();
        }, 150);
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
