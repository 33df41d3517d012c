// Draws the figures embedded as JSON specs, makes every table one an analyst can work with,
// and drives the explorer, whose selection lives in the URL. Plain browser JavaScript, no
// network: plotly.js and DataTables are the site's own assets/plotly.min.js and tables.js.
(function () {
  "use strict";

  // Nothing in a chart may lead off the machine: no logo link, no share-to-cloud button,
  // no link to an online editor. Modebar and number formats in Chinese (zh-CN locale).
  var PLOT_CONFIG = {
    displaylogo: false,
    showSendToCloud: false,
    showEditInChartStudio: false,
    showLink: false,
    plotlyServerURL: "",
    responsive: true,
    locale: "zh-CN",
    toImageButtonOptions: { format: "png", scale: 2 },
  };

  // Figures are drawn only once visible, so a figure in a hidden explorer section
  // is laid out at its real width when that section is shown.
  // Which elements are shown is read for all of them before any is changed: reading layout
  // after a change would lay the whole (large) page out again for every element.
  function shown(elements) {
    return Array.prototype.filter.call(elements, function (element) {
      // The content of closed <details> has boxes, but is not shown.
      return element.getClientRects().length > 0 && !element.closest("details:not([open])");
    });
  }

  function draw(plot) {
    var spec = JSON.parse(document.getElementById(plot.dataset.figureSpec).textContent);
    plot.dataset.drawn = "true";
    return Plotly.newPlot(plot, spec.data, spec.layout, PLOT_CONFIG);
  }

  // A figure is drawn when it nears the screen, so a page of many figures shows its first
  // screen without waiting for the others; the browser test measures until that moment
  // (bangfu:figures-drawn: the figures of the first screen, if any, are drawn).
  var firstScreenMarked = false;
  var nearScreen = "IntersectionObserver" in window
    ? new IntersectionObserver(function (entries) {
      var drawing = [];
      entries.forEach(function (entry) {
        if (entry.isIntersecting && entry.target.dataset.drawn !== "true") {
          nearScreen.unobserve(entry.target);
          drawing.push(draw(entry.target));
        }
      });
      // The first report covers every figure then shown: the first screen is drawn.
      if (!firstScreenMarked) {
        firstScreenMarked = true;
        Promise.all(drawing).then(function () {
          performance.mark("bangfu:figures-drawn");
        });
      }
    }, { rootMargin: "400px 0px" })
    : null;

  function drawVisibleFigures() {
    if (typeof Plotly === "undefined") {
      return;
    }
    shown(document.querySelectorAll("[data-figure-spec]")).forEach(function (plot) {
      if (plot.dataset.drawn === "true") {
        Plotly.Plots.resize(plot);
      } else if (nearScreen) {
        nearScreen.observe(plot);
      } else {
        draw(plot);
      }
    });
  }

  // A printed page holds every figure, near the screen or not.
  window.addEventListener("beforeprint", function () {
    if (typeof Plotly === "undefined") {
      return;
    }
    shown(document.querySelectorAll("[data-figure-spec]:not([data-drawn])")).forEach(draw);
  });

  // ---- Tables -------------------------------------------------------------------------

  var TABLE_LANGUAGE = {
    search: "搜索：",
    searchPlaceholder: "在本表中搜索",
    lengthMenu: "每页 _MENU_ 行",
    info: "第 _START_—_END_ 行，共 _TOTAL_ 行",
    infoEmpty: "共 0 行",
    infoFiltered: "（从 _MAX_ 行中筛选）",
    zeroRecords: "没有匹配的行",
    emptyTable: "表中没有数据",
    loadingRecords: "加载中…",
    thousands: ",",
    decimal: ".",
    paginate: { first: "首页", last: "末页", next: "下一页", previous: "上一页" },
    aria: { orderable: "点击排序", orderableReverse: "点击倒序", orderableRemove: "点击取消排序" },
    lengthLabels: { "-1": "全部" },
    buttons: { csv: "下载 CSV", excel: "下载 Excel" },
    columnControl: {
      order: "排序",
      orderAsc: "升序",
      orderDesc: "降序",
      orderClear: "取消排序",
      searchClear: "清除筛选",
      searchDropdown: "筛选",
      dropdown: "更多…",
      search: {
        text: {
          contains: "包含", notContains: "不包含", equal: "等于", notEqual: "不等于",
          starts: "开头是", ends: "结尾是", empty: "为空", notEmpty: "不为空",
        },
        number: {
          equal: "等于", notEqual: "不等于", greater: "大于", greaterOrEqual: "大于等于",
          less: "小于", lessOrEqual: "小于等于", empty: "为空", notEmpty: "不为空",
        },
      },
      list: { all: "全选", none: "全不选", empty: "无可选项", search: "搜索…" },
    },
  };

  // Tables longer than this get paging and a search box; shorter ones stay whole.
  var PAGE_LENGTH = 25;
  var SEARCH_FROM_ROWS = 10;

  // A download holds the mart's value of a number cell (data-export), not its formatting,
  // and every row of the table that the search and filters let through, not only this page.
  function exportValue(data, row, column, node) {
    if (!node) {
      return data;
    }
    if (node.dataset.export !== undefined) {
      return node.dataset.export;
    }
    return node.textContent.replace(/\s+/g, " ").trim();
  }

  var EXPORT_OPTIONS = {
    modifier: { search: "applied", order: "current", page: "all" },
    format: {
      body: exportValue,
      footer: function (data, column, node) {
        return exportValue(data, null, column, node);
      },
    },
  };

  function downloadName(table) {
    if (table.dataset.download) {
      return table.dataset.download;
    }
    var heading = null;
    var walker = table.closest(".table-wrap");
    while (walker && !heading) {
      var previous = walker.previousElementSibling;
      while (previous && !/^H[1-4]$/.test(previous.tagName) && previous.tagName !== "SUMMARY") {
        previous = previous.previousElementSibling;
      }
      heading = previous;
      walker = walker.parentElement;
    }
    var page = document.querySelector("main h1");
    var parts = [page ? page.textContent : document.title];
    if (heading && heading !== page) {
      parts.push(heading.textContent);
    }
    return parts.join("_").replace(/[\\/:*?"<>|\s]+/g, "_").slice(0, 80);
  }

  function setUpTable(table) {
    var rows = Number(table.dataset.rows || "0");
    var long = rows > SEARCH_FROM_ROWS;
    var name = downloadName(table);
    var hasFooter = table.tFoot !== null;
    var buttons = [
      {
        extend: "csvHtml5",
        text: "下载 CSV",
        bom: true,
        charset: "utf-8",
        filename: name,
        footer: hasFooter,
        exportOptions: EXPORT_OPTIONS,
      },
      {
        extend: "excelHtml5",
        text: "下载 Excel",
        filename: name,
        title: "",
        sheetName: name.slice(0, 31).replace(/[[\]:*?/\\]/g, "_"),
        footer: hasFooter,
        exportOptions: EXPORT_OPTIONS,
      },
    ];
    var options = {
      language: TABLE_LANGUAGE,
      autoWidth: false,
      order: [],
      paging: rows > PAGE_LENGTH,
      pageLength: PAGE_LENGTH,
      lengthMenu: [10, 25, 50, 100, { label: "全部", value: -1 }],
      searching: true,
      info: long,
      ordering: { indicators: !long },
      layout: {
        topStart: { buttons: buttons },
        topEnd: long ? "search" : null,
        bottomStart: long ? "info" : null,
        bottomEnd: rows > PAGE_LENGTH ? ["pageLength", "paging"] : null,
      },
    };
    if (long) {
      // A filter per column where there are rows enough to need one; elsewhere a click on
      // a column's title sorts it.
      options.columnControl = ["order", ["orderAsc", "orderDesc", "orderClear", "spacer", "search"]];
    }
    return new DataTable(table, options);
  }

  // Like figures, tables are set up once visible: the explorer holds dozens, most hidden.
  function setUpVisibleTables() {
    if (typeof DataTable === "undefined") {
      return [];
    }
    var ready = shown(document.querySelectorAll("table.data-table:not([data-ready])"));
    ready.forEach(function (table) {
      setUpTable(table);
      table.dataset.ready = "true";
    });
    return ready;
  }

  // A link to a row of a paged table (…#file-…) shows the page that row is on.
  function showLinkedRow() {
    if (!location.hash || location.hash.indexOf("=") !== -1) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var table = target && target.closest("table.data-table");
    if (!table || typeof DataTable === "undefined") {
      return;
    }
    var api = new DataTable.Api(table);
    var row = target.closest("tr");
    var position = api.rows({ search: "applied", order: "current" }).nodes().toArray().indexOf(row);
    if (position >= 0 && api.page.len() > 0) {
      api.page(Math.floor(position / api.page.len())).draw(false);
    }
    row.classList.add("linked-row");
    target.scrollIntoView({ block: "center" });
  }

  // ---- Explorer -----------------------------------------------------------------------

  // The selection as the URL's hash, e.g.
  // explorer.html#pair=绍兴市中医院/务川…&department=心内科&person=柳佳&metric=outpatient_visits&year=2022
  var SELECTION_KEYS = ["pair", "department", "person", "metric", "year"];

  function readHash() {
    var parameters = new URLSearchParams(location.hash.replace(/^#/, ""));
    var selection = {};
    SELECTION_KEYS.forEach(function (key) {
      selection[key] = (parameters.get(key) || "").trim();
    });
    return selection;
  }

  function writeHash(selection) {
    var parts = [];
    SELECTION_KEYS.forEach(function (key) {
      if (!selection[key]) {
        return;
      }
      var value = key === "pair"
        ? selection.pair.split("/").map(encodeURIComponent).join("/")
        : encodeURIComponent(selection[key]);
      parts.push(key + "=" + value);
    });
    history.replaceState(null, "", "#" + parts.join("&"));
  }

  function setUpExplorer(filters) {
    var pairSelect = filters.querySelector("select[name=pair]");
    var departmentSelect = filters.querySelector("select[name=department]");
    var personInput = filters.querySelector("input[name=person]");
    var metricSelect = filters.querySelector("select[name=metric]");
    var yearSelect = filters.querySelector("select[name=year]");
    var searchInput = document.querySelector("input[name=explorer-search]");
    var results = document.getElementById("explorer-search-results");
    var index = JSON.parse(document.getElementById("explorer-index").textContent);
    var pairSections = document.querySelectorAll("[data-explorer-pair]");

    function pairOption(key) {
      return Array.prototype.find.call(pairSelect.options, function (option) {
        return option.dataset.key === key;
      });
    }

    function departmentsOf(pairId) {
      return document.querySelectorAll('[data-explorer-department][data-pair-id="' + pairId + '"]');
    }

    function fillDepartments() {
      departmentSelect.innerHTML = "";
      departmentsOf(pairSelect.value).forEach(function (section) {
        var option = document.createElement("option");
        option.value = section.dataset.explorerDepartment;
        option.dataset.key = section.dataset.department;
        option.textContent = section.dataset.label;
        departmentSelect.appendChild(option);
      });
      departmentSelect.disabled = departmentSelect.options.length === 0;
    }

    function selection() {
      var department = departmentSelect.selectedOptions[0];
      return {
        pair: pairSelect.selectedOptions[0].dataset.key,
        department: department ? department.dataset.key : "",
        person: personInput.value.trim(),
        metric: metricSelect.value,
        year: yearSelect.value,
      };
    }

    // The set-up tables of the sections shown.
    function shownTables(selector) {
      return shown(document.querySelectorAll(selector + "[data-ready]"));
    }

    function apply() {
      var chosen = selection();
      var person = chosen.person.replace(/\s+/g, "");
      pairSections.forEach(function (section) {
        section.hidden = section.dataset.explorerPair !== pairSelect.value;
      });
      document.querySelectorAll("[data-explorer-department]").forEach(function (section) {
        section.hidden = section.dataset.explorerDepartment !== departmentSelect.value;
      });
      document.querySelectorAll("details[data-metric]").forEach(function (block) {
        block.hidden = chosen.metric !== "" && block.dataset.metric !== chosen.metric;
        if (chosen.metric !== "" && block.dataset.metric === chosen.metric) {
          block.open = true;
        }
      });
      setUpVisibleTables();
      filterPeople(person);
      markYear(chosen.year);
      drawVisibleFigures();
      writeHash(chosen);
      document.dispatchEvent(new CustomEvent("bangfu:explorer-selection"));
    }

    function filterPeople(person) {
      var metricTitle = metricSelect.selectedOptions[0].dataset.title || "";
      shownTables("table.people").forEach(function (table) {
        var api = new DataTable.Api(table);
        api.column(0).search(function (name) {
          return person === "" || name.replace(/\s+/g, "").indexOf(person) !== -1;
        });
        api.column(1).search(metricTitle, { exact: true });
        api.draw();
      });
    }

    function markYear(year) {
      document.querySelectorAll(".selected-year").forEach(function (element) {
        element.classList.remove("selected-year");
      });
      if (!year) {
        return;
      }
      shownTables("[data-explorer-pair] table.data-table").forEach(function (table) {
        new DataTable.Api(table).columns().every(function () {
          if (this.header().textContent.trim().indexOf(year + " 年") === 0) {
            this.header().classList.add("selected-year");
            this.nodes().each(function (node) {
              node.classList.add("selected-year");
            });
          }
        });
      });
    }

    function restore(chosen) {
      var option = pairOption(chosen.pair) || pairSelect.options[0];
      pairSelect.value = option.value;
      fillDepartments();
      var department = Array.prototype.find.call(departmentSelect.options, function (o) {
        return o.dataset.key === chosen.department;
      });
      if (department) {
        departmentSelect.value = department.value;
      }
      personInput.value = chosen.person;
      metricSelect.value = Array.prototype.some.call(metricSelect.options, function (o) {
        return o.value === chosen.metric;
      }) ? chosen.metric : "";
      yearSelect.value = Array.prototype.some.call(yearSelect.options, function (o) {
        return o.value === chosen.year;
      }) ? chosen.year : "";
      apply();
    }

    // One search over every department and person of every pair.
    function search() {
      var words = searchInput.value.replace(/\s+/g, "");
      results.innerHTML = "";
      if (words === "") {
        results.hidden = true;
        return;
      }
      var matches = index.filter(function (entry) {
        return (entry.person || entry.department).replace(/\s+/g, "").indexOf(words) !== -1;
      });
      results.hidden = false;
      if (matches.length === 0) {
        var none = document.createElement("p");
        none.className = "no-match";
        none.setAttribute("role", "status");
        none.textContent = "没有找到与“" + searchInput.value.trim() + "”匹配的科室或人员。";
        results.appendChild(none);
        return;
      }
      var list = document.createElement("ul");
      matches.slice(0, 50).forEach(function (entry) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        var chosen = { pair: entry.pair, department: entry.department, person: entry.person || "",
                       metric: metricSelect.value, year: yearSelect.value };
        link.href = "#";
        link.textContent = (entry.person ? "人员：" + entry.person + " · " : "科室：") +
          entry.department + "（" + entry.pair_label + "）";
        link.addEventListener("click", function (event) {
          event.preventDefault();
          restore(chosen);
          document.querySelector('[data-explorer-department]:not([hidden])').scrollIntoView();
        });
        item.appendChild(link);
        list.appendChild(item);
      });
      var count = document.createElement("p");
      count.setAttribute("role", "status");
      count.textContent = "找到 " + matches.length + " 项" + (matches.length > 50 ? "（列出前 50 项）" : "") + "：";
      results.appendChild(count);
      results.appendChild(list);
    }

    pairSelect.addEventListener("change", function () {
      fillDepartments();
      apply();
    });
    [departmentSelect, metricSelect, yearSelect].forEach(function (control) {
      control.addEventListener("change", apply);
    });
    personInput.addEventListener("input", apply);
    // A table in a metric's <details> is set up when the details are opened.
    document.addEventListener("toggle", function (event) {
      if (event.target.open && setUpVisibleTables().length) {
        markYear(yearSelect.value);
      }
    }, true);
    searchInput.addEventListener("input", search);
    window.addEventListener("hashchange", function () {
      restore(readHash());
    });
    document.querySelectorAll("a[data-select-department]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        departmentSelect.value = link.dataset.selectDepartment;
        apply();
        document.getElementById(link.dataset.selectDepartment).scrollIntoView();
      });
    });
    filters.hidden = false;
    restore(readHash());
  }

  document.addEventListener("DOMContentLoaded", function () {
    var filters = document.querySelector("form[data-explorer-filters]");
    if (filters) {
      setUpExplorer(filters);
    } else {
      setUpVisibleTables();
      drawVisibleFigures();
      showLinkedRow();
    }
  });
})();
