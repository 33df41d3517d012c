// Draws the figures embedded as JSON specs and drives the explorer's filters.
// Plain browser JavaScript, no network: plotly.js is the local assets/plotly.min.js.
(function () {
  "use strict";

  var PLOT_CONFIG = { displaylogo: false, responsive: true };

  // Figures are drawn only once visible, so a figure in a hidden explorer section
  // is laid out at its real width when that section is shown.
  function drawVisibleFigures() {
    if (typeof Plotly === "undefined") {
      return;
    }
    document.querySelectorAll("[data-figure-spec]").forEach(function (plot) {
      if (plot.getClientRects().length === 0) {
        return;
      }
      if (plot.dataset.drawn === "true") {
        Plotly.Plots.resize(plot);
        return;
      }
      var spec = JSON.parse(document.getElementById(plot.dataset.figureSpec).textContent);
      Plotly.newPlot(plot, spec.data, spec.layout, PLOT_CONFIG);
      plot.dataset.drawn = "true";
    });
  }

  function setUpExplorer(filters) {
    var pairSelect = filters.querySelector("select[name=pair]");
    var departmentSelect = filters.querySelector("select[name=department]");
    var personInput = filters.querySelector("input[name=person]");
    var pairSections = document.querySelectorAll("[data-explorer-pair]");

    function departmentsOf(pairId) {
      return document.querySelectorAll('[data-explorer-department][data-pair-id="' + pairId + '"]');
    }

    function fillDepartments() {
      departmentSelect.innerHTML = "";
      departmentsOf(pairSelect.value).forEach(function (section) {
        var option = document.createElement("option");
        option.value = section.dataset.explorerDepartment;
        option.textContent = section.dataset.label;
        departmentSelect.appendChild(option);
      });
      departmentSelect.disabled = departmentSelect.options.length === 0;
    }

    function apply() {
      var person = personInput.value.replace(/\s+/g, "");
      pairSections.forEach(function (section) {
        section.hidden = section.dataset.explorerPair !== pairSelect.value;
      });
      document.querySelectorAll("[data-explorer-department]").forEach(function (section) {
        section.hidden = section.dataset.explorerDepartment !== departmentSelect.value;
      });
      document.querySelectorAll("tbody[data-person]").forEach(function (group) {
        group.hidden = person !== "" && group.dataset.person.indexOf(person) === -1;
      });
      drawVisibleFigures();
    }

    pairSelect.addEventListener("change", function () {
      fillDepartments();
      apply();
    });
    departmentSelect.addEventListener("change", apply);
    personInput.addEventListener("input", apply);
    document.querySelectorAll("a[data-select-department]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        departmentSelect.value = link.dataset.selectDepartment;
        apply();
        document.getElementById(link.dataset.selectDepartment).scrollIntoView();
      });
    });
    filters.hidden = false;
    fillDepartments();
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var filters = document.querySelector("form[data-explorer-filters]");
    if (filters) {
      setUpExplorer(filters);
    } else {
      drawVisibleFigures();
    }
  });
})();
