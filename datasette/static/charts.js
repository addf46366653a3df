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

  // Bar charts are drawn at one CSS pixel per SVG unit, laid out for the width of their box: the text keeps its
  // size on a phone (LABEL_PX) instead of the whole drawing being scaled down. A narrow box puts each label on
  // its own line above the bar. Labels that do not fit are shortened with "…"; the full text is in a <title>.
  var LABEL_PX = 13, NARROW = 560;

  function fitText(node, full, room) {
    if (room <= 0 || node.getComputedTextLength() <= room) return;
    var lo = 0, hi = full.length;
    while (lo < hi) {  // the longest prefix that fits together with the ellipsis
      var mid = Math.ceil((lo + hi) / 2);
      node.textContent = full.slice(0, mid).trimEnd() + "…";
      if (node.getComputedTextLength() <= room) lo = mid; else hi = mid - 1;
    }
    node.textContent = full.slice(0, lo).trimEnd() + "…";
    el("title", {}, node).textContent = full;
    node.setAttribute("data-full", full);
  }

  function barChart(figure, rows, holder) {
    var label = figure.dataset.label, value = figure.dataset.value, compare = figure.dataset.compare;
    var width = Math.max(240, Math.floor(holder.clientWidth || 600));
    var narrow = width < NARROW, valueRoom = 46, top = 4;
    var labelWidth = narrow ? 0 : Math.min(330, Math.round(width * 0.4));
    var barWidth = width - labelWidth - valueRoom - (narrow ? 0 : 8);
    var rowHeight = narrow ? 40 : 26, barTop = narrow ? 20 : 4, barHeight = narrow ? 15 : 18;
    var max = 0;
    rows.forEach(function (r) { max = Math.max(max, number(r[value]) || 0, number(r[compare]) || 0); });
    max = max || 1;
    var height = top + rows.length * rowHeight + 8;
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img",
      "aria-label": figure.dataset.title || "", class: "kb-svg kb-bars" });
    holder.appendChild(svg);  // attached first, so that label widths can be measured
    var x0 = narrow ? 0 : labelWidth + 8;
    rows.forEach(function (r, i) {
      var y = top + i * rowHeight, v = number(r[value]), p = number(r[compare]), name = String(r[label]);
      var t = narrow ? text(svg, 0, y + 14, name, { class: "kb-label" })
                     : text(svg, labelWidth, y + barTop + barHeight / 2, name,
                            { "text-anchor": "end", "dominant-baseline": "central", class: "kb-label" });
      fitText(t, name, narrow ? width : labelWidth);
      var w = Math.max(0, (v || 0) / max * barWidth);
      var bar = el("rect", { x: x0, y: y + barTop, height: barHeight, width: w, class: "kb-bar" }, svg);
      el("title", {}, bar).textContent = name + ": " + fmt(v) + (compare ? " (" + (figure.dataset.compareLabel || "publicerat") + " " + fmt(p) + ")" : "");
      text(svg, x0 + w + 5, y + barTop + barHeight / 2, fmt(v), { "dominant-baseline": "central", class: "kb-value" });
      if (compare && p !== null) {
        var x = x0 + p / max * barWidth;
        el("line", { x1: x, x2: x, y1: y + barTop - 2, y2: y + barTop + barHeight + 2, class: "kb-published" }, svg);
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

  function heatMap(figure, rows, holder) {
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
    // Natural size at one CSS pixel per unit, enlarged a little to fill a wide box; never shrunk: on a phone the
    // box scrolls sideways instead (see .kb-chart-area in samverkan.css).
    var width = left + colNames.length * size + right, height = gridBottom + legendHeight;
    var scale = Math.max(1, Math.min(1.25, (holder.clientWidth || width) / width));
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: Math.floor(width * scale),
      height: Math.floor(height * scale), role: "img", "aria-label": figure.dataset.title || "", class: "kb-svg kb-heat" });
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

  function drawFigure(figure) {
    var rows = readData(figure), holder = figure.querySelector(".kb-chart-area");
    if (!holder) return;
    holder.textContent = "";
    if (!rows.length) { holder.textContent = "Inga rader att visa ännu."; return; }
    if (figure.dataset.chart === "heatmap") holder.appendChild(heatMap(figure, rows, holder));
    else barChart(figure, rows, holder);
    holder.setAttribute("data-width", holder.clientWidth);
    figure.setAttribute("data-drawn", rows.length);
  }
  function figures() { return Array.prototype.slice.call(document.querySelectorAll("figure.kb-chart")); }
  function draw() {
    figures().forEach(drawFigure);
    var pending = null;
    window.addEventListener("resize", function () {  // a rotated phone or a resized window: lay out again
      clearTimeout(pending);
      pending = setTimeout(function () {
        figures().forEach(function (figure) {
          var holder = figure.querySelector(".kb-chart-area");
          if (holder && String(holder.clientWidth) !== holder.getAttribute("data-width")) drawFigure(figure);
        });
      }, 150);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
