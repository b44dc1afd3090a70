"""The solver strategy on models whose optimum is known by hand, and the settings that reach HiGHS."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from ortools.linear_solver import linear_solver_pb2 as pb
from ortools.linear_solver import pywraplp

from staffplan.plan.linear import LinearModel
from staffplan.plan.solve import SolveSettings, SolveStatus, highs_options, lp_request, relative_gap, solve


def covering(requirements: list[float], length: int = 3) -> LinearModel:
    """Cyclic shifts of `length` slots, cost 1 each; every slot needs its requirement (hard)."""
    lp = LinearModel()
    n = len(requirements)
    x = [lp.add_var(f"x[{s}]", cost=1.0, integer=True) for s in range(n)]
    for t, need in enumerate(requirements):
        lp.add_row(f"cover[{t}]", [(x[(t - k) % n], 1.0) for k in range(length)], lo=need)
    return lp


def test_covering_reaches_the_hand_optimum_and_reports_the_lp_bound() -> None:
    # 6 slots, 3-slot shifts, 1 agent per slot: the LP takes 1/3 of every shift (bound 2),
    # two shifts cover the cycle exactly: optimum 2, gap 0.
    solution = solve(covering([1] * 6), SolveSettings(time_limit_s=10))
    assert solution.objective == pytest.approx(2.0)
    assert solution.lower_bound == pytest.approx(2.0)
    assert solution.status is SolveStatus.OPTIMAL


def test_fractional_bound_and_gap_are_reported() -> None:
    # 4 slots, 3-slot shifts, 1 per slot: LP bound 4/3, an integer plan needs 2 shifts.
    solution = solve(covering([1] * 4), SolveSettings(time_limit_s=10))
    assert solution.lower_bound == pytest.approx(4 / 3, rel=1e-6)
    assert solution.objective == pytest.approx(2.0)
    assert solution.gap == pytest.approx(1 / 3, rel=1e-6)
    assert solution.status is SolveStatus.FEASIBLE
    assert solution.values is not None
    assert covering([1] * 4).max_violation(solution.values) <= 1e-6
    assert all(float(v).is_integer() for v in solution.values)


def test_infeasible_rules_are_reported_as_infeasible() -> None:
    lp = covering([1] * 3)
    lp.add_row("no agents", [(j, 1.0) for j in range(3)], hi=0.0)
    assert solve(lp, SolveSettings(time_limit_s=10)).status is SolveStatus.INFEASIBLE


def test_upper_bounds_are_respected_when_rounding_up_would_break_them() -> None:
    # Three slots need 0.5 each; one 3-slot shift covers all. A cap of one agent in all forbids 2.
    lp = covering([0.5, 0.5, 0.5])
    lp.add_row("cap", [(j, 1.0) for j in range(3)], hi=1.0)
    solution = solve(lp, SolveSettings(time_limit_s=10))
    assert solution.objective == pytest.approx(1.0)
    assert solution.values is not None and lp.max_violation(solution.values) <= 1e-6


def test_settings_reach_the_solver_parameters() -> None:
    settings = SolveSettings(time_limit_s=12.5, seed=42, threads=2, lp_algorithm="ipm")
    request = lp_request(covering([1] * 4), settings, settings.time_limit_s)
    params = dict(line.split("=", 1) for line in request.solver_specific_parameters.splitlines())
    assert params["random_seed"] == "42"
    assert params["threads"] == "2"
    assert params["solver"] == "ipm"
    assert request.solver_time_limit_seconds == pytest.approx(12.5)
    # HiGHS accepts exactly these options, and rejects a misspelt one: the channel is live.
    response = pb.MPSolutionResponse()
    pywraplp.Solver.SolveWithProto(request, response)
    assert response.status == pb.MPSOLVER_OPTIMAL
    request.solver_specific_parameters = highs_options(settings) + "random_sed=42\n"
    pywraplp.Solver.SolveWithProto(request, response)
    assert response.status == pb.MPSOLVER_MODEL_INVALID_SOLVER_PARAMETERS


def test_same_seed_same_plan() -> None:
    lp = covering([1, 2, 3, 2, 1, 0, 2, 3], length=3)
    settings = SolveSettings(time_limit_s=10, seed=3)
    a, b = solve(lp, settings), solve(lp, dataclasses.replace(settings))
    assert a.values is not None and b.values is not None
    assert np.array_equal(a.values, b.values)


def test_proto_round_trip_keeps_the_model() -> None:
    lp = covering([1, 2, 0, 1])
    back = LinearModel.from_proto(lp.to_proto())
    assert back.num_vars == lp.num_vars and back.num_rows == lp.num_rows and back.nonzeros == lp.nonzeros
    x = np.array([1.0, 0.0, 1.0, 0.0])
    assert np.allclose(back.row_activity(x), lp.row_activity(x))


def test_relative_gap() -> None:
    assert relative_gap(100.0, 99.0) == pytest.approx(0.01)
    assert relative_gap(0.0, 0.0) == 0.0


def test_progress_lines_show_plan_bound_and_gap() -> None:
    import math

    from staffplan.plan.solve import Progress
    from staffplan.reports.text import progress_line

    running = progress_line(Progress(None, -math.inf, None, 12.0, "lp bound..."))
    assert "lp bound..." in running and "inf" not in running
    line = progress_line(Progress(110.0, 100.0, 10 / 110, 30.5, "dive 12"))
    assert "110" in line and "100" in line and "9.09%" in line and "30.5s" in line


def test_each_step_reports_progress() -> None:
    seen: list[str] = []
    solve(covering([1, 2, 3, 2, 1, 0, 2, 3]), SolveSettings(time_limit_s=10), progress=lambda p: seen.append(p.phase))
    assert seen[0] == "lp bound" and seen[-1] == "plan"
