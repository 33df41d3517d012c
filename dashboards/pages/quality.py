"""数据质量: file statuses, rejections and warnings, reporting completeness, quarantined rows.

The site's quality page sums up every pair (a row per pair, each problem's count) and lists
the files of no known pair; each pair's quality page (`pairs/<pair>/quality.html`) lists its
own files, problems, reports to chase and quarantined rows, long lists paged.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, datetime

from dashboards import feedback
from dashboards.context import Document, Page, SiteContext
from dashboards.figures import ReportingCell, embed, reporting_heat_map
from dashboards.html import (
    NOT_COMPUTABLE,
    Markup,
    badge,
    cell,
    count_cell,
    esc,
    format_count,
    join,
    no_data,
    note,
    number_cell,
    table,
    tag,
)
from dashboards.labels import (
    COVERAGE_STATUSES,
    EXPECTED_REPORT_STATUSES,
    FILE_STATUSES,
    FORM_TYPES,
    REPORTING_STATUSES,
    SEVERITIES,
    Label,
    label_for,
)
from dashboards.marts import Marts, Pair
from dashboards.pair_site import QUALITY, href, pair_path, pair_slug, root_of
from dashboards.parts import Part


def render(context: SiteContext) -> Markup:
    marts = context.marts
    files = marts.rows("ingest_files")
    issues = marts.rows("ingest_issues")
    pairs = marts.pairs()
    known = set(pairs)
    unpaired_files = [f for f in files if _pair_of(f) not in known]
    unpaired_paths = {f["file_path"] for f in unpaired_files}
    unpaired_issues = [i for i in issues if i["file_path"] in unpaired_paths]
    return join(
        [
            tag(
                "ul",
                [tag("li", tag("a", title, href=f"#{anchor}")) for anchor, title in SUMMARY],
                class_="toc",
            ),
            _files_section(marts, files),
            _pairs_section(marts, pairs, files, issues),
            _issue_summary(marts, issues, "issues"),
            tag("h2", dict(SUMMARY)["unpaired"], id="unpaired"),
            note("无法确定帮扶关系的文件（例如医院名称无法识别），不属于任何帮扶关系的页面。"),
            _issue_groups(unpaired_issues, feedback.FeedbackEntries(marts), ""),
            _file_list_section(marts, unpaired_files, heading=False),
        ]
    )


SUMMARY = (
    ("files", "文件接收情况"),
    ("pairs", "各帮扶关系"),
    ("issues", "退回原因与提示"),
    ("unpaired", "未识别帮扶关系的文件"),
)

SECTIONS = (
    ("files", "文件接收情况"),
    ("issues", "退回原因与提示"),
    ("completeness", "报送完整性"),
    ("quarantine", "被退回的数据行"),
    ("file-list", "文件清单"),
)


def _pair_of(row: dict) -> Pair | None:
    supporting, recipient = row.get("supporting_hospital"), row.get("recipient_hospital")
    return Pair(supporting, recipient) if supporting and recipient else None


def _pairs_section(marts: Marts, pairs: list[Pair], files: tuple[dict, ...],
                   issues: tuple[dict, ...]) -> Markup:
    """A row per pair: its files by status, its problems, its reports missing; sortable."""
    heading = tag("h2", dict(SUMMARY)["pairs"], id="pairs")
    if not pairs:
        return join([heading, no_data("数据仓库中还没有帮扶关系")])
    statuses: dict[Pair | None, Counter] = defaultdict(Counter)
    for row in files:
        statuses[_pair_of(row)][row["status"]] += 1
    severities: dict[Pair | None, Counter] = defaultdict(Counter)
    for row in issues:
        severities[_pair_of(row)][row["severity"]] += 1
    chase: dict[Pair | None, Counter] = defaultdict(Counter)
    for row in marts.rows("mart_expected_reports"):
        chase[_pair_of(row)][row["status"]] += 1
    shown = ("accepted", "partial", "rejected")
    rows = [
        [
            cell(tag("a", pair.label, href=href(pair_path(pair, QUALITY))),
                 data_pair=pair_slug(pair)),
            count_cell(statuses[pair].total()),
            *(count_cell(statuses[pair][status], data_status=status) for status in shown),
            count_cell(severities[pair]["error"], data_severity="error"),
            count_cell(severities[pair]["warning"], data_severity="warning"),
            *(count_cell(chase[pair][status]) for status in ("missing", "rejected")),
        ]
        for pair in pairs
    ]
    header = ["帮扶关系", "文件数", *(FILE_STATUSES[s].text for s in shown), "错误", "提示",
              *(f"{EXPECTED_REPORT_STATUSES[s].text}（份）" for s in ("missing", "rejected"))]
    return join([
        heading,
        note("每个帮扶关系一行，可排序；点击帮扶关系查看其每一条问题、报送完整性和文件清单。"),
        table(header, rows, class_="quality-pairs", download="数据质量_各帮扶关系"),
    ])


def pair_parts(pairs: list[Pair]) -> list[Part]:
    """Each pair's quality page, a part of the site each."""
    return [Part(pair_path(pair, QUALITY), _pair_quality, (pair,)) for pair in pairs]


def _pair_quality(context: SiteContext, pair: Pair) -> list[Document]:
    from dashboards.pages.leadership import pair_links

    marts = context.marts
    path = pair_path(pair, QUALITY)
    root = root_of(path)
    files = marts.rows("ingest_files", pair)
    issues = marts.rows("ingest_issues", pair)
    body = join(
        [
            pair_links(pair, "quality"),
            tag(
                "ul",
                [tag("li", tag("a", title, href=f"#{anchor}")) for anchor, title in SECTIONS],
                class_="toc",
            ),
            _files_section(marts, files),
            _issue_summary(marts, issues, "issues"),
            _issue_groups(issues, feedback.FeedbackEntries(marts, pair), root),
            _completeness_section(marts, pair),
            _quarantine_section(marts, pair),
            _file_list_section(marts, files),
        ]
    )
    return [Document(path, f"数据质量 · {pair.label}", body, PAGE.filename)]


def _heading(anchor: str) -> Markup:
    return tag("h2", dict(SECTIONS)[anchor], id=anchor)


def _status_badge(labels: dict[str, Label], code: str | None) -> Markup:
    label = label_for(labels, code)
    return badge(label.text, label.tone)


def _text(value: object) -> str:
    """A cell's text: dates as ISO, NULL as a dash."""
    if value is None:
        return NOT_COMPUTABLE
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _period(row: dict) -> str:
    if row.get("period_start") is None and row.get("period_end") is None:
        return NOT_COMPUTABLE
    return f"{_text(row.get('period_start'))} 至 {_text(row.get('period_end'))}"


def _files_section(marts: Marts, files: tuple[dict, ...]) -> Markup:
    heading = _heading("files")
    if not marts.has("ingest_files"):
        return join([heading, no_data()])
    counts = Counter(row["status"] for row in files)
    statuses = [*FILE_STATUSES, *sorted(counts.keys() - FILE_STATUSES.keys())]
    rows = [
        [
            _status_badge(FILE_STATUSES, status),
            count_cell(counts.get(status), data_status=status),
            label_for(FILE_STATUSES, status).description,
        ]
        for status in statuses
    ]
    total = [tag("strong", "合计"), count_cell(counts.total()), ""]
    return join(
        [
            heading,
            note("每个文件版本计一次；同一路径被替换后，旧版本记为“已撤回”。"),
            table(["状态", "文件数", "说明"], rows, class_="file-status", footer=[total]),
        ]
    )


def _by_code(issues: tuple[dict, ...] | list[dict]) -> dict[str, list[dict]]:
    """The issues by code, errors first, then the most frequent."""
    by_code: dict[str, list[dict]] = defaultdict(list)
    for issue in issues:
        by_code[issue["code"]].append(issue)
    severity_rank = {severity: rank for rank, severity in enumerate(SEVERITIES)}

    def code_order(code: str) -> tuple:
        severity = by_code[code][0]["severity"]
        return (severity_rank.get(severity, len(severity_rank)), -len(by_code[code]), code)

    return {code: by_code[code] for code in sorted(by_code, key=code_order)}


def _issue_summary(marts: Marts, issues: tuple[dict, ...], anchor: str) -> Markup:
    """A row per problem: how many times and in how many files; linked to its list when the
    page lists them."""
    heading = _heading(anchor)
    if not marts.has("ingest_issues"):
        return join([heading, no_data()])
    if not issues:
        return join([heading, note("没有发现任何问题。")])
    by_code = _by_code(issues)
    codes = list(by_code)
    summary = table(
        ["问题", "类别", "条数", "涉及文件数"],
        [
            [
                tag("a", _code_name(code, by_code[code]), href=f"#issue-{code}"),
                _status_badge(SEVERITIES, by_code[code][0]["severity"]),
                count_cell(len(by_code[code])),
                count_cell(len({i["sha256"] for i in by_code[code]})),
            ]
            for code in codes
        ],
        class_="issue-summary",
    )
    return join(
        [
            heading,
            note(
                "“错误”导致文件或数据行被退回，请按说明修改后重新提交；“提示”不影响接收，请核对。"
                "每一条都链接到所属科室的退回清单中该文件的位置。"
            ),
            summary,
        ]
    )


def _issue_groups(issues: tuple[dict, ...] | list[dict],
                  entries: feedback.FeedbackEntries | None, root: str) -> Markup:
    """Every problem, a table per code (paged when long); `entries` links each to its
    退回清单 entry (from the page at `root`)."""
    by_code = _by_code(issues)
    return join(_issue_group(code, by_code[code], entries, root) for code in by_code)


def _code_name(code: str, issues: list[dict]) -> Markup:
    """The problem's Chinese name for readers, its code beside it for analysts who search the
    warehouse or the issue-code seed."""
    title = issues[0].get("code_title_zh")
    return join([title, " ", tag("code", code, class_="issue-code")]) if title else esc(code)


def _issue_group(code: str, issues: list[dict], entries: feedback.FeedbackEntries | None,
                 root: str) -> Markup:
    severity = label_for(SEVERITIES, issues[0]["severity"])
    ordered = sorted(
        issues, key=lambda i: (i["file_path"] or "", i["sheet"] or "", i["row_number"] or 0)
    )
    rows = [
        [
            issue["file_path"],
            _text(issue["sheet"]),
            _location(issue),
            _text(issue["column_name"]),
            _text(issue.get("value_found")),
            issue["message"],
            _status_badge(FILE_STATUSES, issue.get("file_status")),
            _feedback_link(entries.href(issue) if entries else None, root),
        ]
        for issue in ordered
    ]
    return join(
        [
            tag(
                "h3",
                [_code_name(code, issues), "　", badge(severity.text, severity.tone),
                 f"　{len(issues)} 条"],
                id=f"issue-{code}",
            ),
            table(
                ["文件", "工作表", "位置", "列", "发现的值", "说明", "文件状态", "退回清单"],
                rows,
                class_="issues",
            ),
        ]
    )


def _feedback_link(entry: str | None, root: str) -> Markup:
    """The issue's entry in its department's 退回清单 (from the site's root); a settled file's
    problem is in none."""
    if entry is None:
        return tag("span", "无需修改（文件已撤回、被替代或重复）", class_="missing")
    return tag("a", "查看退回清单", href=root + entry)


def _location(issue: dict) -> str:
    if issue.get("cell"):
        return issue["cell"]
    if issue.get("row_number") is not None:
        return f"第 {issue['row_number']} 行"
    return "整个文件"


def _completeness_section(marts: Marts, pair: Pair) -> Markup:
    heading = _heading("completeness")
    if not marts.has("mart_reporting_completeness"):
        return join([heading, no_data()])
    rows = marts.rows("mart_reporting_completeness", pair)
    if not rows:
        return join([heading, no_data("尚未设定报送计划，也没有收到报表")])
    legend = tag(
        "p",
        [
            tag("span", [badge(label.text, label.tone), f" {label.description}"])
            for label in COVERAGE_STATUSES.values()
        ],
        class_="legend",
    )
    deadlines = {row["on_time_days"] for row in rows}
    parts: list[object] = [heading, legend]
    if len(deadlines) == 1:
        parts.append(note(f"截止时间：统计周期结束后 {deadlines.pop()} 天内（以文件修改时间为准）；"
                          "被整份退回的报表不算已报送，修改后重新提交即可。"))
    parts += [
        _heat_map(rows, "quality-completeness"),
        _completeness_table(rows),
        _chase_list(marts, pair),
    ]
    return join(parts)


def _chase_list(marts: Marts, pair) -> Markup:
    """催报清单: every expected report not accepted, by department and period."""
    rows = [r for r in marts.rows("mart_expected_reports", pair) if r["status"] != "accepted"]
    heading = tag("h4", f"催报清单（{len(rows)} 份）")
    if not rows:
        return join([heading, note("应报的报表均已接收。")])
    body = [
        [
            row["department"],
            row["period_label"],
            _status_badge(EXPECTED_REPORT_STATUSES, row["status"]),
            row.get("files_rejected_paths") or "",
        ]
        for row in sorted(rows, key=lambda r: (r["department"], r["period_start"]))
    ]
    return join([heading, table(["科室", "统计周期", "状态", "被退回的文件"], body,
                                class_="chase-list")])


def _heat_map(rows: list[dict], figure_id: str) -> Markup:
    departments = sorted({_text(row["department"]) for row in rows})
    periods = [
        label for _, label in sorted({((r["year"], r["quarter"]), r["period_label"]) for r in rows})
    ]
    cells = [
        ReportingCell(
            department=_text(row["department"]),
            period=row["period_label"],
            status=_coverage_status(row),
            hover=(
                f"{_text(row['department'])} · {row['period_label']}<br>"
                f"状态：{label_for(COVERAGE_STATUSES, _coverage_status(row)).text}"
                f"（报送：{label_for(REPORTING_STATUSES, row['status']).text}）<br>"
                f"应报：{_expected(row.get('reports_expected', row['expected']))}"
                f"　已接收：{format_count(row.get('reports_accepted'))}"
                f"　收到：{format_count(row['reports_received'])}"
                f"　按时：{format_count(row['reports_on_time'])}<br>"
                f"首次收到：{_text(row['first_received_at'])}"
            ),
        )
        for row in rows
    ]
    not_expected = COVERAGE_STATUSES["not_expected"]
    figure = reporting_heat_map(
        departments, periods, cells, COVERAGE_STATUSES,
        ReportingCell("", "", "not_expected", f"状态：{not_expected.text}"),
    )
    return embed(figure, figure_id, "各科室各季度报送情况")


def _coverage_status(row: dict) -> str:
    """What the grid shows; a warehouse built before coverage existed has only `status`."""
    fallback = {"on_time": "accepted", "late": "accepted"}
    return row.get("coverage_status") or fallback.get(row["status"], row["status"])


def _expected(value: object) -> str:
    """`expected` is a flag or a number of reports, depending on the completeness model."""
    if isinstance(value, bool):
        return "是" if value else "否"
    return format_count(value)


def _completeness_table(rows: list[dict]) -> Markup:
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        counts[_text(row["department"])][row["status"]] += 1
    statuses = list(REPORTING_STATUSES)
    return table(
        ["科室", *(REPORTING_STATUSES[s].text + "（季度数）" for s in statuses)],
        [
            [
                department,
                *(count_cell(counts[department][s], data_status=s) for s in statuses),
            ]
            for department in sorted(counts)
        ],
        class_="completeness",
    )


def _quarantine_section(marts: Marts, pair: Pair) -> Markup:
    heading = _heading("quarantine")
    if not marts.has("quarantined_rows"):
        return join([heading, no_data()])
    rows = marts.rows("quarantined_rows", pair)
    if not rows:
        return join([heading, note("没有被退回的数据行。")])
    ordered = sorted(
        rows, key=lambda r: (r["file_path"] or "", r["sheet"] or "", r["row_number"] or 0)
    )
    return join(
        [
            heading,
            note("以下数据行因错误未计入统计，原始内容原样保留；请按原因修改后重新提交。"),
            table(
                ["文件", "工作表", "行", "姓名", "科室", "统计周期", "原因", "原始内容"],
                [
                    [
                        row["file_path"],
                        _text(row["sheet"]),
                        number_cell(row["row_number"], _text(row["row_number"])),
                        _text(row["person_name"]),
                        _text(row["department"]),
                        _period(row),
                        _text(row["reasons"]),
                        _raw_cells(row["raw_cells_json"]),
                    ]
                    for row in ordered
                ],
                class_="quarantine",
            ),
        ]
    )


def _raw_cells(raw: str | None) -> str:
    """The row's cells as written (`列：值`), from the JSON the loader kept."""
    if raw is None:
        return NOT_COMPUTABLE
    try:
        cells = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(cells, dict):
        return "；".join(f"{column}：{_text(value)}" for column, value in cells.items())
    return _text(cells)


def _file_list_section(marts: Marts, files: tuple[dict, ...] | list[dict], *,
                       heading: bool = True) -> Markup:
    heading = _heading("file-list") if heading else None
    if not marts.has("ingest_files"):
        return join([heading, no_data()])
    if not files:
        return join([heading, no_data("还没有收到任何文件")])
    status_rank = {status: rank for rank, status in enumerate(FILE_STATUSES)}
    ordered = sorted(
        files, key=lambda f: (status_rank.get(f["status"], len(status_rank)), f["file_path"] or "")
    )
    return join(
        [
            heading,
            table(
                [
                    "文件",
                    "状态",
                    "表类型",
                    "支援医院",
                    "受援医院",
                    "科室",
                    "统计周期",
                    "接收行数",
                    "退回行数",
                    "错误",
                    "提示",
                ],
                [
                    [
                        f["file_path"],
                        _status_badge(FILE_STATUSES, f["status"]),
                        label_for(FORM_TYPES, f["form_type"]).text,
                        _text(f["supporting_hospital"]),
                        _text(f["recipient_hospital"]),
                        _text(f["department"]),
                        _period(f),
                        *(
                            number_cell(f.get(column), _text(f.get(column)))
                            for column in (
                                "rows_accepted",
                                "rows_rejected",
                                "error_count",
                                "warning_count",
                            )
                        ),
                    ]
                    for f in ordered
                ],
                class_="files",
            ),
        ]
    )


PAGE = Page(
    filename="quality.html",
    title="数据质量",
    summary=(
        "文件接收状态、每一条退回原因和提示（文件 · 工作表 · 单元格）、"
        "各科室按季度的报送完整性，以及被退回的数据行。"
    ),
    render=render,
)
