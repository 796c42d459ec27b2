"""Shared helpers for the generator's tests: run the real CLI, render real projects."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path

import pytest

from generator.env_files import read_env  # noqa: F401 - the one .env reader, for every test

REPO = Path(__file__).resolve().parent.parent


def run_bafa(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the `bafa` CLI as a user would, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def invoke_bafa(*args: str) -> subprocess.CompletedProcess[str]:
    """The same CLI in this process (Typer's CliRunner), answered like run_bafa: for usage errors,
    answers and diagnosis, where a process of its own adds only its start-up. run_bafa stays for
    the real paths (the console script, exit codes and stderr of a process, a terminal or not)."""
    from typer.testing import CliRunner

    from generator._cli import app

    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a crash is a crash, not exit code 1
    return subprocess.CompletedProcess(["bafa", *args], result.exit_code, result.stdout, result.stderr)


def generate(dest: Path, *data: str) -> Path:
    """Generate a project with --defaults and the given KEY=VALUE answers; fail loudly."""
    args = ["new", str(dest), "--defaults"]
    for pair in data:
        args += ["--data", pair]
    result = run_bafa(*args)
    assert result.returncode == 0, result.stderr
    return dest


def ruff_check(folder: Path) -> subprocess.CompletedProcess[str]:
    """`ruff check` in a generated FOLDER, by the rules of its own pyproject.toml (no cache written)."""
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "."]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True)


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project generated with every default answer, shared by read-only tests."""
    return generate(tmp_path_factory.mktemp("default") / "my-app")


def snapshot(path: Path) -> dict[str, bytes]:
    """Every file below PATH with its bytes: to prove a failed command changed nothing."""
    if not path.exists():
        return {}
    if path.is_file():
        return {"": path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
REDIS_TEST_URL = os.environ.get("BAFA_REDIS_URL", "redis://127.0.0.1:6379")
_redis_dbs: list[int] = []


def _process_redis_db() -> int:
    if not _redis_dbs:
        _redis_dbs.append(redis_db())
    return _redis_dbs[0]


def redis_db() -> int:
    """A Redis database of this test process's own (1..12, reserved by a lock file, see
    processes.reserve): tests that empty it (FLUSHDB) never meet another worker's or another
    checkout's. 13 and 15 are left to suites that predate this (their fixed databases)."""
    from processes import reserve

    return reserve("redis-db", list(range(12, 0, -1)))


def redis_test_url() -> str | None:
    """The Redis for the generated suites' cross-instance tests and test_scale_out.py, if one
    answers: BAFA_REDIS_URL as given, else 127.0.0.1:6379 with this process's own database.

    CI must have one (the machines run Redis on 127.0.0.1:6379): there its absence fails."""
    import socket
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(REDIS_TEST_URL)
    if "BAFA_REDIS_URL" not in os.environ:
        parts = parts._replace(path=f"/{_process_redis_db()}")
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return urlunsplit(parts)
    except OSError:
        pass
    if IN_CI:
        pytest.fail(f"no Redis at {REDIS_TEST_URL} (CI must provide it)")
    return None


def clean_env() -> dict[str, str]:
    """The environment for a generated project's processes, without our own settings leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BETTER_AUTH", "CORS_", "DATABASE_URL"))}
    env.pop("PYTEST_ADDOPTS", None)
    for key in [k for k in env if k.startswith("PYTEST_XDIST_")]:  # our worker's, not the project's run
        del env[key]
    return env


# --- CPU seconds per test, in the JUnit report (bench/test_times.py --cpu) ----------------------

# On two busy cores the suite's wall time is about its CPU time over two: what a change saves is
# best seen in CPU seconds, which another process on the machine changes far less than seconds.
_cpu_at_start: dict[str, float] = {}


def _cpu_seconds() -> float:
    """This process's CPU time and that of every child (and their children) it has waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def pytest_runtest_logstart(nodeid: str) -> None:
    _cpu_at_start[nodeid] = _cpu_seconds()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None]:
    if call.when == "teardown" and item.nodeid in _cpu_at_start:  # JUnit takes the teardown's properties
        item.user_properties.append(("cpu_seconds", round(_cpu_seconds() - _cpu_at_start.pop(item.nodeid), 3)))
    return (yield)


# --- Running on several workers (pytest-xdist, scripts/test.sh: -n auto --dist loadgroup) -------------

# Rough CI seconds of one slow test (or of one group of tests sharing a module fixture) in these
# files (bench/results/test_times-ci-ce562fe.json): the workers take the longest work first, so
# they finish together instead of one of them starting a 2-minute test at the end.
SLOW_SECONDS = {
    "test_e2e.py": 180,
    "test_add_resource.py": 160,
    "test_generated_backends.py": 75,
    "test_quickstart.py": 85,
    "test_scale_out.py": 80,
    "test_postgresql.py": 95,
    "test_bootstrap.py": 70,
    "test_update_task_api.py": 17,
    "test_defect_injection.py": 15,
    "test_update_async.py": 9,
    "test_task_contract.py": 5,
}
# These install the frontend's node_modules (tests/processes.py). On a clean machine the first of
# them runs the `npm ci` (about two minutes) while any other would wait for it: one goes first, the
# others only after about two workers' worth of other work (at ce562fe a second worker waited 105 s).
# Not in the background from the start: on two busy cores that slowed every test beside it more.
NEEDS_NODE = {
    *("test_e2e.py", "test_scale_out.py", "test_quickstart.py"),
    "test_add_resource.py::test_the_frontends_typed_client_is_regenerated_in_the_resources_commit",
}
NPM_CI_SECONDS = 120
COLD_NODE_CACHE = "BAFA_TEST_NODE_CACHE_COLD"  # set by the controller, read by every worker


def _group(item: pytest.Item) -> str | None:
    """Tests sharing a module-scoped fixture of their own module (a rendered project, a
    bootstrapped set of services, ...) form one group: one worker runs them all, so the fixture
    is built once, as without xdist. Each value of a parametrized one is a group of its own."""
    keys = []
    for name, defs in sorted(item._fixtureinfo.name2fixturedefs.items()):
        fixture = defs[-1]
        if fixture.scope == "module" and getattr(fixture.func, "__module__", None) == item.module.__name__:
            callspec = getattr(item, "callspec", None)
            param = callspec.params.get(name) if callspec and name in callspec.params else None
            keys.append(name if param is None else f"{name}={param}")
    return f"{item.module.__name__}:{','.join(keys)}" if keys else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On an xdist worker: group the tests that share module fixtures (xdist_group, for --dist
    loadgroup; marked before xdist's own hook reads the marks)."""
    if "PYTEST_XDIST_WORKER" in os.environ:
        for item in items:
            group = _group(item)
            if group:
                item.add_marker(pytest.mark.xdist_group(group))


class _LongestFirst:
    """On an xdist worker: the longest work first (with --no-loadscope-reorder the scheduler
    hands it out in this order). Every worker computes the same order from the same collection."""

    @pytest.hookimpl(wrapper=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> Generator[None]:
        yield  # after pytest's own order (a parametrized fixture's tests together) and xdist's
        cost: dict[str, int] = {}
        unit_of: dict[str, str] = {}
        for item in items:
            mark = item.get_closest_marker("xdist_group")
            unit = f"group:{mark.args[0]}" if mark else item.nodeid
            unit_of[item.nodeid] = unit
            seconds = SLOW_SECONDS.get(item.path.name, 0) if item.get_closest_marker("slow") else 0
            cost[unit] = max(cost.get(unit, 0), seconds)
        units = sorted(dict.fromkeys(unit_of.values()), key=lambda unit: -cost[unit])  # stable
        node = {unit_of[i.nodeid] for i in items if {i.path.name, f"{i.path.name}::{i.originalname}"} & NEEDS_NODE}
        if os.environ.get(COLD_NODE_CACHE) == "1" and node:
            units = _after_npm_ci(units, node, cost)
        position = {unit: index for index, unit in enumerate(units)}
        items.sort(key=lambda item: position[unit_of[item.nodeid]])
        return None


def _after_npm_ci(units: list[str], node: set[str], cost: dict[str, int]) -> list[str]:
    """The units in the same order, except that after the first one needing node_modules (its
    worker runs the `npm ci`) come the other units the workers take next, about NPM_CI_SECONDS
    each (two workers), and only then the rest of those needing node_modules."""
    needing = [unit for unit in units if unit in node]
    others = [unit for unit in units if unit not in node]
    ahead, seconds = 0, 0
    while ahead < len(others) and seconds < 2 * NPM_CI_SECONDS:
        seconds += cost[others[ahead]]
        ahead += 1
    return needing[:1] + others[:ahead] + needing[1:] + others[ahead:]


def pytest_configure(config: pytest.Config) -> None:
    if "PYTEST_XDIST_WORKER" in os.environ:
        config.pluginmanager.register(_LongestFirst(), "bafa-longest-first")
    elif getattr(config.option, "numprocesses", None):  # the controller, before it starts the workers
        from processes import node_cache_is_cold

        os.environ[COLD_NODE_CACHE] = "1" if node_cache_is_cold() else "0"
