"""Benchmark 4 — list scaling: one user's task list with the table at 1k, 100k and 1M rows.

The table is the generated project's own `Task` model; the query is the generated route's own
(`select(Task).where(Task.user_id == owner).order_by(Task.id).offset(o).limit(50)`, run in a
fresh SQLModel Session per query like a request), on SQLite (a file) and PostgreSQL (a scratch
database `bench_tasks` on the local server, dropped afterwards).

At every size each user owns ROWS_PER_USER tasks (so the page is always full: 50 rows) and
the rows are interleaved (row i belongs to user i mod users): one user's rows are spread over
the whole table, as they are in a real table filled over time.

The index is set by this benchmark, not by the model, so both are measured whatever
app/models.py declares: `user_id` (an index on user_id alone) and `user_id_id` (a composite
(user_id, id) index). The model's own secondary indexes are dropped first.

Target: 1M rows / 1k rows <= 1.3 (median latency of the first page). One more table, the
largest size with each user's rows side by side (`user_id_id_clustered`), separates the cost
of the index lookup from the cost of reading rows spread over the table.

    python bench/bench_list.py [--sizes 1000 100000 1000000] [--queries 300] [--no-postgres]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import generate, print_header, verdict, write_result

TARGET = 1.3
ROWS_PER_USER = 100
PAGE = 50
INDEXES = {
    "user_id": "CREATE INDEX bench_ix_task_user ON task (user_id)",
    "user_id_id": "CREATE INDEX bench_ix_task_user_id ON task (user_id, id)",
}
SCRATCH_DB = "bench_tasks"


def load_rows(engine: Any, dialect: str, n: int, layout: str = "interleaved") -> None:
    """Fill task with n rows, generated inside the database (fast, no Python loop).

    interleaved: row x belongs to user x mod users (a user's rows spread over the table);
    clustered: rows x .. x+99 belong to one user (a user's rows side by side).
    """
    from sqlalchemy import text

    users = max(1, n // ROWS_PER_USER)
    owner = "x % :u" if layout == "interleaved" else f"x / {ROWS_PER_USER}"
    with engine.begin() as conn:
        if dialect == "sqlite":
            conn.execute(text(
                f"WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x + 1 < :n) "
                "INSERT INTO task (user_id, title, description, completed, created_at, updated_at) "
                f"SELECT printf('user-%07d', {owner}), 'task ' || x, '', x % 3 = 0, "
                "'2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000' FROM c"
            ), {"n": n, "u": users})
        else:
            conn.execute(text(
                "INSERT INTO task (user_id, title, description, completed, created_at, updated_at) "
                f"SELECT 'user-' || lpad(({owner})::text, 7, '0'), 'task ' || x, '', x % 3 = 0, "
                "now(), now() FROM generate_series(0, :n - 1) AS x"
            ), {"n": n, "u": users})


def set_index(engine: Any, dialect: str, name: str) -> None:
    from sqlalchemy import text

    with engine.begin() as conn:
        for other in INDEXES.values():
            idx = other.split()[2]
            conn.execute(text(f"DROP INDEX IF EXISTS {idx}"))
        conn.execute(text(INDEXES[name]))
        conn.execute(text("ANALYZE task" if dialect != "sqlite" else "ANALYZE"))
    if dialect != "sqlite":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE task"))  # visibility map: index-only scans possible


def explain(engine: Any, dialect: str, query: Any) -> list[str]:
    from sqlalchemy import text

    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        if dialect == "sqlite":
            rows = conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
            return [row[-1] for row in rows]
        rows = conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) {sql}")).all()
        return [row[0] for row in rows]


def one_query(engine: Any, Task: Any, owner: str, offset: int) -> float:
    from sqlmodel import Session, select

    start = time.perf_counter()
    with Session(engine) as session:  # as the route does: a session per request
        query = select(Task).where(Task.user_id == owner).order_by(Task.id).offset(offset).limit(PAGE)
        rows = list(session.exec(query).all())
    elapsed = time.perf_counter() - start
    if len(rows) != PAGE:
        raise SystemExit(f"expected {PAGE} rows for {owner}, got {len(rows)}")
    return elapsed


def stats(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "median_ms": round(statistics.median(samples) * 1000, 4),
        "p95_ms": round(samples[int(len(samples) * 0.95)] * 1000, 4),
    }


def bench_db(dialect: str, engine_for: Any, Task: Any, SQLModel: Any, sizes: list[int],
             queries: int) -> dict[str, Any]:
    """One table per (size, index), all built first, then queried in interleaved rounds.

    Interleaving (one query on each table in turn) exposes every table to the same
    background noise, so the ratios between them stay meaningful on a busy machine.
    """
    from sqlalchemy import text
    from sqlmodel import select

    targets = {(n, name, "interleaved"): engine_for(n, name) for n in sizes for name in INDEXES}
    # The cause of what growth remains: the same largest table with each user's rows side by side.
    targets[(max(sizes), "user_id_id", "clustered")] = engine_for(max(sizes), "user_id_id_clustered")
    results: dict[str, Any] = {"sizes": {str(n): {"users": n // ROWS_PER_USER} for n in sizes}, "plans": {}}
    try:
        for (n, name, layout), engine in targets.items():
            SQLModel.metadata.drop_all(engine, tables=[Task.__table__])
            SQLModel.metadata.create_all(engine, tables=[Task.__table__])
            with engine.begin() as conn:
                for index in Task.__table__.indexes:  # the model's own: replaced below
                    conn.execute(text(f"DROP INDEX IF EXISTS {index.name}"))
            start = time.perf_counter()
            load_rows(engine, dialect, n, layout)
            set_index(engine, dialect, name)
            results["sizes"][str(n)][f"load_and_index_s_{name}_{layout}"] = round(time.perf_counter() - start, 2)
        rng = random.Random(7)
        samples: dict[tuple[int, str, str, int], list[float]] = {}
        for round_no in range(queries + 30):
            for (n, name, layout), engine in targets.items():
                owner = f"user-{rng.randrange(n // ROWS_PER_USER):07d}"
                for offset in (0, PAGE):
                    elapsed = one_query(engine, Task, owner, offset)
                    if round_no >= 30:  # the first rounds warm the caches
                        samples.setdefault((n, name, layout, offset), []).append(elapsed)
        for (n, name, layout, offset), values in samples.items():
            page = "page1" if offset == 0 else "page2"
            key = name if layout == "interleaved" else f"{name}_{layout}"
            results["sizes"][str(n)].setdefault(key, {})[page] = stats(values)
        for n in sizes:
            for name in [k for k in results["sizes"][str(n)] if k.startswith("user_id")]:
                r = results["sizes"][str(n)][name]
                print(f"  {dialect:10} {n:>9} rows  index {name:11} first page median "
                      f"{r['page1']['median_ms']:.3f} ms  p95 {r['page1']['p95_ms']:.3f} ms"
                      f"  (second page {r['page2']['median_ms']:.3f} ms)")
        for name in INDEXES:
            query = select(Task).where(Task.user_id == "user-0000042").order_by(Task.id).limit(PAGE)
            results["plans"][name] = explain(targets[(max(sizes), name, "interleaved")], dialect, query)
    finally:
        for engine in targets.values():
            try:
                SQLModel.metadata.drop_all(engine, tables=[Task.__table__])
            finally:
                engine.dispose()
    small, large = str(min(sizes)), str(max(sizes))
    results["ratio_largest_vs_smallest"] = {
        name: round(results["sizes"][large][name]["page1"]["median_ms"]
                    / results["sizes"][small][name.removesuffix("_clustered")]["page1"]["median_ms"], 3)
        for name in [*INDEXES, "user_id_id_clustered"]
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a server URL to create (and drop) the scratch database bench_tasks with")
    args = parser.parse_args()
    print_header("list scaling: one user's first page at 1k / 100k / 1M rows")

    work = Path(tempfile.mkdtemp(prefix="bafa-bench-list-"))
    project = generate(work / "proj")
    sys.path.insert(0, str(project / "backend"))
    from app.models import Task  # the generated model
    from sqlmodel import SQLModel

    model_indexes = [
        {"name": ix.name, "columns": [c.name for c in ix.columns]} for ix in Task.__table__.indexes
    ]
    print(f"  the generated model declares: {model_indexes} (replaced by the benchmark's own)")
    out: dict[str, Any] = {
        "query": "select(Task).where(Task.user_id == owner).order_by(Task.id).offset(o).limit(50)",
        "rows_per_user": ROWS_PER_USER, "queries_per_case": args.queries, "sizes": args.sizes,
        "indexes": INDEXES, "model_indexes": model_indexes, "databases": {},
    }
    from sqlmodel import create_engine

    def sqlite_engine(n: int, name: str) -> Any:
        return create_engine(f"sqlite:///{work / f'bench-{n}-{name}.db'}",
                             connect_args={"check_same_thread": False})

    out["databases"]["sqlite"] = bench_db("sqlite", sqlite_engine, Task, SQLModel, args.sizes, args.queries)
    if not args.no_postgres:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DB}"))
            conn.execute(text(f"CREATE DATABASE {SCRATCH_DB}"))
        try:
            url = make_url(args.pg_url).set(database=SCRATCH_DB).render_as_string(hide_password=False)
            setup = create_engine(url, isolation_level="AUTOCOMMIT")

            def pg_engine(n: int, name: str) -> Any:
                schema = f"t_{n}_{name}"  # one schema per table, found through search_path
                with setup.connect() as conn:
                    conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
                return create_engine(url, connect_args={"options": f"-c search_path={schema}"})

            try:
                out["databases"]["postgresql"] = bench_db("postgresql", pg_engine, Task, SQLModel,
                                                          args.sizes, args.queries)
            finally:
                setup.dispose()
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)"))
            admin.dispose()

    print()
    for db, res in out["databases"].items():
        for name, ratio in res["ratio_largest_vs_smallest"].items():
            print(f"{db:10} index {name:20} {max(args.sizes)} / {min(args.sizes)} rows = {ratio:.2f}  "
                  f"{verdict(ratio, TARGET, at_most=True)}")
        for name, plan in res["plans"].items():
            print(f"  plan ({db}, index {name}, {max(args.sizes)} rows):")
            for line in plan:
                print(f"    {line}")
    out["target"] = TARGET
    write_result("list_scaling", out)
    import shutil

    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
