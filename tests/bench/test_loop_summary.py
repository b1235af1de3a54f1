"""The loop benchmark's pure logic: the figures of a step and of the whole loop, the
verdict and the summary line ``<db> loop Brigade/raw = 0.NN``, the kitchen's ticket
lookup, and the raw baseline's placeholders and tax (no server is started)."""

from __future__ import annotations

import re

import pytest
from bench.loop import STEPS, StepTally, loop_result, tickets_by_order
from bench.run import loop_summary, loop_table, loop_verdict, ratio
from bench.servers.raw_baseline import Profile, qmark, tax_of


def tally(name: str, requests: int, seconds: float, cpu: float, p99: float) -> StepTally:
    """A step that answered ``requests`` in ``seconds`` (``cpu`` s of server CPU), the
    slowest 1 % at ``p99`` ms and the rest at 1 ms."""
    slow = requests // 100 + 1
    step = StepTally(name, seconds=seconds, server_cpu=cpu, core_busy=cpu)
    step.latencies_ms = [1.0] * (requests - slow) + [p99] * slow
    step.statuses[200] = requests
    return step


def side(name: str, loops: int, seconds_per_step: float, p99: float = 5.0) -> list[StepTally]:
    return [tally(n, loops, seconds_per_step, 0.5 * seconds_per_step, p99) for n, _ in STEPS]


def test_step_and_loop_figures() -> None:
    steps = side("raw", loops=1000, seconds_per_step=0.5)
    result = loop_result("raw", steps, loops=1000)

    first = result.steps[0]
    assert first.rps == pytest.approx(2000)
    assert first.server_us_per_request == pytest.approx(250)  # 0.25 s over 1000 requests
    assert result.seconds == pytest.approx(3.0)
    assert result.loops_per_second == pytest.approx(1000 / 3)
    assert result.server_us_per_loop == pytest.approx(1500)  # 6 steps × 250 µs
    assert result.database_us_per_loop is None  # SQLite: not measured


def test_summary_line_passes_both_goals() -> None:
    raw = loop_result("raw", side("raw", 1000, 0.5), loops=1000)
    brigade = loop_result("Brigade", side("Brigade", 1000, 0.8, p99=20.0), loops=1000)

    verdict = loop_verdict(raw, brigade)
    line = loop_summary("sqlite", verdict)

    assert verdict.ratio == pytest.approx(0.625)
    assert line.startswith("sqlite loop Brigade/raw = 0.62 ")
    assert re.match(r"^sqlite loop Brigade/raw = \d\.\d\d", line)
    assert "(goal ≥ 0.5): PASS" in line
    assert "p99 < 25 ms: PASS" in line
    assert "errors" not in line


def test_summary_line_fails_on_ratio_slow_step_and_counts_errors() -> None:
    raw = loop_result("raw", side("raw", 1000, 0.5), loops=1000)
    steps = side("Brigade", 1000, 1.2)
    steps[-1] = tally("pay (closes)", 1000, 1.2, 0.6, p99=31.0)
    steps[2].error("POST /send -> 500 {}")
    brigade = loop_result("Brigade", steps, loops=999)

    line = loop_summary("postgresql", loop_verdict(raw, brigade))

    assert line.startswith("postgresql loop Brigade/raw = 0.42 ")
    assert "(goal ≥ 0.5): FAIL" in line
    assert "p99 < 25 ms: FAIL (worst: pay (closes) 31.0 ms)" in line
    assert line.endswith("Brigade errors: 1")


def test_a_step_that_never_answered_fails_the_p99_goal() -> None:
    raw = loop_result("raw", side("raw", 1000, 0.5), loops=1000)
    steps = side("Brigade", 10, 0.5)
    steps[3] = StepTally("bump ticket")
    brigade = loop_result("Brigade", steps, loops=0)

    verdict = loop_verdict(raw, brigade)

    assert verdict.ratio == 0.0
    assert not verdict.p99_pass
    assert "worst: bump ticket - ms" in loop_summary("sqlite", verdict)


def test_ratio_without_a_baseline_is_none() -> None:
    assert ratio(10.0, 0.0) is None
    assert ratio(None, 3.0) is None
    assert ratio(float("nan"), 3.0) is None
    assert ratio(1.0, 3.0) == 0.333


def test_loop_table_shows_both_sides_and_the_first_error() -> None:
    raw = loop_result("raw", side("raw", 1000, 0.5), loops=1000)
    steps = side("Brigade", 1000, 0.8)
    steps[0].error("POST /orders -> 422 password")
    brigade = loop_result("Brigade", steps, loops=1000)

    lines = loop_table("sqlite", raw, brigade)

    assert any(line.split()[:1] == ["open"] and line.count("|") == 2 for line in lines)
    assert any("whole loop" in line for line in lines)
    assert any("Brigade open (3 lines): 1 errors" in line and "422" in line for line in lines)


def test_tickets_by_order_reads_the_kitchen_list() -> None:
    answer = {
        "items": [
            {"id": 9, "order_id": 3, "station": "oven"},
            {"id": 7, "order_id": 3, "station": "bar"},
            {"id": 8, "order_id": 4, "station": "oven"},
        ],
        "total": 3,
    }

    assert tickets_by_order(answer) == {3: [7, 9], 4: [8]}


def test_raw_baseline_placeholders_and_tax() -> None:
    assert qmark("UPDATE t SET a = $1 WHERE id = $2 AND r = $10") == (
        "UPDATE t SET a = ? WHERE id = ? AND r = ?"
    )
    assert tax_of(1000, Profile("USD", 0, False)) == (0, 1000)
    assert tax_of(1005, Profile("USD", 1000, False)) == (101, 1106)  # 100.5 → 101
    assert tax_of(1100, Profile("EUR", 1000, True)) == (100, 1100)
