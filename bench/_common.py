"""Shared helpers of the benchmarks: machine facts, timing, generating projects, JSON results.

Every benchmark measures the things it compares in one run, on one machine, and reports
ratios: absolute figures vary between machines, ratios much less.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable


def bafa_cmd() -> list[str]:
    """The `bafa` console script next to this interpreter (falls back to `python -m generator`)."""
    script = Path(PYTHON).with_name("bafa")
    return [str(script)] if script.exists() else [PYTHON, "-m", "generator"]


def machine() -> dict[str, Any]:
    """nproc, CPU model, Python and OS: printed with every result."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        # Other work on the machine skews absolute figures (ratios taken in one run much less).
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def git_describe() -> str:
    """The bafa commit measured (with -dirty when the working tree has changes)."""
    out = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True
    )
    return out.stdout.strip() or "unknown"


def timed(cmd: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
          timeout: float = 300, ok: Sequence[int] = (0,)) -> float:
    """Wall time in seconds of one whole process (start-up included); fails loudly."""
    start = time.perf_counter()
    result = subprocess.run(
        list(cmd), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed


def timed_cpu(cmd: Sequence[str], **kwargs: Any) -> tuple[float, float]:
    """(wall, CPU) seconds of one whole process; CPU = user + system time of it and of the
    processes it waited for (git, …). CPU time hardly moves with other load on the machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(cmd, **kwargs)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def summary(samples: Sequence[float]) -> dict[str, Any]:
    """median, min, max and the raw samples (seconds)."""
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "n": len(samples),
        "samples": [round(s, 4) for s in samples],
    }


def interleaved(cases: dict[str, Callable[[int], float]], runs: int) -> dict[str, list[float]]:
    """Run each case `runs` times, alternating between cases, so drift hits all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for i in range(runs):
        for name, case in cases.items():
            samples[name].append(case(i))
    return samples


def generate(dest: Path, *data: str, git: bool = False, env: dict[str, str] | None = None) -> Path:
    """`bafa new DEST --defaults -d …` (no git by default): a project to benchmark."""
    args = [*bafa_cmd(), "new", str(dest), "--defaults"]
    for item in data:
        args += ["-d", item]
    if not git:
        args.append("--no-git")
    timed(args, env=env)
    return dest


def tree_size(root: Path, *, skip: Sequence[str] = (".git",)) -> tuple[int, int]:
    """(files, bytes) under root, not counting `skip` folders."""
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in skip]
        for name in filenames:
            files += 1
            size += (Path(dirpath) / name).lstat().st_size
    return files, size


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def write_result(name: str, result: dict[str, Any]) -> Path:
    """Write bench/results/NAME.json (machine facts and the bafa commit included)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"benchmark": name, "machine": machine(), "bafa": git_describe(), **result}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")
    print(f"\nwrote {path.relative_to(REPO)}")
    return path


def verdict(ratio: float, target: float, *, at_most: bool) -> str:
    ok = ratio <= target if at_most else ratio >= target
    sign = "<=" if at_most else ">="
    return f"{'MET' if ok else 'MISSED'} (target {sign} {target})"


def print_header(title: str) -> None:
    m = machine()
    print(f"== {title}")
    print(f"   {m['nproc']} cores, {m['cpu']}, Python {m['python']}, {m['date']}, bafa {git_describe()}, "
          f"load average {m['loadavg_1_5_15']}")


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE pairs of a generated project's .env (comments skipped, quotes stripped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip().strip('"').strip("'")
    return values


# wrk's `done` callback: one machine-readable line with what the benchmarks report.
WRK_DONE_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


# Benchmarks measure throughput with one or a few tokens at thousands of requests a second:
# the generated backend's rate limits (0.2.0+) would answer most of them 429. They are off in
# the benchmarks (older templates ignore the variables); bench_limits.py measures their cost.
NO_RATE_LIMITS = {"RATE_LIMIT_PER_USER": "", "RATE_LIMIT_PER_CLIENT": ""}
