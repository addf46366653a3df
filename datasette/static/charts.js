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
    var left = 190, top = 215, size = 26;
    var svg = el("svg", { viewBox: "0 0 " + (left + colNames.length * size + 10) + " " + (top + rowNames.length * size + 10),
      role: "img", "aria-label": figure.dataset.title || "", class: "kb-svg" });
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
