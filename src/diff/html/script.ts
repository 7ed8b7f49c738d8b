// The diff page's script (page.ts), as the text the page inlines: plain browser JavaScript, no
// library, nothing fetched. It reads the page's data block (each row's graph element ids) and, when
// a row is chosen (click, or Enter/Space on a focused row), highlights that row's paths in both
// graphs and shows its witness's traces.
export const DIFF_PAGE_SCRIPT = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("faultc-diff-data").textContent);
  var marked = [];
  function mark(ids, cls) {
    for (var i = 0; i < ids.length; i++) {
      var el = document.getElementById(ids[i]);
      if (el === null) throw new Error("faultc diff page: no graph element " + ids[i]);
      el.classList.add(cls);
      marked.push([el, cls]);
    }
  }
  // A graph is drawn at its own size in a scrolling figure: bring the highlighted path into view
  // there (scrollIntoView would move the whole page too).
  function reveal(side) {
    var fig = document.getElementById("graph-" + side);
    var hl = fig === null ? [] : fig.querySelectorAll("g.node.hl");
    if (hl.length === 0) return;
    var box = fig.getBoundingClientRect(), left = Infinity, right = -Infinity, top = Infinity, bottom = -Infinity;
    for (var i = 0; i < hl.length; i++) {
      var r = hl[i].getBoundingClientRect();
      left = Math.min(left, r.left); right = Math.max(right, r.right); top = Math.min(top, r.top); bottom = Math.max(bottom, r.bottom);
    }
    fig.scrollLeft += (left + right) / 2 - (box.left + box.right) / 2;
    fig.scrollTop += top - box.top - 40;
  }
  function select(id) {
    var row = data.rows[String(id)];
    if (row === undefined) return;
    while (marked.length > 0) { var m = marked.pop(); m[0].classList.remove(m[1]); }
    var trs = document.querySelectorAll("tr[data-row]");
    for (var i = 0; i < trs.length; i++) {
      var on = trs[i].getAttribute("data-row") === String(id);
      trs[i].classList.toggle("selected", on);
      trs[i].setAttribute("aria-selected", on ? "true" : "false");
    }
    ["a", "b"].forEach(function (side) {
      var p = row[side];
      if (p === null) return;
      mark(p.classNodes.concat(p.classEdges), "hl-class");
      mark(p.nodes.concat(p.edges), "hl");
      reveal(side);
    });
    var ws = document.querySelectorAll("article.witness");
    for (var j = 0; j < ws.length; j++) ws[j].hidden = ws[j].getAttribute("data-row") !== String(id);
    var hint = document.getElementById("pick");
    if (hint !== null) hint.hidden = true;
    document.body.setAttribute("data-selected", String(id));
  }
  var rows = document.querySelectorAll("tr[data-row]");
  for (var k = 0; k < rows.length; k++) {
    rows[k].addEventListener("click", function (e) { select(e.currentTarget.getAttribute("data-row")); });
    rows[k].addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(e.currentTarget.getAttribute("data-row")); }
    });
  }
  var fit = document.getElementById("fit");
  fit.addEventListener("change", function () {
    document.body.classList.toggle("fit", fit.checked);
    reveal("a");
    reveal("b");
  });
  var wanted = /^#row-(\\d+)$/.exec(location.hash);
  if (wanted !== null) select(wanted[1]);
})();
`;
