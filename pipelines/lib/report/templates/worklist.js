(function () {
  "use strict";
  var table = document.getElementById("worklist");
  if (!table) { return; }
  var bodies = Array.prototype.slice.call(table.querySelectorAll("tbody.patient"));
  var text = document.getElementById("f-text"), site = document.getElementById("f-site"),
      severity = document.getElementById("f-severity"), issue = document.getElementById("f-issue"),
      isNew = document.getElementById("f-new"), unreviewed = document.getElementById("f-unreviewed"),
      count = document.getElementById("count");
  function has(list, value) { return (" " + list + " ").indexOf(" " + value + " ") >= 0; }
  function apply() {
    var q = text.value.trim().toLowerCase(), shown = 0;
    bodies.forEach(function (b) {
      var d = b.dataset;
      var ok = (!q || d.patient.indexOf(q) >= 0) && (!site.value || d.site === site.value) &&
               (!severity.value || has(d.severities, severity.value)) && (!issue.value || has(d.rules, issue.value)) &&
               (!isNew.checked || d["new"] === "yes") && (!unreviewed.checked || d.unreviewed === "yes");
      b.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown.toLocaleString("en-GB") + " of " + bodies.length.toLocaleString("en-GB") + " patients";
  }
  [text, site, severity, issue, isNew, unreviewed].forEach(function (el) {
    el.addEventListener("input", apply);
    el.addEventListener("change", apply);
  });
  function toggle(row) {
    var detail = row.nextElementSibling;
    var open = detail.hidden;
    detail.hidden = !open;
    row.setAttribute("aria-expanded", open ? "true" : "false");
  }
  bodies.forEach(function (b) {
    var row = b.querySelector("tr.row");
    row.addEventListener("click", function () { toggle(row); });
    row.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(row); }
    });
  });
  apply();
})();
