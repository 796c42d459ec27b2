"""Benchmark 2 — update: `bafa update` across one template version step, vs plain `copier update`.

The two versions are built like tests/test_update.py does: `git clone` of this repository
tagged v0.1.0, one more commit (health.py changed, a new .env.example key) tagged v0.2.0.
A project is generated from v0.1.0 once (with bafa, and with plain copier + git init);
each run updates a fresh copy of it to v0.2.0 (a clean merge, exit 0). Offline: BAFA_TEMPLATE
points at the clone, XDG_CACHE_HOME at a temporary folder.

    python bench/bench_update.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from _common import PYTHON, REPO, bafa_cmd, interleaved, print_header, summary, timed, timed_cpu, write_result

HEALTH = "template/backend/app/api/routes/health.py"
OLD_LINE = 'return {"status": "ok"}'
IDENT = ["-c", "user.name=bench", "-c", "user.email=bench@localhost"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *IDENT, *args], cwd=cwd, check=True, capture_output=True)


def build_versions(root: Path) -> Path:
    template = root / "bafa"
    git(REPO, "clone", "--quiet", str(REPO), str(template))
    git(template, "tag", "v0.1.0")
    health = template / HEALTH
    if OLD_LINE not in health.read_text():
        raise SystemExit(f"{HEALTH} changed: update this benchmark's v0.2.0 edit")
    health.write_text(health.read_text().replace(OLD_LINE, 'return {"status": "ok", "service": "tasks"}'))
    example = template / "template/backend/.env.example.jinja"
    example.write_text(example.read_text() + "LOG_LEVEL=info\n")
    git(template, "commit", "--quiet", "-am", "v0.2.0")
    git(template, "tag", "v0.2.0")
    return template


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print_header("update: bafa update vs copier update, v0.1.0 -> v0.2.0")

    root = Path(tempfile.mkdtemp(prefix="bafa-bench-update-"))
    template = build_versions(root)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_CONFIG")}
    env.update({"BAFA_TEMPLATE": str(template), "XDG_CACHE_HOME": str(root / "cache"),
                "GIT_ALLOW_PROTOCOL": "file"})
    bafa = bafa_cmd()
    copier = [PYTHON, "-m", "copier"]

    git(template, "checkout", "--quiet", "v0.1.0")
    try:
        timed([*bafa, "new", str(root / "bafa-v1"), "--defaults"], env=env)
    finally:
        git(template, "checkout", "--quiet", "-")
    timed([*copier, "copy", "--defaults", "--quiet", "--vcs-ref", "v0.1.0",
           str(template), str(root / "copier-v1")], env=env)
    for cmd in (["init", "--quiet"], ["add", "-A"], ["commit", "--quiet", "-m", "init"]):
        git(root / "copier-v1", *cmd)

    def fresh(kind: str, i: int) -> Path:
        project = root / f"{kind}-run-{i}"
        shutil.copytree(root / f"{kind}-v1", project, symlinks=True)
        return project

    cases = {
        "copier_update": lambda i: timed_cpu(
            [*copier, "update", "--defaults", "--skip-answered", "--quiet"],
            cwd=fresh("copier", i), env=env),
        "bafa_update": lambda i: timed_cpu([*bafa, "update", str(fresh("bafa", i))], env=env),
        "bafa_update_pretend": lambda i: timed_cpu(
            [*bafa, "update", "--pretend", str(fresh("bafa", 1000 + i))], env=env, ok=(0, 1)),
    }
    cases["copier_update"](-1)  # warm-up: first clone of the template into the caches
    cases["bafa_update"](-1)
    pairs = interleaved(cases, args.runs)
    stats = {name: summary([w for w, _ in values]) for name, values in pairs.items()}
    cpu = {name: summary([c for _, c in values]) for name, values in pairs.items()}
    health = (root / "bafa-run-0/backend/app/api/routes/health.py").read_text()
    assert '"service": "tasks"' in health, "the update did not apply v0.2.0"

    ratio = stats["bafa_update"]["median"] / stats["copier_update"]["median"]
    cpu_ratio = cpu["bafa_update"]["median"] / cpu["copier_update"]["median"]
    print(f"\n{'case':22} {'median s':>9} {'min':>7} {'max':>7} {'CPU s (median)':>15}")
    for name, s in stats.items():
        print(f"{name:22} {s['median']:9.3f} {s['min']:7.3f} {s['max']:7.3f} {cpu[name]['median']:15.3f}")
    print(f"bafa update / copier update = {ratio:.2f} (wall), {cpu_ratio:.2f} (CPU)")
    write_result("update", {
        "command": {
            "bafa_update": "BAFA_TEMPLATE=<clone> XDG_CACHE_HOME=<tmp> bafa update PROJECT",
            "bafa_update_pretend": "bafa update --pretend PROJECT (exit 1: changes pending)",
            "copier_update": "copier update --defaults --skip-answered (in PROJECT)",
        },
        "runs": args.runs,
        "seconds": stats,
        "cpu_seconds": cpu,
        "ratio_bafa_update_vs_copier_update": round(ratio, 3),
        "cpu_ratio_bafa_update_vs_copier_update": round(cpu_ratio, 3),
    })
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
