/* Samverkan KB: bar charts and a heat map drawn as SVG from JSON embedded in the page.
   No dependencies, no eval: works under the site's Content-Security-Policy. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, value, attrs) {
    var t = el("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = value;
    return t;
  }
  function number(v) {
    return (v === null || v === undefined || v === "") ? null : Number(v);
  }
  function fmt(v) {
    return v === null ? "–" : String(v).replace(".", ",");
  }
  function readData(figure) {
    var node = document.getElementById(figure.dataset.source);
    return node ? JSON.parse(node.textContent || "[]") : [];
  }

  function barChart(figure, rows) {
    var label = figure.dataset.label, value = figure.dataset.value, compare = figure.dataset.compare;
    var labelWidth = 330, barWidth = 360, rowHeight = 22, top = 8;
    var max = 0;
    rows.forEach(function (r) { max = Math.max(max, number(r[value]) || 0, number(r[compare]) || 0); });
    max = max || 1;
    var height = top + rows.length * rowHeight + 24;
    var svg = el("svg", { viewBox: "0 0 " + (labelWidth + barWidth + 60) + " " + height, role: "img",
      "aria-label": figure.dataset.title || "", class: "kb-svg" });
    rows.forEach(function (r, i) {
      var y = top + i * rowHeight, v = number(r[value]), p = number(r[compare]);
      text(svg, labelWidth - 6, y + 15, r[label], { "text-anchor": "end", class: "kb-label" });
      var bar = el("rect", { x: labelWidth, y: y + 3, height: rowHeight - 6,
        width: Math.max(0, (v || 0) / max * barWidth), class: "kb-bar" }, svg);
      el("title", {}, bar).textContent = r[label] + ": " + fmt(v) + (compare ? " (publicerat " + fmt(p) + ")" : "");
      text(svg, labelWidth + (v || 0) / max * barWidth + 4, y + 15, fmt(v), { class: "kb-value" });
      if (compare && p !== null) {
        var x = labelWidth + p / max * barWidth;
        el("line", { x1: x, x2: x, y1: y + 1, y2: y + rowHeight - 1, class: "kb-published" }, svg);
      }
    });
    return svg;
  }

  function heatLegend(svg, x, y, size, max, withRings) {
    var legend = el("g", { class: "kb-heat-legend" }, svg);
    text(legend, x - 6, y + size / 2, "Färg: förvaltningar", { "text-anchor": "end", class: "kb-label" });
    [0, Math.round(max / 2), max].forEach(function (v, i) {
      el("rect", { x: x + i * 46, y: y, width: size - 2, height: size - 2, class: "kb-legend-cell",
        "fill-opacity": (0.08 + 0.92 * v / max).toFixed(3) }, legend);
      text(legend, x + i * 46 + size + 2, y + size / 2 + 2, String(v), { class: "kb-label" });
    });
    if (!withRings) { return; }
    var rx = x + 3 * 46 + 120;
    text(legend, rx - 6, y + size / 2, "Ring: relevans", { "text-anchor": "end", class: "kb-label" });
    [0.25, 0.5, 1].forEach(function (rel, i) {
      el("circle", { cx: rx + i * 46 + size / 2, cy: y + size / 2 - 1, r: Math.max(1.5, rel * 8), class: "kb-relevance" },
        legend);
      text(legend, rx + i * 46 + size + 2, y + size / 2 + 2, fmt(rel), { class: "kb-label" });
    });
  }

  function heatMap(figure, rows) {
    var rowKey = figure.dataset.rows, colKey = figure.dataset.cols, value = figure.dataset.value;
    var compare = figure.dataset.compare;
    var rowNames = [], colNames = [], cells = {}, max = 0;
    rows.forEach(function (r) {
      if (rowNames.indexOf(r[rowKey]) < 0) rowNames.push(r[rowKey]);
      if (colNames.indexOf(r[colKey]) < 0) colNames.push(r[colKey]);
      cells[r[rowKey] + "\u0000" + r[colKey]] = r;
      max = Math.max(max, number(r[value]) || 0);
    });
    max = max || 1;
    // Column labels are rotated -60 degrees: they reach up and to the right, so the right margin is half the
    // longest label (about 6 px a character) and the top margin its height.
    var longest = colNames.reduce(function (m, c) { return Math.max(m, String(c).length); }, 0) * 6;
    var left = 190, top = Math.max(215, Math.ceil(longest * 0.87) + 20), size = 26;
    var right = Math.max(10, Math.ceil(longest * 0.5) + 10), legendHeight = 70;
    var gridBottom = top + rowNames.length * size;
    var svg = el("svg", { viewBox: "0 0 " + (left + colNames.length * size + right) + " " + (gridBottom + legendHeight),
      role: "img", "aria-label": figure.dataset.title || "", class: "kb-svg" });
    heatLegend(svg, left, gridBottom + 18, size, max, Boolean(compare));
    colNames.forEach(function (c, j) {
      var x = left + j * size + size / 2;
      text(svg, x, top - 6, c, { transform: "rotate(-60 " + x + " " + (top - 6) + ")", class: "kb-label" });
    });
    rowNames.forEach(function (rn, i) {
      var y = top + i * size;
      text(svg, left - 6, y + size / 2 + 4, rn, { "text-anchor": "end", class: "kb-label" });
      colNames.forEach(function (c, j) {
        var r = cells[rn + "\u0000" + c] || {}, v = number(r[value]) || 0, rel = number(r[compare]);
        var cell = el("rect", { x: left + j * size, y: y, width: size - 2, height: size - 2, class: "kb-cell",
          "fill-opacity": (0.08 + 0.92 * v / max).toFixed(3) }, svg);
        if (compare && rel !== null) {
          el("circle", { cx: left + j * size + size / 2 - 1, cy: y + size / 2 - 1, r: Math.max(1.5, Math.min(1, rel) * 8),
            class: "kb-relevance" }, svg);
        }
        el("title", {}, cell).textContent = rn + " × " + c + ": observerat " + fmt(v) +
          (compare ? ", relevans " + fmt(rel) : "");
      });
    });
    return svg;
  }

  function draw() {
    var figures = document.querySelectorAll("figure.kb-chart");
    Array.prototype.forEach.call(figures, function (figure) {
      var rows = readData(figure), holder = figure.querySelector(".kb-chart-area");
      if (!holder) return;
      if (!rows.length) { holder.textContent = "Inga rader att visa ännu."; return; }
      holder.appendChild(figure.dataset.chart === "heatmap" ? heatMap(figure, rows) : barChart(figure, rows));
      figure.setAttribute("data-drawn", rows.length);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
