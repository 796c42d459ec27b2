"""Benchmark 9 — filtered and sorted lists: one user with 100k tasks vs users with 100 each.

The table is the generated project's own `Task` model; the queries are the generated route's own
(`app/api/task_list.py` builds them from the query parameters, `app/api/routes/tasks.py` runs
them): the COUNT for X-Total-Count, then the page,

    select(func.count()).select_from(Task).where(*q.where())
    select(Task).where(*q.where()).order_by(*q.order_by()).offset(0).limit(50)

both in one SQLModel Session per request, for ten cases (the default order, the status and
priority filters, overdue, a text search, four orders and one combination), on SQLite (a file)
and PostgreSQL (a scratch database `bench_list_filters` on the local server, dropped after).

The table: ~300k rows made inside the database, a heavy user's 100k tasks interleaved with
2000 users' 100 each (row x belongs to the heavy user every third row, as when they all
fill the table over time), with spread-out values: completed ~1/3, priority low 30 % /
medium 50 % / high 20 %, due_date null 30 % and otherwise within a year either side of now,
created_at one a minute (growing with id), updated_at between creation and now, titles and
descriptions (40 % null) made of words, so that the search word matches ~11 % of them.

Two index sets, each its own table filled with the same rows:

- `model`: the indexes the generated model declares (`SQLModel.metadata.create_all`);
- `baseline`: `(user_id, id)` only, the index of 0.2.0.

Every (index set, user, case) is measured once per round, the rounds interleaved, so machine
noise hits all of them alike; median and p95. Reported as ratios taken in this one run, never
absolute times: baseline ÷ model (what the model's indexes buy) and heavy ÷ normal user (how a
request grows with the user's task count). Target, for the page query only: heavy ÷ normal
<= 2 (the page stays flat). The COUNT reads every matching row by nature, and a case that no
index can order or filter (the text search, the title order) reads all of the user's rows: the
script says so, with the figures.

PostgreSQL tables are VACUUM ANALYZEd (as autovacuum would); SQLite ones are left without
statistics, as the generated app leaves its file (`--sqlite-analyze` runs ANALYZE first; the
plans with statistics are recorded either way). `--candidate` adds a third table: the model's
indexes plus one that holds the due-date order (`CANDIDATE_INDEXES`), to measure what it would
buy. 50 rounds take about 7 minutes on 2 cores (the heavy user's scans dominate).

    python bench/bench_list_filters.py [--rounds 50] [--warmup 5] [--heavy 100000]
        [--users 2000] [--per-user 100] [--no-postgres] [--sqlite-analyze] [--candidate]
        [--label NAME] [--plans-only] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import generate, print_header, verdict, write_result

PAGE = 50
TARGET_PAGE_GROWTH = 2.0  # page query, heavy user ÷ normal user
SCRATCH_DB = "bench_list_filters"
HEAVY = "user-heavy"
SEARCH_WORD = "invoice"
INDEX_SETS = ("model", "baseline")
BASELINE_INDEX = "ix_task_user_id_id"  # 0.2.0's (user_id, id)
# --candidate: a third table, the model's indexes plus one that holds the due-date order as
# task_list.py writes it (`due_date IS NULL, due_date, id`), ascending; not in the model.
CANDIDATE_INDEXES = ["CREATE INDEX bench_ix_task_user_id_due_order ON task (user_id, (due_date IS NULL), due_date, id)"]
# name -> keyword arguments of app.api.task_list.task_list_query (as the query string gives them)
CASES: dict[str, dict[str, Any]] = {
    "default": {},
    "status=pending": {"status": "pending"},
    "status=completed": {"status": "completed"},
    "sort=title": {"sort": "title"},
    "sort=due_date": {"sort": "due_date"},
    "sort=-updated": {"sort": "-updated"},
    "priority=high": {"priority": "high"},
    "overdue=true": {"overdue": True},
    f"q={SEARCH_WORD}": {"q": SEARCH_WORD},
    "status=pending&sort=due_date": {"status": "pending", "sort": "due_date"},
}
# Cases whose filter or order no index of the model can serve, whatever the plan.
SCANS = {"sort=title": "the order is the lowered title, which no index holds: the page sorts all the user's rows",
         f"q={SEARCH_WORD}": "a substring of title or description, which no b-tree index can find: the page reads "
                             "the user's rows newest first until 50 match, the count reads them all"}

# Words of titles and descriptions, padded to 10 characters (picked with substr in SQL).
WORDS = ["buy", "call", "email", "fix", "plan", "review", "write", "book", "pay", "clean",
         "send", "check", "invoice", "report", "garden", "car", "dentist", "meeting", "slides",
         "budget", "tickets", "laundry", "groceries", "taxes"]
WORD_WIDTH = 10
assert all(len(w) <= WORD_WIDTH for w in WORDS) and SEARCH_WORD in WORDS
# Multiplicative hashes (x * A mod 2^32, top 16 bits): deterministic, spread-out column values,
# the same on both databases.
PRIMES = [2654435761, 2246822519, 3266489917, 668265263, 374761393, 1597334677, 3812015801]


def hashed(k: int, x: str = "x") -> str:
    return f"((({x} * {PRIMES[k]}) % 4294967296) / 65536)"


def word(expr: str) -> str:
    return f"rtrim(substr(:words, CAST(({expr}) % {len(WORDS)} * {WORD_WIDTH} + 1 AS INTEGER), {WORD_WIDTH}))"


def load_rows(engine: Any, dialect: str, heavy: int, users: int, per_user: int, anchor: dt.datetime) -> None:
    """Fill task inside the database: row x is the heavy user's when floor(x*H/N) steps up (every
    third row for 100k of 300k), otherwise the next normal row, given to user j mod users."""
    from sqlalchemy import text

    n = heavy + users * per_user
    w1, w2, w3, w4 = (word(hashed(5) + f" / {d}") for d in (1, 24, 576, 13824))
    title_first = f"CASE WHEN {hashed(6)} % 2 = 0 THEN upper(substr({w1}, 1, 1)) || substr({w1}, 2) ELSE {w1} END"
    if dialect == "sqlite":
        source = "WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x + 1 < :n) SELECT x FROM c"
        user = "printf('user-%07d', (x - x * :h / :n) % :u)"

        def at(seconds: str) -> str:
            return f"strftime('%Y-%m-%d %H:%M:%S', :anchor, ({seconds}) || ' seconds') || '.000000'"
        true, false = "1", "0"
    else:
        source = "SELECT x FROM generate_series(0::bigint, :n - 1) AS x"
        user = "'user-' || lpad(((x - x * :h / :n) % :u)::text, 7, '0')"

        def at(seconds: str) -> str:
            return f"CAST(:anchor AS timestamptz) + ({seconds}) * interval '1 second'"
        true, false = "true", "false"
    created = "(:n - x) * -60"  # one a minute, the newest now
    sql = f"""
        INSERT INTO task (user_id, title, description, completed, priority, due_date, created_at, updated_at)
        SELECT
          CASE WHEN (x + 1) * :h / :n > x * :h / :n THEN :heavy ELSE {user} END,
          {title_first} || ' ' || {w2} || ' #' || x,
          CASE WHEN {hashed(4)} % 10 < 4 THEN NULL
               ELSE 'Remember to ' || {w3} || ' the ' || {w4} || ' before the weekend' END,
          CASE WHEN {hashed(0)} % 3 = 0 THEN {true} ELSE {false} END,
          CASE WHEN {hashed(1)} % 10 < 3 THEN 'low' WHEN {hashed(1)} % 10 < 8 THEN 'medium' ELSE 'high' END,
          CASE WHEN {hashed(3)} % 10 < 3 THEN NULL
               ELSE {at(f"(x * {PRIMES[2]}) % 4294967296 % 63072000 - 31536000")} END,
          {at(created)},
          {at(f"{created} + (x * {PRIMES[3]}) % 4294967296 % ((:n - x) * 60 + 1)")}
        FROM ({source}) AS s
    """
    params = {"n": n, "h": heavy, "u": users, "heavy": HEAVY,
              "words": "".join(w.ljust(WORD_WIDTH) for w in WORDS),
              "anchor": anchor.strftime("%Y-%m-%d %H:%M:%S") + ("" if dialect == "sqlite" else "+00")}
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def model_indexes(Task: Any) -> list[Any]:
    """The model's indexes in the order it declares them (then any others, by name)."""
    from sqlalchemy import Index

    declared = [arg for arg in getattr(Task, "__table_args__", ()) if isinstance(arg, Index)]
    rest = sorted((ix for ix in Task.__table__.indexes if ix not in declared), key=lambda ix: ix.name)
    return [*declared, *rest]


def build_table(engine: Any, dialect: str, Task: Any, SQLModel: Any, index_set: str, args: Any,
                anchor: dt.datetime) -> dict[str, Any]:
    from sqlalchemy import text

    start = time.perf_counter()
    SQLModel.metadata.drop_all(engine, tables=[Task.__table__])
    SQLModel.metadata.create_all(engine, tables=[Task.__table__])  # the model's table and indexes
    # The indexes are made again after the load, in the order the model declares them (= the
    # order of the migrations): create_all's order varies from run to run (a set), and SQLite's
    # planner breaks ties between equally good indexes by that order.
    # Every table of a database thus has the same rows in the same pages; only indexes differ.
    with engine.begin() as conn:
        for index in Task.__table__.indexes:
            conn.execute(text(f"DROP INDEX {index.name}"))
    load_rows(engine, dialect, args.heavy, args.users, args.per_user, anchor)
    with engine.begin() as conn:
        for index in model_indexes(Task):
            if index_set != "baseline" or index.name == BASELINE_INDEX:
                index.create(conn)
        if index_set == "candidate":
            for sql in CANDIDATE_INDEXES:
                conn.execute(text(sql))
    if dialect == "sqlite":
        if args.sqlite_analyze:
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE task"))  # what autovacuum does; index-only scans possible
    with engine.connect() as conn:
        if dialect == "sqlite":
            indexes = [r[1] for r in conn.execute(text("PRAGMA index_list(task)")) if r[3] == "c"]
        else:
            indexes = list(conn.execute(text(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'task' AND schemaname = current_schema() "
                "AND indexname NOT LIKE '%pkey'")).scalars())
        rows = conn.execute(text("SELECT count(*) FROM task")).scalar_one()
        heavy_rows = conn.execute(text("SELECT count(*) FROM task WHERE user_id = :u"), {"u": HEAVY}).scalar_one()
    return {"indexes": sorted(indexes), "rows": rows, "heavy_user_rows": heavy_rows,
            "build_s": round(time.perf_counter() - start, 2)}


def data_profile(engine: Any, dialect: str) -> dict[str, Any]:
    """What the heavy user's rows look like (so that a reader can check the spreads)."""
    from sqlalchemy import text

    now = "CURRENT_TIMESTAMP" if dialect != "sqlite" else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    with engine.connect() as conn:
        row = conn.execute(text(
            f"SELECT count(*), sum(CASE WHEN completed THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN priority = 'high' THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN due_date IS NULL THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN due_date < {now} AND NOT completed THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN lower(title) LIKE :w OR lower(description) LIKE :w THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN description IS NULL THEN 1 ELSE 0 END) FROM task WHERE user_id = :u"
        ), {"u": HEAVY, "w": f"%{SEARCH_WORD}%"}).one()
        sample = [r[0] for r in conn.execute(text(
            "SELECT title FROM task WHERE user_id = :u ORDER BY id LIMIT 3"), {"u": HEAVY})]
    total = row[0]
    return {"heavy_user_rows": total, "completed": round(row[1] / total, 3), "priority_high": round(row[2] / total, 3),
            "due_date_null": round(row[3] / total, 3), "overdue": round(row[4] / total, 3),
            f"matches_q_{SEARCH_WORD}": round(row[5] / total, 3), "description_null": round(row[6] / total, 3),
            "sample_titles": sample}


def statements(Task: Any, task_list_query: Any, owner: str, case: dict[str, Any]) -> tuple[Any, Any]:
    """The route's two statements for this user and these query parameters."""
    from sqlalchemy import func
    from sqlmodel import select

    kwargs = dict(case)
    if "priority" in kwargs:
        from app.models import Priority

        kwargs["priority"] = Priority(kwargs["priority"])
    q = task_list_query(owner=owner, limit=PAGE, **kwargs)
    where = q.where()
    count = select(func.count()).select_from(Task).where(*where)
    page = select(Task).where(*where).order_by(*q.order_by()).offset(q.offset).limit(q.limit)
    return count, page


def one_request(engine: Any, count: Any, page: Any) -> tuple[float, float, float]:
    """(count, page, whole) seconds: a session per request, the count first, as the route does."""
    from sqlmodel import Session

    start = time.perf_counter()
    with Session(engine) as session:
        session.exec(count).one()
        middle = time.perf_counter()
        list(session.exec(page).all())
        end = time.perf_counter()
    done = time.perf_counter()
    return middle - start, end - middle, done - start


def explain(engine: Any, dialect: str, query: Any) -> list[str]:
    from sqlalchemy import text

    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        if dialect == "sqlite":
            return [row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()]
        rows = conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) {sql}")).all()
        return [row[0] for row in rows]


def stats(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {"median_ms": round(statistics.median(samples) * 1000, 4),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))] * 1000, 4)}


def bench_db(dialect: str, engines: dict[str, Any], Task: Any, SQLModel: Any, task_list_query: Any,
             args: Any) -> dict[str, Any]:
    """Build one table per index set, then query them all in interleaved rounds: in every round
    each case runs once per (index set, user): the heavy user and a normal user (another each
    round)."""
    from sqlalchemy import text

    anchor = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out: dict[str, Any] = {"tables": {}, "cases": {}, "plans": {}, "count_plans": {}}
    try:
        for name, engine in engines.items():
            out["tables"][name] = build_table(engine, dialect, Task, SQLModel, name, args, anchor)
            print(f"  {dialect:10} table {name:9} {out['tables'][name]}")
        out["data"] = data_profile(engines["model"], dialect)
        print(f"  {dialect:10} the heavy user's rows: {out['data']}")
        normal_users = [f"user-{i:07d}" for i in range(args.users)]
        heavy_statements = {case: statements(Task, task_list_query, HEAVY, kw) for case, kw in CASES.items()}
        rng = random.Random(9)
        samples: dict[tuple[str, str, str], list[tuple[float, float, float]]] = {}
        started = time.perf_counter()
        for round_no in range(args.warmup + args.rounds):
            normal = rng.choice(normal_users)
            for case, kw in CASES.items():
                both = {"heavy": heavy_statements[case], "normal": statements(Task, task_list_query, normal, kw)}
                for name, engine in engines.items():
                    for who, (count, page) in both.items():
                        measured = one_request(engine, count, page)
                        if round_no >= args.warmup:  # the first rounds warm the caches
                            samples.setdefault((name, who, case), []).append(measured)
            if round_no == 0:
                print(f"  {dialect:10} {time.perf_counter() - started:.1f} s for the first round; "
                      f"{args.warmup + args.rounds} rounds")
        out["measure_s"] = round(time.perf_counter() - started, 1)
        print(f"  {dialect:10} measured in {out['measure_s']} s")
        for (name, who, case), values in samples.items():
            out["cases"].setdefault(case, {}).setdefault(name, {})[who] = {
                part: stats([v[i] for v in values]) for i, part in enumerate(("count", "page", "request"))
            }
        for case in CASES:
            count, page = heavy_statements[case]
            for name, engine in engines.items():
                out["plans"].setdefault(case, {})[name] = explain(engine, dialect, page)
                out["count_plans"].setdefault(case, {})[name] = explain(engine, dialect, count)
        if dialect == "sqlite" and not args.sqlite_analyze:
            # What the plans would be with statistics (the timings above are without).
            with engines["model"].begin() as conn:
                conn.execute(text("ANALYZE"))
            out["plans_model_after_analyze"] = {
                case: explain(engines["model"], dialect, heavy_statements[case][1]) for case in CASES}
            out["count_plans_model_after_analyze"] = {
                case: explain(engines["model"], dialect, heavy_statements[case][0]) for case in CASES}
    finally:
        for engine in engines.values():
            try:
                SQLModel.metadata.drop_all(engine, tables=[Task.__table__])
            finally:
                engine.dispose()
    out["ratios"] = ratios(out["cases"])
    return out


def ratios(cases: dict[str, Any]) -> dict[str, Any]:
    """Ratios of medians, per part (count, page, request): baseline ÷ model for each user,
    heavy ÷ normal for each index set (and model ÷ candidate with --candidate)."""
    parts = ("count", "page", "request")

    def ratio(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float]:
        return {part: round(a[part]["median_ms"] / b[part]["median_ms"], 3) for part in parts}

    result: dict[str, Any] = {}
    for case, sets in cases.items():
        r: dict[str, Any] = {}
        for who in ("heavy", "normal"):
            r[f"baseline_vs_model_{who}"] = ratio(sets["baseline"][who], sets["model"][who])
            if "candidate" in sets:
                r[f"model_vs_candidate_{who}"] = ratio(sets["model"][who], sets["candidate"][who])
        for name in sets:
            r[f"heavy_vs_normal_{name}"] = ratio(sets[name]["heavy"], sets[name]["normal"])
        r["page_growth_target_met"] = r["heavy_vs_normal_model"]["page"] <= TARGET_PAGE_GROWTH
        r["scans_user_rows"] = SCANS.get(case)
        result[case] = r
    return result


def report(dialect: str, res: dict[str, Any]) -> None:
    heavy_rows = res["data"]["heavy_user_rows"]
    print(f"\n{dialect}: median ms, count + page = request; the heavy user ({heavy_rows} tasks) and a "
          f"normal user; ratios of medians")
    print(f"  {'case':28} {'model, heavy':>23} {'baseline, heavy':>23} {'model, normal':>20} "
          f"{'base÷model':>10} {'heavy÷normal':>12}")
    for case, sets in res["cases"].items():
        m, b = sets["model"], sets["baseline"]
        r = res["ratios"][case]

        def parts(x: dict[str, Any]) -> str:
            return f"{x['count']['median_ms']:.2f}+{x['page']['median_ms']:.2f}={x['request']['median_ms']:.2f}"
        print(f"  {case:28} {parts(m['heavy']):>23} {parts(b['heavy']):>23} {parts(m['normal']):>20} "
              f"{r['baseline_vs_model_heavy']['request']:>10.2f} {r['heavy_vs_normal_model']['request']:>12.2f}")
    print()
    for case, r in res["ratios"].items():
        g, gain = r["heavy_vs_normal_model"], r["baseline_vs_model_heavy"]
        heavy = res["cases"][case]["model"]["heavy"]
        line = (f"{dialect:10} {case:28} page heavy÷normal {g['page']:6.2f} "
                f"{verdict(g['page'], TARGET_PAGE_GROWTH, at_most=True)}; baseline÷model, heavy user: "
                f"page {gain['page']:.2f}, count {gain['count']:.2f}; the count {heavy['count']['median_ms']:.1f} ms "
                f"(heavy÷normal {g['count']:.1f})")
        if "model_vs_candidate_heavy" in r:
            line += f"; model÷candidate, heavy user: page {r['model_vs_candidate_heavy']['page']:.2f}"
        if r["scans_user_rows"]:
            line += (f"\n{'':10} {'':28}   expected, no index serves it ({r['scans_user_rows']}): "
                     f"page {heavy['page']['median_ms']:.1f} ms, request {heavy['request']['median_ms']:.1f} ms "
                     f"at {heavy_rows} tasks")
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50, help="measured rounds (each: every case once)")
    parser.add_argument("--warmup", type=int, default=5, help="rounds run first and not counted")
    parser.add_argument("--heavy", type=int, default=100_000, help="the heavy user's tasks")
    parser.add_argument("--users", type=int, default=2000, help="normal users")
    parser.add_argument("--per-user", type=int, default=100, help="tasks of each normal user")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--sqlite-analyze", action="store_true",
                        help="ANALYZE the SQLite tables before timing (the generated app never does)")
    parser.add_argument("--candidate", action="store_true",
                        help="a third table: the model's indexes + (user_id, (due_date IS NULL), due_date, id)")
    parser.add_argument("--plans-only", action="store_true", help="one round, print the plans, write nothing")
    parser.add_argument("--label", help="write results/list_filters-LABEL.json instead of list_filters.json")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help=f"a server URL to create (and drop) the scratch database {SCRATCH_DB} with")
    args = parser.parse_args()
    if args.plans_only:
        args.rounds, args.warmup = 1, 0
    index_sets = [*INDEX_SETS, *(["candidate"] if args.candidate else [])]
    print_header(f"filtered and sorted lists: a user with {args.heavy} tasks vs users with {args.per_user}")

    work = Path(tempfile.mkdtemp(prefix="bafa-bench-list-filters-"))
    project = generate(work / "proj")
    sys.path.insert(0, str(project / "backend"))
    from app.api.task_list import task_list_query  # the generated list query
    from app.models import Task  # the generated model
    from sqlmodel import SQLModel, create_engine

    declared = [{"name": ix.name, "columns": [c.name for c in ix.columns]} for ix in model_indexes(Task)]
    print(f"  the generated model declares: {declared}")
    out: dict[str, Any] = {
        "label": args.label,
        "queries": ["select(func.count()).select_from(Task).where(*q.where())",
                    "select(Task).where(*q.where()).order_by(*q.order_by()).offset(0).limit(50)"],
        "cases": CASES, "heavy_user_tasks": args.heavy, "normal_users": args.users,
        "tasks_per_normal_user": args.per_user, "rounds": args.rounds, "warmup_rounds": args.warmup,
        "index_sets": {"model": declared, "baseline": [BASELINE_INDEX],
                       **({"candidate": ["model", *CANDIDATE_INDEXES]} if args.candidate else {})},
        "sqlite_analyzed": args.sqlite_analyze, "target_page_heavy_vs_normal": TARGET_PAGE_GROWTH,
        "databases": {},
    }
    try:
        engines = {name: create_engine(f"sqlite:///{work / f'{name}.db'}") for name in index_sets}
        out["databases"]["sqlite"] = bench_db("sqlite", engines, Task, SQLModel, task_list_query, args)
        if not args.no_postgres:
            from sqlalchemy import text
            from sqlalchemy.engine import make_url

            admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)"))
                conn.execute(text(f"CREATE DATABASE {SCRATCH_DB}"))
            try:
                url = make_url(args.pg_url).set(database=SCRATCH_DB).render_as_string(hide_password=False)
                setup = create_engine(url, isolation_level="AUTOCOMMIT")
                with setup.connect() as conn:
                    out["postgresql_version"] = conn.execute(text("SHOW server_version")).scalar_one()
                    for name in index_sets:  # one schema per index set, found through search_path
                        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS t_{name}"))
                setup.dispose()
                engines = {name: create_engine(url, connect_args={"options": f"-c search_path=t_{name}"})
                           for name in index_sets}
                out["databases"]["postgresql"] = bench_db("postgresql", engines, Task, SQLModel,
                                                          task_list_query, args)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)"))
                admin.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    for db, res in out["databases"].items():
        for case, sets in res["plans"].items():
            for name, plan in sets.items():
                print(f"\n  plan ({db}, {name} indexes, the heavy user's page, {case}):")
                for line in plan:
                    print(f"    {line}")
        for case, plan in res.get("plans_model_after_analyze", {}).items():
            print(f"\n  plan ({db}, model indexes after ANALYZE, the heavy user's page, {case}):")
            for line in plan:
                print(f"    {line}")
    for db, res in out["databases"].items():
        report(db, res)
    if not args.plans_only:
        write_result("list_filters" + (f"-{args.label}" if args.label else ""), out)


if __name__ == "__main__":
    main()
