"""The order the xdist workers take bafa's own tests in (tests/conftest.py)."""

from __future__ import annotations

from conftest import NPM_CI_SECONDS, _after_npm_ci


def test_on_a_clean_machine_node_tests_wait_for_two_workers_worth_of_other_work() -> None:
    units = ["e2e-a", "e2e-b", "resource-1", "resource-2", "backend-1", "e2e-c", "small"]
    cost = {"e2e-a": 180, "e2e-b": 180, "resource-1": 160, "resource-2": 160, "backend-1": 75, "e2e-c": 0, "small": 0}
    node = {"e2e-a", "e2e-b", "e2e-c"}
    ordered = _after_npm_ci(units, node, cost)
    assert sorted(ordered) == sorted(units)
    first_node = min(ordered.index(unit) for unit in node)
    assert sum(cost[unit] for unit in ordered[:first_node]) >= 2 * NPM_CI_SECONDS
    assert ordered == ["resource-1", "resource-2", "e2e-a", "e2e-b", "e2e-c", "backend-1", "small"]


def test_with_too_little_other_work_node_tests_come_after_all_of_it() -> None:
    assert _after_npm_ci(["e2e", "a", "b"], {"e2e"}, {"e2e": 180, "a": 10, "b": 0}) == ["a", "b", "e2e"]
