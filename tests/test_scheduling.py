"""The order the xdist workers take bafa's own tests in (tests/conftest.py)."""

from __future__ import annotations

from conftest import NPM_CI_SECONDS, _after_npm_ci


def test_on_a_clean_machine_one_node_test_goes_first_and_the_others_wait_for_other_work() -> None:
    units = ["e2e-a", "e2e-b", "resource-1", "resource-2", "backend-1", "e2e-c", "small"]
    cost = {"e2e-a": 180, "e2e-b": 180, "resource-1": 160, "resource-2": 160, "backend-1": 75, "e2e-c": 0, "small": 0}
    node = {"e2e-a", "e2e-b", "e2e-c"}
    ordered = _after_npm_ci(units, node, cost)
    assert sorted(ordered) == sorted(units)
    assert ordered[0] == "e2e-a"  # its worker runs the npm ci
    second = min(ordered.index(unit) for unit in node - {"e2e-a"})
    assert sum(cost[unit] for unit in ordered[1:second]) >= 2 * NPM_CI_SECONDS
    assert ordered == ["e2e-a", "resource-1", "resource-2", "e2e-b", "e2e-c", "backend-1", "small"]


def test_with_too_little_other_work_the_node_tests_come_after_all_of_it() -> None:
    ordered = _after_npm_ci(["e2e", "e2e-2", "a", "b"], {"e2e", "e2e-2"}, {"e2e": 180, "e2e-2": 180, "a": 10, "b": 0})
    assert ordered == ["e2e", "a", "b", "e2e-2"]
