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
  function textOf(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    return holder.textContent.replace(/\s+/g, " ").trim();
  }

  function exportValue(data, row, column, node) {
    // A table drawn from data has its download values in the data (cellData, below).
    if (!node || node.closest("table[data-rows-as-data]") && node.tagName === "TD") {
      return data;
    }
    if (node.dataset.export !== undefined) {
      return node.dataset.export;
    }
    return node.textContent.replace(/\s+/g, " ").trim();
  }

  var EXPORT_OPTIONS = {
    modifier: { search: "applied", order: "current", page: "all" },
    orthogonal: "export",
    format: {
      body: exportValue,
      footer: function (data, column, node) {
        return exportValue(data, null, column, node);
      },
    },
  };

  // A long table's rows come as data (dashboards.html.table): each cell its HTML, or its HTML
  // and its attributes; drawn, sorted and downloaded like a cell of the page's own.
  var NUMBER_FORMAT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

  function cellData(value, type) {
    if (typeof value === "number") {
      // A number cell as dashboards.html.number_cell makes it: shown with thousands
      // separators and at most two decimals, sorted and downloaded by its value.
      return type === "display" || type === "filter" ? NUMBER_FORMAT.format(value)
        : type === "export" ? String(value) : value;
    }
    var html = typeof value === "string" ? value : value[0];
    var attributes = typeof value === "string" ? {} : value[1];
    if (type === "display") {
      return html;
    }
    if ((type === "sort" || type === "type") && attributes["data-order"] !== undefined) {
      return attributes["data-order"] === "" ? null : Number(attributes["data-order"]);
    }
    if (type === "export" && attributes["data-export"] !== undefined) {
      return attributes["data-export"];
    }
    return textOf(html);
  }

  // A column the page's selection implies (the pair, the department) is not shown, only
  // downloaded; in a table of data its value is the table's, not each row's.
  function dataColumns(table) {
    var context = downloadContext(table);
    var index = 0;
    return Array.prototype.map.call(table.tHead.rows[0].cells, function (header) {
      if (header.classList.contains("download-only")) {
        var value = context[header.textContent.trim()];
        return { data: null, render: function () { return value; } };
      }
      return {
        data: index++,
        render: cellData,
        createdCell: function (node, value) {
          if (typeof value === "number") {
            node.className = "number";
          } else if (typeof value !== "string") {
            Object.keys(value[1]).forEach(function (name) {
              node.setAttribute(name, value[1][name]);
            });
          }
        },
      };
    });
  }

  // What a download says of itself: the rows' context that the page's selection implied
  // (data-download-context: columns put before the table's own), and the filter applied.
  function downloadContext(table) {
    return table.dataset.downloadContext ? JSON.parse(table.dataset.downloadContext) : {};
  }

  function filterText(api) {
    var parts = [];
    if (api.search()) {
      parts.push("搜索“" + api.search() + "”");
    }
    api.columns().every(function () {
      var search = this.search();
      if (search && typeof search === "string") {
        parts.push(this.header().textContent.trim() + "：" + search);
      }
    });
    var shown = api.rows({ search: "applied" }).count();
    var all = api.rows().count();
    if (shown !== all && parts.length === 0) {
      parts.push("按页面上的选择筛选");
    }
    return shown === all ? "" : "已筛选（" + parts.join("；") + "）：" + shown + " 行，共 " + all + " 行";
  }

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
    // A filtered download says so: in its file name, and in the workbook above the table.
    function fileName() {
      return filterText(new DataTable.Api(table)) ? name + "_已筛选" : name;
    }
    var buttons = [
      {
        extend: "csvHtml5",
        text: "下载 CSV",
        bom: true,
        charset: "utf-8",
        filename: fileName,
        footer: hasFooter,
        exportOptions: EXPORT_OPTIONS,
      },
      {
        extend: "excelHtml5",
        text: "下载 Excel",
        filename: fileName,
        title: "",
        messageTop: function () {
          return filterText(new DataTable.Api(table)) || null;
        },
        sheetName: name.slice(0, 31).replace(/[[\]:*?/\\]/g, "_"),
        footer: hasFooter,
        exportOptions: EXPORT_OPTIONS,
      },
    ];
    var options = {
      columnDefs: [{ targets: "download-only", visible: false, searchable: false }],
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
    if (table.dataset.rowsAsData) {
      var data = JSON.parse(table.parentElement.querySelector("script.table-rows").textContent);
      options.data = data.rows.map(function (row) {
        return row.map(function (number) { return data.cells[number]; });
      });
      options.columns = dataColumns(table);
      options.deferRender = true;
    }
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

  // A link to a row of a paged table (…#file-…) shows the page that row is on, also in a
  // table whose rows are data (the row's element is made when its page is drawn).
  function showLinkedRow() {
    if (!location.hash || location.hash.indexOf("=") !== -1 || typeof DataTable === "undefined") {
      return;
    }
    var id = decodeURIComponent(location.hash.slice(1));
    var target = document.getElementById(id);
    var table = target && target.closest("table.data-table");
    var api = null;
    var position = -1;
    if (table) {
      api = new DataTable.Api(table);
      position = api.rows({ search: "applied", order: "current" }).nodes().toArray()
        .indexOf(target.closest("tr"));
    } else {
      document.querySelectorAll("table[data-rows-as-data][data-ready]").forEach(function (each) {
        if (api) {
          return;
        }
        var candidate = new DataTable.Api(each);
        var rows = candidate.rows({ search: "applied", order: "current" }).data().toArray();
        var found = rows.findIndex(function (row) {
          return row.some(function (value) {
            return typeof value !== "string" && value[1].id === id;
          });
        });
        if (found >= 0) {
          api = candidate;
          position = found;
        }
      });
    }
    if (!api || position < 0) {
      return;
    }
    if (api.page.len() > 0) {
      api.page(Math.floor(position / api.page.len())).draw(false);
    }
    target = document.getElementById(id);
    target.closest("tr").classList.add("linked-row");
    target.scrollIntoView({ block: "center" });
  }

  // Selects that filter a table to one value of a column (a province, a hospital).
  function setUpChoiceFilters() {
    document.querySelectorAll("form.table-filters[data-filters-for]").forEach(function (form) {
      var table = document.querySelector("table." + form.dataset.filtersFor + "[data-ready]");
      if (!table) {
        return;
      }
      var api = new DataTable.Api(table);
      form.querySelectorAll("select[data-filter-column]").forEach(function (select) {
        select.addEventListener("change", function () {
          var value = select.value;
          api.column(Number(select.dataset.filterColumn)).search(function (text) {
            return value === "" || textOf(text) === value;
          });
          api.draw();
        });
      });
    });
  }

  // The moment the page's tables are set up (the explorer's: its department's, loaded), which
  // the bench measures (bangfu:tables-ready), with bangfu:figures-drawn where there are figures.
  function markReady() {
    if (performance.getEntriesByName("bangfu:tables-ready").length === 0) {
      performance.mark("bangfu:tables-ready");
    }
  }

  // ---- Explorer -----------------------------------------------------------------------

  // A pair's explorer; the selection as the URL's hash, e.g.
  // pairs/绍兴市中医院_务川…/explorer.html#department=心内科&person=柳佳&metric=outpatient_visits&year=2022
  var SELECTION_KEYS = ["department", "person", "metric", "year"];

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
      if (selection[key]) {
        parts.push(key + "=" + encodeURIComponent(selection[key]));
      }
    });
    history.replaceState(null, "", "#" + parts.join("&"));
  }

  // A department's data file hands its section over (dashboards.pages.explorer).
  var departmentSections = {};
  window.bangfuDepartment = function (stem, html) {
    departmentSections[stem] = html;
  };

  function setUpExplorer(filters) {
    var departmentSelect = filters.querySelector("select[name=department]");
    var personInput = filters.querySelector("input[name=person]");
    var metricSelect = filters.querySelector("select[name=metric]");
    var yearSelect = filters.querySelector("select[name=year]");
    var searchInput = document.querySelector("input[name=explorer-search]");
    var results = document.getElementById("explorer-search-results");
    var index = JSON.parse(document.getElementById("explorer-index").textContent);
    var view = document.getElementById("department-view");
    var pending = 0;

    // The department's data file, loaded by a <script> (which works from file://, unlike
    // fetch) the first time the department is opened.
    function load(option, then) {
      if (departmentSections[option.value] !== undefined) {
        then();
        return;
      }
      var script = document.createElement("script");
      script.src = option.dataset.file;
      script.onload = then;
      script.onerror = function () {
        view.innerHTML = "";
        var failed = document.createElement("p");
        failed.className = "no-data";
        failed.textContent = "无法载入科室“" + option.textContent + "”的数据文件。";
        view.appendChild(failed);
      };
      document.body.appendChild(script);
    }

    function showDepartment(then) {
      var option = departmentSelect.selectedOptions[0];
      if (!option) {
        view.innerHTML = "";
        then();
        return;
      }
      if (view.dataset.department === option.value) {
        then();
        return;
      }
      var ticket = ++pending;
      load(option, function () {
        if (ticket !== pending) {
          return;  // another department was chosen meanwhile
        }
        view.innerHTML = departmentSections[option.value];
        view.dataset.department = option.value;
        then();
      });
    }

    function selection() {
      var department = departmentSelect.selectedOptions[0];
      return {
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
      writeHash(chosen);
      showDepartment(function () {
        document.querySelectorAll("details[data-metric]").forEach(function (block) {
          block.hidden = chosen.metric !== "" && block.dataset.metric !== chosen.metric;
          if (chosen.metric !== "" && block.dataset.metric === chosen.metric) {
            block.open = true;
          }
        });
        setUpVisibleTables();
        filterPeople(chosen.person.replace(/\s+/g, ""));
        markYear(chosen.year);
        drawVisibleFigures();
        markReady();
        document.dispatchEvent(new CustomEvent("bangfu:explorer-selection"));
      });
    }

    function filterPeople(person) {
      var metricTitle = metricSelect.selectedOptions[0].dataset.title || "";
      shownTables("table.people").forEach(function (table) {
        var api = new DataTable.Api(table);
        var first = api.columns(".download-only").indexes().length;
        api.column(first).search(function (name) {
          return person === "" || textOf(name).replace(/\s+/g, "").indexOf(person) !== -1;
        });
        api.column(first + 1).search(function (title) {
          return metricTitle === "" || textOf(title) === metricTitle;
        });
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
      shownTables("main table.data-table").forEach(function (table) {
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

    // One search over the pair's departments and persons.
    function search() {
      var words = searchInput.value.replace(/\s+/g, "");
      results.innerHTML = "";
      if (words === "") {
        results.hidden = true;
        return;
      }
      var matches = [];
      index.forEach(function (entry) {
        if (entry.department.replace(/\s+/g, "").indexOf(words) !== -1) {
          matches.push({ department: entry.department, person: "" });
        }
        entry.people.forEach(function (person) {
          if (person.replace(/\s+/g, "").indexOf(words) !== -1) {
            matches.push({ department: entry.department, person: person });
          }
        });
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
        var chosen = { department: entry.department, person: entry.person,
                       metric: metricSelect.value, year: yearSelect.value };
        link.href = "#";
        link.textContent = entry.person ? "人员：" + entry.person + " · " + entry.department
          : "科室：" + entry.department;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          restore(chosen);
          view.scrollIntoView();
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
        view.scrollIntoView();
      });
    });
    filters.hidden = false;
    restore(readHash());
  }

  // explorer.html#pair=…&department=… (a link from before each pair had its own explorer)
  // opens that pair's explorer on the same view.
  function followMovedExplorerLink() {
    var moved = document.getElementById("explorer-pairs");
    var parameters = new URLSearchParams(location.hash.replace(/^#/, ""));
    if (!moved || !parameters.get("pair")) {
      return false;
    }
    var target = JSON.parse(moved.textContent)[parameters.get("pair")];
    if (!target) {
      return false;
    }
    parameters.delete("pair");
    location.replace(target + "#" + parameters.toString());
    return true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (followMovedExplorerLink()) {
      return;
    }
    var filters = document.querySelector("form[data-explorer-filters]");
    if (filters) {
      setUpExplorer(filters);
    } else {
      setUpVisibleTables();
      setUpChoiceFilters();
      drawVisibleFigures();
      showLinkedRow();
      markReady();
    }
  });
})();
