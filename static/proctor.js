// The proctor page's time left: each row says how many seconds its attempt had left when the
// server rendered it (data-seconds-left, by the server's clock); this counts that down from
// when the row reached the page, so the browser's own clock changes nothing. At zero the
// row says "handing in" (its data-handing-in), as a reload does until the server hands the
// attempt in and pushes the row again. A pushed row replaces the old one and starts afresh.
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
  tick();
  setInterval(tick, 1000);
})();
