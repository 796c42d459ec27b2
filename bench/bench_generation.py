"""Benchmark 1 — generation: `bafa new DEST --defaults` vs plain `copier copy` of the same template.

Whole-process wall time (interpreter start-up included), median of RUNS runs, a fresh DEST
each time, the cases interleaved. Also: files and bytes generated, and the CLI's start-up
(`python -X importtime -m generator --help`), which must not import copier or jwt.

Target: bafa new <= 1.2 x plain copier copy.

    python bench/bench_generation.py [--runs 7]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from _common import (
    PYTHON,
    REPO,
    bafa_cmd,
    interleaved,
    print_header,
    summary,
    timed,
    timed_cpu,
    tree_size,
    verdict,
    write_result,
)

TARGET = 1.2
HEAVY_MODULES = ("copier", "jwt", "yaml", "jinja2", "pydantic", "plumbum", "questionary")


def import_profile() -> dict[str, object]:
    """Top-level imports of `bafa --help` by cumulative time, and whether heavy modules load."""
    result = subprocess.run(
        [PYTHON, "-X", "importtime", "-m", "generator", "--help"],
        capture_output=True, text=True, check=True, cwd=REPO,
    )
    rows = []
    loaded = set()
    for line in result.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if not line.startswith("import time:") or len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        cumulative, name = int(parts[1]), parts[2][1:]
        loaded.add(name.strip().split(".")[0])
        if not name.startswith(" "):  # a top-level import (not nested below another)
            rows.append((cumulative, name))
    rows.sort(reverse=True)
    heavy = sorted(m for m in HEAVY_MODULES if m in loaded)
    return {
        "total_import_ms": round(sum(us for us, _ in rows) / 1000, 1),
        "top": [{"module": name, "ms": round(us / 1000, 1)} for us, name in rows[:8]],
        "heavy_modules_imported": heavy,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    print_header("generation: bafa new vs copier copy")

    work = Path(tempfile.mkdtemp(prefix="bafa-bench-gen-"))
    bafa = bafa_cmd()
    copier = [PYTHON, "-m", "copier", "copy", "--defaults", "--quiet",
              # bafa renders the template as checked out (vcs_ref=HEAD); so does this.
              "--vcs-ref", "HEAD", str(REPO)]

    def dest(kind: str, i: int) -> str:
        return str(work / f"{kind}-{i}" / "proj")

    cases = {
        "copier_copy": lambda i: _run(copier, dest("copier", i)),
        "bafa_new": lambda i: _bafa(bafa, dest("bafa", i), []),
        "bafa_new_no_git": lambda i: _bafa(bafa, dest("nogit", i), ["--no-git"]),
        "git_init_commit": lambda i: _git_only(Path(dest("nogit", i))),
    }
    # one unmeasured warm-up of each (file cache, .pyc)
    for name, case in cases.items():
        if name != "git_init_commit":
            case(-1)  # noqa: B023
    pairs = interleaved(cases, args.runs)
    stats = {name: summary([w for w, _ in values]) for name, values in pairs.items()}
    cpu = {name: summary([c for _, c in values]) for name, values in pairs.items()}

    files, size = tree_size(Path(dest("copier", 0)))
    bfiles, bsize = tree_size(Path(dest("bafa", 0)))
    helps = [timed([*bafa, "--help"]) for _ in range(5)]
    bare = [timed([PYTHON, "-c", "pass"]) for _ in range(5)]
    profile = import_profile()

    base = stats["copier_copy"]["median"]
    ratio_git = stats["bafa_new"]["median"] / base
    ratio_nogit = stats["bafa_new_no_git"]["median"] / base
    ratios = {
        stat: {case: round(src[case][stat] / src["copier_copy"][stat], 3)
               for case in ("bafa_new", "bafa_new_no_git")}
        for stat, src in (("median", stats), ("min", stats))
    }
    ratios["cpu_median"] = {case: round(cpu[case]["median"] / cpu["copier_copy"]["median"], 3)
                            for case in ("bafa_new", "bafa_new_no_git")}
    print(f"\n{'case':22} {'median s':>9} {'min':>7} {'max':>7} {'CPU s (median)':>15}")
    for name, s in stats.items():
        print(f"{name:22} {s['median']:9.3f} {s['min']:7.3f} {s['max']:7.3f} {cpu[name]['median']:15.3f}")
    print(f"\nfiles generated: copier {files} files / {size} bytes; bafa {bfiles} files / {bsize} bytes"
          " (.git not counted)")
    print(f"bafa new          / copier copy = {ratio_git:.2f}  {verdict(ratio_git, TARGET, at_most=True)}")
    print(f"bafa new --no-git / copier copy = {ratio_nogit:.2f}  {verdict(ratio_nogit, TARGET, at_most=True)}")
    print(f"cross-checks (less sensitive to other load): min/min {ratios['min']}, CPU {ratios['cpu_median']}")
    print(f"bafa --help: median {summary(helps)['median'] * 1000:.0f} ms "
          f"(python -c pass: {summary(bare)['median'] * 1000:.0f} ms); imports "
          f"{profile['total_import_ms']} ms; heavy modules imported: {profile['heavy_modules_imported'] or 'none'}")
    for row in profile["top"][:5]:
        print(f"   {row['module']:30} {row['ms']:7.1f} ms")
    write_result("generation", {
        "command": {
            "bafa_new": f"{' '.join(bafa)} new DEST --defaults",
            "bafa_new_no_git": f"{' '.join(bafa)} new DEST --defaults --no-git",
            "copier_copy": " ".join(copier) + " DEST",
            "git_init_commit": "git init; git add --all; git commit (on a --no-git project)",
        },
        "runs": args.runs,
        "seconds": stats,
        "cpu_seconds": cpu,
        "ratios": ratios,
        "ratio_bafa_new_vs_copier": round(ratio_git, 3),
        "ratio_bafa_new_no_git_vs_copier": round(ratio_nogit, 3),
        "target": TARGET,
        "target_met": ratio_git <= TARGET,
        "generated": {"copier": {"files": files, "bytes": size}, "bafa": {"files": bfiles, "bytes": bsize}},
        "help": {"bafa_help_s": summary(helps), "python_bare_s": summary(bare), **profile},
    })
    subprocess.run(["rm", "-rf", str(work)], check=False)


def _run(cmd: list[str], dest: str) -> tuple[float, float]:
    Path(dest).parent.mkdir(parents=True)
    return timed_cpu([*cmd, dest])


def _bafa(bafa: list[str], dest: str, extra: list[str]) -> tuple[float, float]:
    Path(dest).parent.mkdir(parents=True)
    return timed_cpu([*bafa, "new", dest, "--defaults", *extra])


def _git_only(project: Path) -> tuple[float, float]:
    """What bafa's git step costs on its own: init, add, commit of the same files."""
    import resource
    import shutil
    import time

    copy = project.parent / "git-only"
    shutil.copytree(project, copy)
    ident = ["-c", "user.name=b", "-c", "user.email=b@localhost"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for cmd in (["init", "--quiet", "--initial-branch=main"], ["add", "--all"],
                [*ident, "commit", "--quiet", "--no-verify", "-m", "x"]):
        subprocess.run(["git", *cmd], cwd=copy, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


if __name__ == "__main__":
    main()
