"""Resident memory of this process, from Linux's /proc (the benchmarks run on Linux)."""

from __future__ import annotations

import os
import resource
from pathlib import Path

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
CLEAR_REFS = Path("/proc/self/clear_refs")


def current_rss_kib() -> int:
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    return resident_pages * PAGE_KIB


def reset_peak_rss() -> bool:
    """Start the high-water mark again from the current RSS, so a peak read after a stage is
    that stage's, not the imports' or the input's. False when the kernel refused: the peak
    then includes whatever ran before in this process."""
    try:
        CLEAR_REFS.write_text("5")  # "5" resets VmHWM (Linux 4.0+)
    except OSError:
        return False
    return True


def peak_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def children_peak_rss_kib() -> int:
    """The largest RSS any finished child process (a pool worker, dbt) reached."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
