"""Wall time of bafa's own test suite, per test file, from a pytest JUnit XML report.

CI writes the report (`.ci/run`: `--junitxml artifacts/test-times.xml`); so does any run with
`--junitxml PATH`. A test's time is its setup, call and teardown, so a session fixture (a
rendered project, an `npm ci`) counts in the first test that uses it.

    python bench/test_times.py artifacts/test-times.xml                 # per file, slowest first
    python bench/test_times.py before.xml after.xml                     # side by side
    python bench/test_times.py after.xml --save results/test_times.json # keep it with the others
    python bench/test_times.py results/test_times-b8c673a.json after.xml # a saved run as before

With `-n` (pytest-xdist, scripts/test.sh) the files' seconds add up the work of all workers:
their sum is more than the wall time, which is printed from the report (pytest's own clock).

    python bench/test_times.py before.xml after.xml --cpu               # CPU seconds instead

`--cpu`: each test's CPU seconds, its own and its child processes' (tests/conftest.py records them
as the `cpu_seconds` property). On two busy cores the wall time is about the CPU time over two,
and the CPU time changes far less with what else the machine is doing.
"""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path


def per_file(report: Path, cpu: bool = False) -> dict[str, float]:
    """Seconds per test file (tests/test_x.py), from the report's test cases (or a saved run:
    the first one in a --save file); with `cpu`, CPU seconds (none for a report without them)."""
    if report.suffix == ".json":
        return next(iter(json.loads(report.read_text()).values()))
    times: dict[str, float] = defaultdict(float)
    for case in ET.parse(report).getroot().iter("testcase"):
        module = case.get("classname", "").removeprefix("tests.").split(".")[0] or "?"
        if cpu:
            found = case.find("properties/property[@name='cpu_seconds']")
            times[f"tests/{module}.py"] += float(found.get("value", 0)) if found is not None else 0.0
        else:
            times[f"tests/{module}.py"] += float(case.get("time", 0))
    return dict(times)


def wall_time(report: Path) -> float | None:
    """The run's wall time (the test suite's `time`), if the report has it."""
    if report.suffix == ".json":
        return None
    suite = ET.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    return float(suite.get("time", 0)) if suite is not None else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", type=Path, nargs="+", help="one report, or two (before, after)")
    parser.add_argument("--save", type=Path, help="write the figures as JSON")
    parser.add_argument("--cpu", action="store_true", help="CPU seconds per file instead of seconds")
    args = parser.parse_args()
    runs = [per_file(report, args.cpu) for report in args.reports]
    files = sorted(set().union(*runs), key=lambda name: -max(run.get(name, 0) for run in runs))
    header = "".join(f"{report.name:>22}" for report in args.reports)
    print(f"{'file':48}{header}")
    for name in files:
        print(f"{name:48}" + "".join(f"{run.get(name, 0):22.1f}" for run in runs))
    totals = [sum(run.values()) for run in runs]
    label = "total CPU seconds" if args.cpu else "total test seconds"
    print(f"{label:48}" + "".join(f"{total:22.1f}" for total in totals))
    walls = [wall_time(report) for report in args.reports]
    print(f"{'wall (s)':48}" + "".join(f"{'-' if wall is None else f'{wall:.1f}':>22}" for wall in walls))
    if len(runs) == 2 and totals[0]:
        print(f"after / before: {totals[1] / totals[0]:.2f}")
    if args.save:
        args.save.write_text(json.dumps({str(r): run for r, run in zip(args.reports, runs, strict=True)}, indent=2))


if __name__ == "__main__":
    main()
