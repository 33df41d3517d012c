"""`python -m bench.sensor_tick [FILES]`: the new-file sensor's work per tick on a folder of
FILES (default 10,000) small forms in 100 folders: the first tick (every file new: listed and
stat'ed), the second (every file settled: each hashed once) and a quiet third (nothing
changed: stat only). Dagster cancels a tick after 60 s. Prints one JSON line."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from pipelines.warehouse.manifest import folder_ledger


def measure(root: Path, files: int) -> dict:
    for i in range(files):
        path = root / f"科室{i % 100:02d}" / f"统计表_{i:05d}.csv"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"姓名,诊疗人次\n人员{i},{i}\n" * 200, encoding="utf-8")
    seconds, ledger = [], {}
    for _ in range(3):
        started = time.perf_counter()
        ledger, changing = folder_ledger(root, ledger)
        seconds.append(round(time.perf_counter() - started, 3))
    return {"files": files, "tick_seconds": dict(zip(["new", "settled", "quiet"], seconds,
                                                     strict=True)),
            "still_changing_after_three_ticks": changing}


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="bangfu-sensor-") as folder:
        count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
        print(json.dumps(measure(Path(folder), count), ensure_ascii=False))
