(function () {
  "use strict";
  var table = document.getElementById("worklist-table");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var count = document.getElementById("wl-count");
  var text = document.getElementById("wl-text");
  var severity = document.getElementById("wl-severity");
  var site = document.getElementById("wl-site");
  var rule = document.getElementById("wl-rule");
  var onlyNew = document.getElementById("wl-new");
  var haystack = rows.map(function (r) { return r.textContent.toLowerCase(); });

  function applyFilter() {
    var q = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (r, i) {
      var ok = (!q || haystack[i].indexOf(q) !== -1) &&
        (!severity.value || r.dataset.severity === severity.value) &&
        (!site.value || r.dataset.site === site.value) &&
        (!rule.value || r.dataset.rule === rule.value) &&
        (!onlyNew.checked || r.dataset.new === "1");
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown.toLocaleString() + " of " + rows.length.toLocaleString() + " shown";
  }

  function cellKey(row, col, numeric) {
    var cell = row.cells[col];
    var v = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (numeric) { return v === "" ? null : parseFloat(v); }
    return v.toLowerCase();
  }

  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, col) {
    th.setAttribute("tabindex", "0");
    th.title = "Sort by " + th.textContent.trim();
    function sort() {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      var numeric = th.dataset.type === "num";
      headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var keyed = rows.map(function (r, i) { return [cellKey(r, col, numeric), i, r]; });
      keyed.sort(function (a, b) {
        var x = a[0], y = b[0];
        if (x === y) { return a[1] - b[1]; }
        if (x === null || x === "") { return 1; }   // empty cells last, either way
        if (y === null || y === "") { return -1; }
        var c = x < y ? -1 : 1;
        return asc ? c : -c;
      });
      var frag = document.createDocumentFragment();
      keyed.forEach(function (k) { frag.appendChild(k[2]); });
      tbody.appendChild(frag);
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
  });

  [text, severity, site, rule, onlyNew].forEach(function (el) {
    el.addEventListener("input", applyFilter);
    el.addEventListener("change", applyFilter);
  });
  applyFilter();
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
})();
