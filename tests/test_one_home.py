"""Each word and each rule has one home. Acceptance of issue 21:
- every file-status, severity and form-type literal in Python, SQL and JSON is a row of its
  seed, and no module keeps its own words for them;
- the import rules: dashboards/ import no ingest module (pipelines.forms, pipelines.warehouse,
  pipelines.authoring), no cycle between dashboards and pipelines.authoring, no arrow up
  (pipelines/warehouse/ imports neither the batch nor the steps that use it)."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from pipelines.catalogue import (
    FILE_STATUSES_SEED,
    FORM_TYPES_SEED,
    SEVERITIES_SEED,
    mart_statuses,
    words,
)
from pipelines.digests import imported_modules

REPO = Path(__file__).resolve().parents[1]
PYTHON = [p for top in ("pipelines", "dashboards", "portal") for p in (REPO / top).rglob("*.py")]
SQL = sorted(p for top in ("models", "macros", "tests")
             for p in (REPO / "dbt_project" / top).rglob("*.sql"))
CJK = re.compile(r"[\u4e00-\u9fff]")

# The names a file status, a severity or a form type goes by, in code and in SQL.
FIELDS = {
    "file_status": FILE_STATUSES_SEED, "verdict": FILE_STATUSES_SEED,
    "severity": SEVERITIES_SEED, "form_type": FORM_TYPES_SEED,
}


def codes(field: str) -> set[str]:
    return set(words(FIELDS[field]))


def _field_named(node: ast.AST) -> str | None:
    """The field an expression reads: x.severity, x["form_type"], x.get("verdict"), severity."""
    if isinstance(node, ast.Attribute):
        name = node.attr
    elif isinstance(node, ast.Name):
        name = node.id
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        name = node.slice.value
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
          and node.func.attr == "get" and node.args and isinstance(node.args[0], ast.Constant)):
        name = node.args[0].value
    else:
        return None
    return name if name in FIELDS else None


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [s for element in node.elts for s in _strings(element)]
    return []


def python_literals() -> Iterator[tuple[str, str, str]]:
    """(where, field, literal) of each comparison of a status, severity or form type."""
    for path in PYTHON:
        for node in ast.walk(ast.parse(path.read_bytes())):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            fields = [f for f in map(_field_named, sides) if f]
            for field in fields:
                for side in sides:
                    for literal in _strings(side):
                        yield f"{path.relative_to(REPO)}:{node.lineno}", field, literal


SQL_COMPARISON = re.compile(
    r"\b(?:\w+\.)?(?P<field>severity|form_type|verdict|file_status)\s*"
    r"(?:=|<>|!=|\bnot in\b|\bin\b)\s*(?P<right>\([^()]*\)|'[^']*')", re.IGNORECASE)
# ingest_files.status is a file status wherever the model or test reads it as `files.status`.
SQL_FILE_STATUS = re.compile(
    r"\bfiles\.status\s*(?:=|<>|!=|\bnot in\b|\bin\b)\s*(?P<right>\([^()]*\)|'[^']*')")


def sql_literals(text: str, where: str) -> Iterator[tuple[str, str, str]]:
    for match in SQL_COMPARISON.finditer(text):
        for literal in re.findall(r"'([^']*)'", match["right"]):
            yield where, match["field"].lower(), literal
    for match in SQL_FILE_STATUS.finditer(text):
        for literal in re.findall(r"'([^']*)'", match["right"]):
            yield where, "file_status", literal


def test_every_status_severity_and_form_type_literal_is_a_row_of_its_seed():
    found = list(python_literals())
    for path in SQL:
        found += sql_literals(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    for path in (REPO / "dbt_project" / "models").rglob("*.yml"):
        found += sql_literals(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    # ingest_files' own rules read its status unqualified
    (files,) = [m for m in yaml.safe_load((REPO / "dbt_project/models/marts/marts.yml")
                                          .read_text(encoding="utf-8"))["models"]
                if m["name"] == "ingest_files"]
    for expression in files["data_tests"][0]["rules"]["arguments"]["expressions"]:
        found += [("marts.yml ingest_files", "file_status", literal)
                  for literal in re.findall(r"'([^']*)'", expression)]
    for path in (REPO / "expectations" / "suites").glob("*.json"):
        for expectation in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            condition = expectation["kwargs"].get("row_condition") or {}
            field = (condition.get("column") or {}).get("name")
            if field in FIELDS:
                found.append((path.name, field, condition["parameter"]))
    strays = [(where, field, literal) for where, field, literal in found
              if literal not in codes(field)]
    assert strays == []
    # the scan sees them: each seed is compared with somewhere in each language
    assert {field for _, field, _ in found} >= {"severity", "form_type", "verdict",
                                                 "file_status"}
    assert any(where.endswith(".json") for where, _, _ in found)


def test_no_module_keeps_its_own_words_for_them():
    """A dict from a seed's codes to Chinese text is a second home of the seed's words."""
    seeds = [set(words(name)) for name in (FILE_STATUSES_SEED, SEVERITIES_SEED, FORM_TYPES_SEED)]
    seeds += [set(mart_statuses(family)) for family in
              ("expected_report", "reporting", "coverage", "work_plan", "attainment")]
    copies = []
    for path in PYTHON:
        for node in ast.walk(ast.parse(path.read_bytes())):
            if not isinstance(node, ast.Dict) or len(node.keys) < 2:
                continue
            if not all(isinstance(k, ast.Constant) and isinstance(k.value, str)
                       for k in node.keys):
                continue
            keys = {k.value for k in node.keys}
            chinese = any(CJK.search(s) for v in node.values for s in _strings(v))
            if chinese and any(keys <= codes for codes in seeds):
                copies.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert copies == []


# --- the import rules ------------------------------------------------------------------------

INGEST = ("pipelines.forms", "pipelines.warehouse", "pipelines.authoring")
# The engines' read-only door onto the published marts (a DuckDB file or a PostgreSQL schema),
# which the site reads through: the warehouse room's "reading marts", not ingest.
MART_READING = ("pipelines.warehouse.reading", "pipelines.warehouse.location")


def imports_of(top: str) -> dict[str, set[str]]:
    """Each module under a top folder and the bangfu modules it imports (at any depth)."""
    graph = {}
    for path in (REPO / top).rglob("*.py"):
        module = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(
            ".__init__")
        graph[module] = {m for m in imported_modules(path)
                         if m.split(".")[0] in ("pipelines", "dashboards")}
    return graph


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_dashboards_import_no_ingest_module():
    arrows = sorted((module, imported) for module, imported_ in imports_of("dashboards").items()
                    for imported in imported_ if any(_within(imported, p) for p in INGEST)
                    and not any(_within(imported, p) for p in MART_READING))
    assert arrows == []


def test_no_cycle_between_dashboards_and_authoring():
    down = {(m, i) for m, i_ in imports_of("dashboards").items() for i in i_
            if _within(i, "pipelines.authoring")}
    up = {(m, i) for m, i_ in imports_of("pipelines/authoring").items() for i in i_
          if _within(i, "dashboards")}
    assert not (down and up), (sorted(down), sorted(up))


def test_no_arrow_up_from_the_warehouse():
    """The engines know tables, not the steps that fill them: no import of the batch, the
    Dagster definitions, the command line or the dashboards from pipelines/warehouse/."""
    upward = ("pipelines.batch", "pipelines.defs", "pipelines.cli", "pipelines.checking",
              "dashboards")
    arrows = sorted((module, imported)
                    for module, imported_ in imports_of("pipelines/warehouse").items()
                    for imported in imported_ if any(_within(imported, p) for p in upward))
    assert arrows == []


def test_the_warehouse_and_ingest_know_nothing_of_the_site():
    """The site's files (its index page, its temporary folders) are the site builder's."""
    texts = {path: path.read_text(encoding="utf-8")
             for top in ("pipelines/warehouse", "pipelines/forms")
             for path in (REPO / top).rglob("*.py")}
    texts[REPO / "pipelines/defs/ingest.py"] = (REPO / "pipelines/defs/ingest.py").read_text(
        encoding="utf-8")
    mentions = sorted(str(path.relative_to(REPO)) for path, text in texts.items()
                      if re.search(r"index\.html|building-|retired-", text))
    assert mentions == []


def test_marts_read_intermediate_models_not_each_other():
    marts = REPO / "dbt_project/models/marts"
    names = {path.stem for path in marts.glob("*.sql")}
    arrows = sorted((path.stem, name) for path in marts.glob("*.sql")
                    for name in re.findall(r"ref\('(\w+)'\)", path.read_text(encoding="utf-8"))
                    if name in names)
    assert arrows == []


def test_the_marts_status_values_are_the_rows_of_their_family():
    """The values a mart's status column may hold (its rules) are the words' seed rows."""
    columns = {("mart_expected_reports", "status"): "expected_report",
               ("mart_reporting_completeness", "status"): "reporting",
               ("mart_reporting_completeness", "coverage_status"): "coverage",
               ("mart_work_plan_status", "status"): "work_plan",
               ("mart_target_attainment", "status"): "attainment"}
    models = {m["name"]: m for m in yaml.safe_load(
        (REPO / "dbt_project/models/marts/marts.yml").read_text(encoding="utf-8"))["models"]}
    for (model, column), family in columns.items():
        (rules,) = [t["rules"] for t in models[model]["data_tests"] if "rules" in t]
        allowed = set(rules["arguments"]["accepted_values"][column])
        # a coverage cell nobody was expected to report for has no row: no value
        assert allowed == set(mart_statuses(family)) - {"not_expected"}, (model, column)


def test_every_setting_the_code_reads_is_documented_for_the_operator() -> None:
    """A BANGFU_* variable read anywhere (Python, dbt's profiles and macros, the Makefile) is
    described in docs/operations.md, docs/deploy.md or README: an operator finds every knob."""
    read = {
        name
        for folder in ("pipelines", "dashboards", "portal", "dbt_project")
        for path in (REPO / folder).rglob("*")
        if path.suffix in (".py", ".yml", ".sql") and "target" not in path.parts
        for name in re.findall(r"BANGFU_[A-Z_]*[A-Z]", path.read_text(encoding="utf-8"))
    } | set(re.findall(r"BANGFU_[A-Z_]*[A-Z]", (REPO / "Makefile").read_text()))
    documented = "".join((REPO / path).read_text(encoding="utf-8")
                         for path in ("docs/operations.md", "docs/deploy.md", "README.md"))
    assert len(read) > 20
    assert sorted(name for name in read if name not in documented) == []
