// Dashboard charts from the figures the page carries (no requests, no internet): Chart.js served by the app.
(function () {
  "use strict";
  var COLOURS = { recyclable: "#1f5fa8", hazardous: "#c0392b", wet: "#7b4a26", dry: "#333333" };
  function draw() {
    var el = document.getElementById("dashboard-data");
    if (!el || typeof Chart === "undefined") return;
    var d = JSON.parse(el.textContent);
    var cats = Object.keys(d.names);
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.animation = false;
    // The legend's words come from the page, in its language (data-*-label on the canvas).
    var correct = document.getElementById("chart-correct");
    new Chart(correct, {
      data: {
        labels: d.labels,
        datasets: [
          { type: "line", label: correct.dataset.rateLabel, data: d.correct, borderColor: "#0b6e4f", yAxisID: "rate", spanGaps: true },
          { type: "bar", label: correct.dataset.countLabel, data: d.drops, backgroundColor: "#c8d6cf", yAxisID: "count" }
        ]
      },
      options: { scales: { rate: { position: "left", min: 0, max: 100 }, count: { position: "right", grid: { drawOnChartArea: false } } } }
    });
    new Chart(document.getElementById("chart-tonnage"), {
      type: "bar",
      data: {
        labels: d.labels,
        datasets: cats.map(function (c) { return { label: d.names[c], data: d.tonnage[c], backgroundColor: COLOURS[c] }; })
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true } } }
    });
    new Chart(document.getElementById("chart-shares"), {
      type: "doughnut",
      data: {
        labels: cats.map(function (c) { return d.names[c]; }),
        datasets: [{ data: cats.map(function (c) { return d.shares[c]; }), backgroundColor: cats.map(function (c) { return COLOURS[c]; }) }]
      }
    });
    document.body.dataset.charts = "ready";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
