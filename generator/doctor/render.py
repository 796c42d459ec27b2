"""The doctor report as text (one line per check) or as JSON."""

from __future__ import annotations

import json

from generator.doctor.model import Report

MARKS = {"pass": "[pass]", "warn": "[WARN]", "fail": "[FAIL]", "skip": "[skip]"}


def as_text(report: Report, *, strict: bool) -> str:
    layout = report.layout
    kind = "generated project" if layout["generated"] else "hand-written layout"
    parts = [f"backend: {layout['backend'] or 'not found'}", f"frontend: {layout['frontend'] or 'not found'}"]
    lines = [f"bafa doctor {report.project} ({kind}, auth_mode {report.auth_mode}; {', '.join(parts)})"]
    width = max(len(c.id) for c in report.checks)
    for check in report.checks:
        lines.append(f"{MARKS[check.status]} {check.id:<{width}}  {check.finding}")
        if check.status != "pass" and check.fix:
            lines.append(f"       {'':<{width}}  fix: {check.fix}")
    counts = report.counts()
    summary = ", ".join(f"{counts[s]} {s}" for s in ("pass", "warn", "fail", "skip"))
    verdict = "FAILED" if report.exit_code(strict=strict) else "OK"
    lines.append(f"{verdict}: {summary}" + (" (--strict: warnings fail)" if strict else ""))
    return "\n".join(lines)


def as_json(report: Report, *, strict: bool) -> str:
    return json.dumps(report.to_dict(strict=strict), indent=2)
