// iampath report: the account and severity filters, and expand/collapse.
// No network, no libraries: it only shows, hides and dims what is already on the page.
(function () {
  "use strict";
  var accountSelect = document.getElementById("account-filter");
  var severityBoxes = Array.prototype.slice.call(
    document.querySelectorAll(".severity-filter input[type=checkbox]"));

  function selectedSeverities() {
    var on = {};
    severityBoxes.forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }

  function touches(el, account) {
    if (!account) { return true; }
    var list = (el.getAttribute("data-account") || "").split(" ");
    return list.indexOf(account) >= 0;
  }

  function apply() {
    var account = accountSelect ? accountSelect.value : "";
    var severities = selectedSeverities();
    // Lists: hide what does not touch the account or is of an unchecked severity.
    document.querySelectorAll("main [data-account]").forEach(function (el) {
      if (el.closest("svg")) { return; }
      var sev = el.getAttribute("data-severity");
      var shown = touches(el, account) && (!sev || severities[sev] !== false);
      el.classList.toggle("hidden", !shown);
    });
    document.querySelectorAll("details.severity[data-severity]").forEach(function (el) {
      el.classList.toggle("hidden", severities[el.getAttribute("data-severity")] === false);
    });
    // Drawings keep their layout: what does not touch the account is dimmed.
    document.querySelectorAll("svg.diagram [data-account]").forEach(function (el) {
      el.classList.toggle("dim", !touches(el, account));
    });
  }

  function setAll(open) {
    document.querySelectorAll("main details").forEach(function (d) { d.open = open; });
  }

  if (accountSelect) { accountSelect.addEventListener("change", apply); }
  severityBoxes.forEach(function (box) { box.addEventListener("change", apply); });
  var expand = document.getElementById("expand-all");
  var collapse = document.getElementById("collapse-all");
  if (expand) { expand.addEventListener("click", function () { setAll(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { setAll(false); }); }
  apply();
  document.body.setAttribute("data-ready", "true");
})();
