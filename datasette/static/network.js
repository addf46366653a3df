/* Samverkan KB: the network of forums, departments, categories and goal areas, drawn with the vendored
   Cytoscape.js from JSON embedded in the page. Filters by node type; a click (or tap) opens the row. */
(function () {
  "use strict";
  var TABLES = { forum: "forums", department: "departments", category: "categories", goal_area: "goal_areas",
    form: "forms", theme: "themes", development_area: "development_areas" };
  var ALIASES = { forums: "forum", departments: "department", categories: "category", goal_areas: "goal_area",
    forms: "form", themes: "theme", forvaltning: "department", kategori: "category", delmalomrade: "goal_area",
    samverkansform: "form", tema: "theme" };
  var COLOURS = { forum: "#b5179e", department: "#1d4e89", category: "#2a9d8f", goal_area: "#e9c46a",
    form: "#f4a261", theme: "#6d597a", development_area: "#8d99ae" };

  var LABEL_PX = 12, LABEL_WIDTH = 140, ZOOM_FOR_ALL_LABELS = 1.8;
  var RINGS = { forum: 7, department: 6, category: 5, goal_area: 4, form: 3, theme: 2, development_area: 1 };
  var ALWAYS_LABELLED = ["forum", "department"];

  function kindOf(kind) { kind = String(kind || "").toLowerCase(); return ALIASES[kind] || kind; }
  function rowKey(id, kind) {
    id = String(id);
    var prefix = id.indexOf(":");
    return prefix >= 0 ? id.slice(prefix + 1) : id;
  }

  function start() {
    var container = document.getElementById("kb-network");
    var data = JSON.parse(document.getElementById("kb-network-data").textContent || "{}");
    var base = container.dataset.base || "/samverkan";
    var nodes = (data.nodes || []).map(function (n) {
      var kind = kindOf(n.kind);
      return { group: "nodes", data: { id: String(n.id), label: n.label || n.id, kind: kind,
        colour: COLOURS[kind] || "#777", size: 14 + Math.min(26, (Number(n.degree) || 0) * 2) } };
    });
    var ids = {};
    nodes.forEach(function (n) { ids[n.data.id] = true; });
    var edges = (data.edges || []).filter(function (e) { return ids[e.source] && ids[e.target]; })
      .map(function (e, i) {
        return { group: "edges", data: { id: "e" + i, source: String(e.source), target: String(e.target),
          weight: Number(e.weight) || 1 } };
      });
    container.setAttribute("data-nodes", nodes.length);
    if (!nodes.length) { container.textContent = "Nätverket har inga noder ännu."; return; }
    var cy = window.cytoscape({
      container: container,
      elements: nodes.concat(edges),
      style: [
        // Labels keep LABEL_PX on screen at every zoom (see scaleLabels) and are shown only for the kinds in
        // ALWAYS_LABELLED, until one zooms in (class kb-labelled) or points at a node (kb-hover).
        { selector: "node", style: { "background-color": "data(colour)", label: "", width: "data(size)",
          height: "data(size)", "font-size": LABEL_PX, "text-wrap": "ellipsis", "text-max-width": LABEL_WIDTH,
          color: "#111", "text-background-color": "#fff",
          "text-background-opacity": 0.8, "text-background-shape": "roundrectangle" } },
        { selector: "node.kb-labelled, node.kb-hover", style: { label: "data(label)" } },
        { selector: "node.kb-hover", style: { "z-index": 10, "text-max-width": 1000 } },
        { selector: "edge", style: { width: "mapData(weight, 1, 10, 1, 5)", "line-color": "#bbb", opacity: 0.6 } },
        { selector: ".dolt", style: { display: "none" } }
      ]
    });
    window.kbNetwork = cy;
    container.setAttribute("data-drawn", cy.nodes().length);

    var labelWidth = Math.min(LABEL_WIDTH, Math.round(container.clientWidth / 3.5));
    var overview = 1;  // the zoom of the fitted layout: "zoomed in" is relative to it
    function scaleLabels() {
      var z = cy.zoom(), all = z >= overview * ZOOM_FOR_ALL_LABELS;
      cy.batch(function () {
        cy.nodes().forEach(function (n) {
          n.style({ "font-size": LABEL_PX / z, "text-max-width": labelWidth * Math.min(2, Math.max(1, z / overview)) / z,
            "text-background-padding": 1 / z });
          n.toggleClass("kb-labelled", all || ALWAYS_LABELLED.indexOf(n.data("kind")) >= 0);
        });
      });
    }
    function layout() {
      var shown = cy.nodes().not(".dolt");
      // rings by kind: forums in the middle, then departments, then what they collaborate with
      shown.union(shown.edgesWith(shown)).layout({ name: "concentric", animate: false, fit: true, padding: 24,
        concentric: function (n) { return RINGS[n.data("kind")] || 0; }, levelWidth: function () { return 1; },
        minNodeSpacing: 24, startAngle: 3 / 2 * Math.PI, avoidOverlap: true }).run();
      // each label points away from the middle, so labels of neighbours on a ring do not cover each other
      var box = shown.boundingBox(), cx = (box.x1 + box.x2) / 2, cy0 = (box.y1 + box.y2) / 2;
      cy.batch(function () {
        shown.forEach(function (n) {
          var p = n.position(), dx = p.x - cx, dy = p.y - cy0, side = Math.abs(dx) > Math.abs(dy) * 0.6;
          n.style({ "text-halign": Math.abs(dx) < Math.abs(dy) * 0.15 ? "center" : (dx > 0 ? "right" : "left"),
            "text-valign": side ? "center" : (dy > 0 ? "bottom" : "top") });
        });
      });
      overview = cy.zoom();
      scaleLabels();
    }
    cy.on("zoom", scaleLabels);
    cy.on("mouseover", "node", function (event) { event.target.addClass("kb-hover"); });
    cy.on("mouseout", "node", function (event) { event.target.removeClass("kb-hover"); });
    cy.on("tap", "node", function (event) {
      var node = event.target, table = TABLES[node.data("kind")];
      if (table) window.location.href = base + "/" + table + "/" + encodeURIComponent(rowKey(node.id()));
    });
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-kind-filter]"));
    function filter(box) {
      var kind = box.getAttribute("data-kind-filter");
      cy.nodes().filter(function (n) { return n.data("kind") === kind; }).toggleClass("dolt", !box.checked);
    }
    boxes.forEach(function (box) {
      filter(box);  // the page starts with forms, themes and development areas unchecked
      box.addEventListener("change", function () { filter(box); layout(); });
    });
    layout();
    // Keyboard: the drawing takes focus; arrows pan, + and - zoom, 0 fits the whole network again.
    // (Every node is also a link in the table under the drawing.)
    container.setAttribute("tabindex", "0");
    container.addEventListener("keydown", function (event) {
      var step = 60, handled = true;
      switch (event.key) {
        case "ArrowLeft": cy.panBy({ x: step, y: 0 }); break;
        case "ArrowRight": cy.panBy({ x: -step, y: 0 }); break;
        case "ArrowUp": cy.panBy({ x: 0, y: step }); break;
        case "ArrowDown": cy.panBy({ x: 0, y: -step }); break;
        case "+": case "=": cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); break;
        case "-": cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); break;
        case "0": cy.fit(cy.nodes().not(".dolt"), 20); break;
        default: handled = false;
      }
      if (handled) event.preventDefault();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
