"""Check results and the report: statuses, exit codes, the JSON shape."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["pass", "warn", "fail", "skip"]
STATUSES: tuple[Status, ...] = ("pass", "warn", "fail", "skip")


@dataclass(frozen=True)
class Check:
    """One audited property: a stable id, a status, a one-line finding and a one-line fix."""

    id: str
    status: Status
    finding: str
    fix: str = ""


def passed(check_id: str, finding: str) -> Check:
    return Check(check_id, "pass", finding)


def warned(check_id: str, finding: str, fix: str) -> Check:
    return Check(check_id, "warn", finding, fix)


def failed(check_id: str, finding: str, fix: str) -> Check:
    return Check(check_id, "fail", finding, fix)


def skipped(check_id: str, finding: str, fix: str = "") -> Check:
    return Check(check_id, "skip", finding, fix)


@dataclass(frozen=True)
class Report:
    """Every check of one doctor run, in order."""

    project: str
    auth_mode: str
    layout: dict[str, Any]
    checks: list[Check] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {status: sum(1 for c in self.checks if c.status == status) for status in STATUSES}

    def exit_code(self, *, strict: bool) -> int:
        """0 when nothing failed (and, with strict, nothing warned); 1 otherwise."""
        bad = {"fail", "warn"} if strict else {"fail"}
        return 1 if any(c.status in bad for c in self.checks) else 0

    def to_dict(self, *, strict: bool) -> dict[str, Any]:
        return {
            "project": self.project,
            "auth_mode": self.auth_mode,
            "layout": self.layout,
            "strict": strict,
            "exit_code": self.exit_code(strict=strict),
            "summary": self.counts(),
            "checks": [asdict(c) for c in self.checks],
        }
