"""Measuring tools for the benchmarks: process-tree memory, CPU time, summaries of repeats."""

from __future__ import annotations

import resource
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return kids


def _rss_kib(pid: int) -> int:
    """The process's proportional set size: shared pages count once across the tree (a child
    between fork and exec would otherwise count its parent's memory twice)."""
    for source, field in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            for line in Path(source).read_text().splitlines():
                if line.startswith(field):
                    return int(line.split()[1])
        except OSError:
            continue
    return 0


def tree_rss_kib(pid: int) -> int:
    """Memory of a process and all its descendants, now (Linux /proc, PSS)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += _rss_kib(current)
        stack += _children(current)
    return total


class PeakTreeRss:
    """Samples a process tree's total RSS; keeps the peak.

    Every 20 ms at first, then less often, up to ``interval`` seconds apart: a
    short command is still sampled while it runs, and a long crawl is not slowed down by its
    measurement (a sample of a crawl's tree costs about 3 ms of CPU, smaps_rollup walking every
    mapping, in the process that also serves the sample site). Memory grows over seconds.
    """

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        wait = 0.02
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, tree_rss_kib(self.pid))
            self._stop.wait(wait)
            wait = min(wait * 1.25, self.interval)

    def __enter__(self) -> PeakTreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    """One measured subprocess."""

    returncode: int
    wall: float
    cpu: float
    peak_rss_mib: float
    stdout: str
    stderr: str


def run_measured(args: Sequence[str], *, env: dict[str, str] | None = None) -> Run:
    """Run a command to completion; wall time, CPU seconds of its whole tree, peak tree RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    with PeakTreeRss(process.pid) as sampler:
        stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(process.returncode, wall, cpu, sampler.peak_kib / 1024, stdout, stderr)


@dataclass
class Summary:
    """Median and range of repeated measurements."""

    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        return cls(statistics.median(values), min(values), max(values), len(values))

    def show(self, unit: str = "", digits: int = 1) -> str:
        text = f"{self.median:.{digits}f}{unit}"
        if self.n > 1:
            text += f" ({self.low:.{digits}f}–{self.high:.{digits}f})"
        return text

    def as_dict(self) -> dict[str, float]:
        return {"median": self.median, "min": self.low, "max": self.high, "n": self.n}
