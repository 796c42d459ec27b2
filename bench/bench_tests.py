"""Benchmark 5 — the generated test suite: wall time of `python -m pytest -q` in backend/.

A default project (and, with --modes, others) is generated, then its suite is run RUNS times
(whole process, collection included); the median, the test count and the slowest tests of
the last run are reported.

    python bench/bench_tests.py [--runs 3] [--modes shared_secret jwks]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import time
from pathlib import Path

from _common import PYTHON, fresh_dir, generate, print_header, summary, write_result


def run_suite(backend: Path) -> tuple[float, str, int]:
    start = time.perf_counter()
    result = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=5"],
        cwd=backend, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:  # reported (and kept in the JSON), the timing still counts
        failed = [ln for ln in result.stdout.splitlines() if ln.startswith(("FAILED", "ERROR"))]
        print("   the generated suite failed:\n   " + "\n   ".join(failed or [result.stdout[-2000:]]))
    return elapsed, result.stdout, result.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", nargs="+", default=["shared_secret"])
    args = parser.parse_args()
    print_header("generated test suite: wall time")
    work = Path(tempfile.mkdtemp(prefix="bafa-bench-tests-"))
    out = {"command": "cd backend && python -m pytest -q -p no:cacheprovider", "runs": args.runs,
           "modes": {}}
    for mode in args.modes:
        project = generate(fresh_dir(work / mode) / "proj", f"auth_mode={mode}")
        samples, text, failures = [], "", []
        for _ in range(args.runs):
            elapsed, text, code = run_suite(project / "backend")
            samples.append(elapsed)
            if code:
                failures.append([ln for ln in text.splitlines() if ln.startswith(("FAILED", "ERROR"))])
        counts = re.findall(r"(\d+) (passed|skipped|failed)", text)
        slowest = [line.strip() for line in text.splitlines() if re.match(r"^\d+\.\d+s (call|setup)", line)]
        s = summary(samples)
        out["modes"][mode] = {"seconds": s, "counts": {k: int(v) for v, k in counts}, "slowest": slowest,
                             "failed_runs": failures}
        print(f"{mode:14} median {s['median']:.1f} s (min {s['min']:.1f}, max {s['max']:.1f}); "
              f"{', '.join(f'{v} {k}' for v, k in counts)}")
        for line in slowest:
            print(f"   {line}")
    write_result("test_suite", out)
    subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
