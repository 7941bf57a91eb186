// Live charts on staff pages. A chart is a <figure class="live-chart"> holding a <canvas>
// and its data as JSON (<script type="application/json" class="chart-data">) inside a live
// region: the server renders the data, a pushed fragment replaces it, and this redraws.
// The canvas carries an aria-label with the same numbers for screen readers.
// A figure with data-histogram-of="<selector>" instead counts the percentages shown in the
// matching elements (e.g. the gradebook's live total cells) in ten 10% bins, so it follows
// every live change to them with no data of its own.
(function () {
  "use strict";
  var COLOR = "#0172ad";

  function histogram(figure) {
    var counts = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], labels = [];
    document.querySelectorAll(figure.dataset.histogramOf).forEach(function (el) {
      var value = parseFloat(el.textContent);
      if (!isNaN(value)) counts[Math.min(9, Math.max(0, Math.floor(value / 10)))] += 1;
    });
    for (var i = 0; i < 10; i++) labels.push(i * 10 + "–" + (i === 9 ? 100 : i * 10 + 9) + "%");
    return { type: "bar", label: figure.dataset.label || "Count", labels: labels,
             values: counts, x_title: figure.dataset.xTitle, y_title: figure.dataset.yTitle };
  }

  function describe(spec) {
    return spec.labels.map(function (label, i) { return label + ": " + spec.values[i]; })
      .join("; ");
  }

  function draw(figure) {
    var canvas = figure.querySelector("canvas");
    if (!canvas || typeof Chart === "undefined") return;
    var spec;
    if (figure.dataset.histogramOf) {
      spec = histogram(figure);
      canvas.setAttribute("aria-label", (figure.dataset.label || "Chart") + ": " + describe(spec));
    } else {
      var source = figure.querySelector("script.chart-data");
      if (!source) return;
      try { spec = JSON.parse(source.textContent); } catch (e) { return; }
    }
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
    // Histograms follow the cells they count, wherever those were swapped.
    document.querySelectorAll("figure.live-chart[data-histogram-of]").forEach(draw);
  });
})();
