"""Print the summary table of docs/performance.md from bench/results/*.json (Markdown).

    python bench/report.py
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def size_label(n: str) -> str:
    n_int = int(n)
    return f"{n_int // 1_000_000}M" if n_int >= 1_000_000 else f"{n_int // 1000}k"


def mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main() -> None:
    rows = ["| Benchmark | Figures | Ratio | Target |", "|---|---|---|---|"]
    gen = load("generation")
    if gen:
        s, r = gen["seconds"], gen["ratios"]
        rows.append(
            f"| 1. generation (median of {gen['runs']}) | copier copy {s['copier_copy']['median']:.2f} s; "
            f"bafa new {s['bafa_new']['median']:.2f} s; --no-git {s['bafa_new_no_git']['median']:.2f} s; "
            f"git step alone {s['git_init_commit']['median'] * 1000:.0f} ms; "
            f"{gen['generated']['bafa']['files']} files, {gen['generated']['bafa']['bytes'] / 1024:.0f} KiB | "
            f"bafa new ÷ copier {r['median']['bafa_new']:.2f} (min/min {r['min']['bafa_new']:.2f}, "
            f"CPU {r['cpu_median']['bafa_new']:.2f}); --no-git {r['median']['bafa_new_no_git']:.2f} "
            f"(CPU {r['cpu_median']['bafa_new_no_git']:.2f}) | ≤ 1.2: {mark(gen['target_met'])} |"
        )
        h = gen["help"]
        rows.append(
            f"| 1b. `bafa --help` | {h['bafa_help_s']['median'] * 1000:.0f} ms wall, "
            f"{h['total_import_ms']:.0f} ms of imports | heavy modules imported: "
            f"{', '.join(h['heavy_modules_imported']) or 'none'} | no copier/jwt: "
            f"{mark(not set(h['heavy_modules_imported']) & {'copier', 'jwt'})} |"
        )
    upd = load("update")
    if upd:
        s = upd["seconds"]
        rows.append(
            f"| 2. update v0.1.0→v0.2.0 (median of {upd['runs']}) | copier update "
            f"{s['copier_update']['median']:.2f} s; bafa update {s['bafa_update']['median']:.2f} s; "
            f"--pretend {s['bafa_update_pretend']['median']:.2f} s | bafa ÷ copier "
            f"{upd['ratio_bafa_update_vs_copier_update']:.2f} "
            f"(CPU {upd.get('cpu_ratio_bafa_update_vs_copier_update', float('nan')):.2f}) | — |"
        )
    for name, label in (("auth", "3. auth"), ("auth_experiment_async_deps", "3x. experiment: async dep")):
        auth = load(name)
        if not auth:
            continue
        for mode, m in auth["modes"].items():
            e = m["endpoints"]
            fetch = f"; JWKS fetches {m['jwks_fetches_total']}" if "jwks_fetches_total" in m else ""
            v = m.get("verify_token", {})
            micro = (f"; verify_token {v['full_verification_us']:.0f} µs full, "
                     f"{v['repeat_token_us']:.1f} µs repeated" if v else "")
            rows.append(
                f"| {label} ({mode}) | /health {e['health']['rps']:.0f} req/s "
                f"(p50 {e['health']['p50_ms']:.1f} / p99 {e['health']['p99_ms']:.1f} ms); /api/me "
                f"{e['me']['rps']:.0f} ({e['me']['p50_ms']:.1f} / {e['me']['p99_ms']:.1f}); task list "
                f"{e['tasks']['rps']:.0f} ({e['tasks']['p50_ms']:.1f} / {e['tasks']['p99_ms']:.1f}){fetch}{micro} | "
                f"me ÷ health {m['ratio_me_vs_health']:.2f}; tasks ÷ health {m['ratio_tasks_vs_health']:.2f} | "
                f"≥ {m['target']}: {mark(m['target_met'])} |"
            )
    lst = load("list_scaling")
    if lst:
        for db, res in lst["databases"].items():
            sizes = res["sizes"]
            for index, ratio in res["ratio_largest_vs_smallest"].items():
                figures = "; ".join(
                    f"{size_label(n)} {v[index]['page1']['median_ms']:.2f} ms"
                    for n, v in sizes.items() if index in v
                )
                small = min(sizes, key=int)
                if index.endswith("_clustered"):
                    first = sizes[small][index.removesuffix('_clustered')]['page1']['median_ms']
                    figures = f"1k (interleaved) {first:.2f} ms; " + figures
                rows.append(
                    f"| 4. list, {db}, index ({index.replace('user_id_id', 'user_id, id').removesuffix('_clustered')})"
                    f"{' rows clustered by user' if index.endswith('_clustered') else ''} | {figures} | "
                    f"1M ÷ 1k {ratio:.2f} | ≤ {lst['target']}: {mark(ratio <= lst['target'])} |"
                )
    tests = load("test_suite")
    if tests:
        for mode, m in tests["modes"].items():
            counts = ", ".join(f"{v} {k}" for k, v in m["counts"].items())
            rows.append(f"| 5. generated test suite ({mode}) | {m['seconds']['median']:.1f} s "
                        f"(median of {m['seconds']['n']}); {counts} | — | — |")
    for path in sorted(RESULTS.glob("fsft*.json")):
        fsft = json.loads(path.read_text())
        c = fsft["cases"]
        label = fsft.get("label") or "unlabelled"
        figures = "; ".join(f"{k} {e['generated']['rps_median']:.0f} vs {e['fsft']['rps_median']:.0f}"
                            for k, e in c.items())
        ratios = ", ".join(f"{k} {e['ratio']:.2f}" for k, e in c.items())
        targets = ", ".join(f"{k} ≥ {e['target']}: {mark(e['target_met'])}" for k, e in c.items())
        rows.append(f"| 7. vs FSFT {fsft['fsft']['commit'][:8] if fsft['fsft'].get('commit') else ''} ({label}, "
                    f"generated from {fsft['generated']['rendered_from']}) | req/s generated vs FSFT, median of "
                    f"{fsft['rounds']}: {figures} | generated ÷ FSFT: {ratios} | {targets} |")
    for path in sorted(RESULTS.glob("burst*.json")):
        burst = json.loads(path.read_text())
        label = burst.get("label") or path.stem.removeprefix("burst").lstrip("-") or "unlabelled"
        measured = burst.get("bafa_checkout_describe") or burst["bafa"]
        for name, cases in burst["databases"].items():
            figures = "; ".join(
                f"{key} {e['status_500']}×500, {e['rps']:.0f} req/s, /health max {e['health']['max_ms']:.0f} ms"
                for key, e in cases.items()
            )
            met = all(e["target_met"] for e in cases.values())
            rows.append(f"| 6. burst, one token, {name} ({label}, {measured}) | {figures} | — "
                        f"| 0×500 and /health < 100 ms: {mark(met)} |")
    filters = load("list_filters")
    if filters:
        for db, res in filters["databases"].items():
            cases, r = res["cases"], res["ratios"]
            pages = "; ".join(f"{c} {v['model']['heavy']['page']['median_ms']:.1f}/"
                              f"{v['model']['heavy']['request']['median_ms']:.1f}" for c, v in cases.items())
            growth = ", ".join(f"{c} {v['heavy_vs_normal_model']['page']:.1f}" for c, v in r.items())
            gain = ", ".join(f"{c} {v['baseline_vs_model_heavy']['request']:.1f}" for c, v in r.items())
            missed = [c for c, v in r.items() if not v["page_growth_target_met"]]
            rows.append(
                f"| 9. list filters, {db} ({filters['heavy_user_tasks'] // 1000}k-task user vs "
                f"{filters['tasks_per_normal_user']}, model indexes) | page/request ms, heavy user: {pages} | "
                f"page heavy ÷ normal: {growth}; request baseline ÷ model (heavy): {gain} | "
                f"page ≤ {filters['target_page_heavy_vs_normal']}: met {len(r) - len(missed)} of {len(r)}"
                f"{' (**missed**: ' + ', '.join(missed) + ')' if missed else ''} |"
            )
    print("\n".join(rows))


if __name__ == "__main__":
    main()
