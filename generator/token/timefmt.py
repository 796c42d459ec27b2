"""Times in human form: "expired 3 h ago", "expires in 12 min"."""

from __future__ import annotations

from datetime import UTC, datetime


def duration(seconds: float) -> str:
    seconds = abs(int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def relative(timestamp: float, now: float, *, past: str, future: str) -> str:
    """`past`/`future` are templates with {d}, e.g. "expired {d} ago" / "expires in {d}"."""
    delta = timestamp - now
    return (future if delta > 0 else past).format(d=duration(delta))


def utc(timestamp: float) -> str:
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return "out of range"
