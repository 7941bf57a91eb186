// Times in the viewer's time zone. Every time on a page is a <time datetime="<ISO UTC>"
// data-local> element; live fragments are rendered once for everyone, in UTC, so this file
// rewrites the text of each such element on the viewer's clock, on load and in every swapped
// fragment, with the same rules as core/human_time.py: a live page reads like a reload.
// The zone is <meta name="cw-timezone">; when it is empty the browser's zone is used and,
// for a signed-in user, sent once to be stored (data-detect names the endpoint).
(function () {
  "use strict";
  // Names in the page's language, the ones core/human_time.py uses (Babel's), from the
  // page's catalogue (coursewire.js); English when there is none.
  var ENGLISH_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  var names = (window.cwTimeNames && window.cwTimeNames()) || {};
  var DAYS = names.weekdays || ENGLISH_DAYS;
  var WEEKDAYS = {};
  ENGLISH_DAYS.forEach(function (day, i) { WEEKDAYS[day] = DAYS[i]; });
  var MONTHS = names.months ||
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // The language's layout (core/human_time.py layout()): "{weekday} {day}.{month}.{year} ..."
  var LAYOUT = names.layout || "{weekday} {day} {month_name} {year}, {hour2}:{minute}";
  // cwT/cwN: coursewire.js, loaded before this file (base.html); called by name so that
  // scripts/i18n-update finds these strings for the page's catalogue.
  var RELATIVE_UP_TO_DAYS = 45;
  var formats = {};

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { return "UTC"; }
  }

  function meta() { return document.querySelector('meta[name="cw-timezone"]'); }

  function viewerZone() {
    var el = meta();
    return (el && el.content) || browserZone();
  }

  function formatsFor(zone) {
    if (!formats[zone]) {
      try {
        formats[zone] = {
          // numbers from en-US (never "Sept" or "24:00"), the abbreviation from en-GB (EET)
          parts: new Intl.DateTimeFormat("en-US", {timeZone: zone, weekday: "short",
            year: "numeric", month: "numeric", day: "numeric", hour: "2-digit",
            minute: "2-digit", hourCycle: "h23"}),
          zoneName: new Intl.DateTimeFormat("en-GB", {timeZone: zone, timeZoneName: "short"})
        };
      } catch (e) {
        return zone === "UTC" ? null : formatsFor("UTC");
      }
    }
    return formats[zone];
  }

  function part(parts, type) {
    for (var i = 0; i < parts.length; i++) if (parts[i].type === type) return parts[i].value;
    return "";
  }

  function humanTime(date, zone) {
    var f = formatsFor(zone);
    if (!f) return null;
    var p = f.parts.formatToParts(date);
    var name = part(f.zoneName.formatToParts(date), "timeZoneName");
    var fields = {
      weekday: WEEKDAYS[part(p, "weekday")] || part(p, "weekday"),
      day: String(Number(part(p, "day"))), month: String(Number(part(p, "month"))),
      month_name: MONTHS[Number(part(p, "month")) - 1], year: part(p, "year"),
      hour: String(Number(part(p, "hour"))), hour2: part(p, "hour"), minute: part(p, "minute")
    };
    return LAYOUT.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : whole;
    }) + " " + name;
  }

  // The same whole phrases as core/human_time.py relative_time (word order differs).
  function relativeTime(date, now) {
    var delta = (date.getTime() - now) / 1000, seconds = Math.abs(delta), n;
    var future = delta > 0;
    if (seconds < 60) return delta >= 1 ? cwT("in a moment") : cwT("just now");
    if (seconds >= RELATIVE_UP_TO_DAYS * 86400) return null;
    if (seconds < 3600) {
      n = Math.floor(seconds / 60);
      return future ? cwN("in %(num)d minute", "in %(num)d minutes", n)
        : cwN("%(num)d minute ago", "%(num)d minutes ago", n);
    }
    if (seconds < 86400) {
      n = Math.floor(seconds / 3600);
      return future ? cwN("in %(num)d hour", "in %(num)d hours", n)
        : cwN("%(num)d hour ago", "%(num)d hours ago", n);
    }
    n = Math.floor(seconds / 86400);
    return future ? cwN("in %(num)d day", "in %(num)d days", n)
      : cwN("%(num)d day ago", "%(num)d days ago", n);
  }

  function localise(el, zone, now) {
    var date = new Date(el.getAttribute("datetime"));
    if (isNaN(date.getTime())) return;
    var text = humanTime(date, zone);
    if (text === null) return;
    if (el.hasAttribute("data-relative")) {
      var words = relativeTime(date, now);
      if (words) text += " (" + words + ")";
    }
    if (el.textContent !== text) el.textContent = text;
  }

  function localiseIn(root) {
    var zone = viewerZone(), now = Date.now();
    if (root.matches && root.matches("time[data-local]")) localise(root, zone, now);
    if (root.querySelectorAll) {
      root.querySelectorAll("time[data-local]").forEach(function (el) { localise(el, zone, now); });
    }
  }

  function sendDetectedZone() {
    var el = meta();
    if (!el || el.content || !el.dataset.detect || !window.fetch) return;
    var csrf = document.querySelector('meta[name="csrf-token"]');
    el.content = browserZone();  // shown from now on; stored once, never over a chosen zone
    fetch(el.dataset.detect, {
      method: "PATCH", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.content : ""},
      body: JSON.stringify({timezone: el.content, detected: true})
    }).catch(function () {});
  }

  function start() {
    sendDetectedZone();
    localiseIn(document);
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        record.addedNodes.forEach(function (node) { if (node.nodeType === 1) localiseIn(node); });
      });
    }).observe(document.documentElement, {childList: true, subtree: true});
    // "in 3 minutes" goes on counting down while the page stays open
    setInterval(function () {
      var zone = viewerZone(), now = Date.now();
      document.querySelectorAll("time[data-local][data-relative]").forEach(function (el) {
        localise(el, zone, now);
      });
    }, 30000);
  }

  window.coursewireTime = {humanTime: humanTime, relativeTime: relativeTime, localiseIn: localiseIn};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
