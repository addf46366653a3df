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
        { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", width: "data(size)",
          height: "data(size)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 110, color: "#222" } },
        { selector: "edge", style: { width: "mapData(weight, 1, 10, 1, 5)", "line-color": "#bbb", opacity: 0.7 } },
        { selector: ".dolt", style: { display: "none" } }
      ],
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000, idealEdgeLength: 70 }
    });
    window.kbNetwork = cy;
    container.setAttribute("data-drawn", cy.nodes().length);
    cy.on("tap", "node", function (event) {
      var node = event.target, table = TABLES[node.data("kind")];
      if (table) window.location.href = base + "/" + table + "/" + encodeURIComponent(rowKey(node.id()));
    });
    Array.prototype.forEach.call(document.querySelectorAll("input[data-kind-filter]"), function (box) {
      box.addEventListener("change", function () {
        var kind = box.getAttribute("data-kind-filter");
        cy.nodes().filter(function (n) { return n.data("kind") === kind; })
          .toggleClass("dolt", !box.checked);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
