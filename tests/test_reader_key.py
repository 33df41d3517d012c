"""No version bumped by hand: the key a parse is stored under derives from the reader's and
the suites' sources, so editing one of them makes the next run read every file again."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
from formfiles import activity_sheet, write_xlsx
from source_copy import REPO_ROOT, SOURCES, copy_sources, run_python

from pipelines import digests

RUN = "import sys; from pipelines.cli import main; sys.exit(main(['run']))"
FORMS = {
    "临夏州人民医院/和政县人民医院/儿科_2021年3月.xlsx": ("2021年3月", "儿科"),
    "临夏州人民医院/和政县人民医院/产科_2021年4月.xlsx": ("2021年4月", "产科"),
}


def parses(warehouse: Path) -> dict[str, tuple[str, dt.datetime]]:
    """Each content's reader key and when it was read, as the published warehouse holds them."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select sha256, reader_version, parsed_at from raw.parsed_files")
        return {sha: (key, at) for sha, key, at in rows.fetchall()}


def test_the_reader_key_is_the_content_of_what_reads_a_file(tmp_path: Path):
    assert digests.reader_key(copy_sources(tmp_path / "same")) == digests.reader_key()
    edited = copy_sources(tmp_path / "edited")
    with (edited / "pipelines/forms/values.py").open("a", encoding="utf-8") as fh:
        fh.write("\n# an edit of the reader's code\n")
    assert digests.reader_key(edited) != digests.reader_key()
    # the run's screen is no part of reading a file
    other = copy_sources(tmp_path / "other")
    (other / "pipelines/progress.py").write_text("# changed\n", encoding="utf-8")
    assert digests.reader_key(other) == digests.reader_key()


def test_editing_a_reader_source_file_makes_the_next_run_read_the_files_again(tmp_path: Path):
    copy = copy_sources(tmp_path / "bangfu", (*SOURCES, "dashboards"))
    modules = REPO_ROOT / "dashboards/vendor/node_modules"
    (copy / "dashboards/vendor/node_modules").symlink_to(modules, target_is_directory=True)
    subprocess.run([str(Path(sys.executable).with_name("dbt")), "parse", "--quiet",
                    "--project-dir", str(copy / "dbt_project"),
                    "--profiles-dir", str(copy / "dbt_project")], check=True, cwd=copy)
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse" / "bangfu.duckdb"
    for path, (period, department) in FORMS.items():
        write_xlsx(raw / path, activity_sheet(period=period, labels=[f"填报科室：{department}"],
                                              rows=[["张三", 10, 1, 0, 0, 0, 0, 0, 0, 0]]))
    env = {"BANGFU_RAW_DIR": str(raw), "BANGFU_WAREHOUSE": str(warehouse),
           "BANGFU_SITE_DIR": str(tmp_path / "site"), "BANGFU_SETTLE_SECONDS": "0",
           "DAGSTER_HOME": str(tmp_path / "dagster")}

    first = run_python(copy, RUN, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    before = parses(warehouse)
    assert len(before) == len(FORMS)

    # Not a constant: a line of the reader's code.
    values = copy / "pipelines/forms/values.py"
    values.write_text(values.read_text(encoding="utf-8").replace(
        "from __future__ import annotations",
        "from __future__ import annotations  # numbers as submitters write them", 1),
        encoding="utf-8")
    second = run_python(copy, RUN, env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    after = parses(warehouse)
    assert after.keys() == before.keys()
    for sha, (key, parsed_at) in after.items():
        assert key != before[sha][0]
        assert parsed_at > before[sha][1]
    assert "新内容 2 份已读取" in second.stdout + second.stderr
