// Live charts on staff pages. A chart is a <figure class="live-chart"> holding a <canvas>
// and its data as JSON (<script type="application/json" class="chart-data">) inside a live
// region: the server renders the data, a pushed fragment replaces it, and this redraws.
// The canvas carries an aria-label with the same numbers for screen readers.
(function () {
  "use strict";
  var COLOR = "#0172ad";

  function draw(figure) {
    var canvas = figure.querySelector("canvas");
    var source = figure.querySelector("script.chart-data");
    if (!canvas || !source || typeof Chart === "undefined") return;
    var spec;
    try { spec = JSON.parse(source.textContent); } catch (e) { return; }
    var old = Chart.getChart(canvas);
    if (old) old.destroy();
    new Chart(canvas, {
      type: spec.type || "bar",
      data: {
        labels: spec.labels,
        datasets: [{ label: spec.label, data: spec.values, backgroundColor: COLOR }],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: !!spec.x_title, text: spec.x_title } },
          y: { beginAtZero: true, ticks: { precision: 0 },
               title: { display: !!spec.y_title, text: spec.y_title } },
        },
      },
    });
  }

  function drawWithin(root) {
    if (root.matches && root.matches("figure.live-chart")) draw(root);
    root.querySelectorAll("figure.live-chart").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawWithin(document); });
  } else {
    drawWithin(document);
  }
  document.addEventListener("htmx:after:settle", function (evt) {
    var items = (evt.detail && evt.detail.newContent) || [];
    for (var i = 0; i < items.length; i++) {
      if (items[i] instanceof Element) drawWithin(items[i]);
    }
  });
})();
