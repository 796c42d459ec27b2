"""Summarise a py-spy raw (collapsed) profile: inclusive share of the interesting frames.

Record with `py-spy record -p PID -r 250 -d 7 -f raw -o FILE` (without --gil: with Python
3.11 --gil drops the worker threads' samples). Samples whose innermost frame is a wait
(a thread-pool worker waiting for work, the event loop in select) are not counted.

    python bench/pyspy_summary.py PROFILE.raw [--top 25] [--match verify_token --match decode]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>[^ ]+) \((?P<file>[^:]+)(?::\d+)?\)$")


WAITING = ("Condition.wait (", "Queue.get (", "EpollSelector.select (", "Event.wait (")


def load(path: Path, *, busy_only: bool = True) -> tuple[Counter[str], int]:
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        if busy_only and any(w in stack.rsplit(";", 1)[-1] for w in WAITING):
            continue  # a thread waiting for work, not using the CPU
        total += n
        seen = set()
        for frame in stack.split(";"):
            m = FRAME.match(frame.strip())
            if not m:
                continue
            short = re.sub(r"^.*/(site-packages|python3\.\d+)/", "", m["file"]).split("/backend/")[-1]
            key = f"{m['func']} ({short})"
            if key not in seen:
                seen.add(key)
                inclusive[key] += n
    return inclusive, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", action="append", default=[])
    args = parser.parse_args()
    inclusive, total = load(args.profile)
    rows = inclusive.most_common()
    if args.match:
        rows = [r for r in rows if any(m in r[0] for m in args.match)]
    print(f"{total} busy samples (all threads; samples whose leaf is a wait are dropped)")
    for key, n in rows[: args.top]:
        print(f"{100 * n / total:6.1f}%  {key}")


if __name__ == "__main__":
    main()
