"""Shift-rostering engine (Curtois & Qu benchmark rules): parser, independent checker, CP-SAT model, bench."""

from __future__ import annotations

import math
import random
import time
from pathlib import Path
from typing import Any

import pytest
from ortools.sat.python import cp_model

from staffplan.roster.shifts import model
from staffplan.roster.shifts.bench import (
    DEFAULT_DATA_DIR,
    Row,
    parse_instance_range,
    parse_range,
    render_summary,
    render_table,
    run_curtois,
)
from staffplan.roster.shifts.colgen import lp_is_informative
from staffplan.roster.shifts.instance import Instance, InstanceFormatError, load_instance, parse_instance
from staffplan.roster.shifts.model import (
    RosterModel,
    SolveOptions,
    SubSolve,
    _adapted_size,
    _guided_neighbourhood,
    _neighbourhood,
    build_model,
    full_assignment,
    large_neighbourhood_search,
    make_solver,
    solve,
    sub_solve,
)
from staffplan.roster.shifts.penalty import CheckResult, check_solution_file
from staffplan.roster.shifts.solution import solution_path, write_solution

DATA = DEFAULT_DATA_DIR
INSTANCE1 = DATA / "Instance1.txt"
needs_data = pytest.mark.skipif(not INSTANCE1.exists(), reason="Curtois benchmark data not available")


def tiny(
    *,
    horizon: int = 7,
    shifts: str = "D,480,",
    staff: str = "A,D=14,100000,0,14,1,1,4",
    days_off: str = "",
    on: str = "",
    off: str = "",
    cover: str | None = None,
) -> Instance:
    """A one-employee instance (cover: 0 wanted, weights 100/1, unless given)."""
    if cover is None:
        ids = [line.split(",")[0] for line in shifts.strip().splitlines()]
        cover = "\n".join(f"{d},{s},0,100,1" for d in range(horizon) for s in ids)
    text = (
        "# tiny test instance\nSECTION_HORIZON\n"
        f"{horizon}\n\nSECTION_SHIFTS\n{shifts}\n\nSECTION_STAFF\n{staff}\n\nSECTION_DAYS_OFF\n{days_off}\n\n"
        f"SECTION_SHIFT_ON_REQUESTS\n{on}\n\nSECTION_SHIFT_OFF_REQUESTS\n{off}\n\nSECTION_COVER\n{cover}\n"
    )
    return parse_instance(text, name="Tiny")


def check(inst: Instance, rows: dict[str, str], tmp_path: Path) -> CheckResult:
    """Write rows (``"D,,D,..."`` per employee) as a solution file and run the independent checker on it."""
    roster = {e: [c or None for c in row.split(",")] for e, row in rows.items()}
    path = write_solution(inst, roster, solution_path(tmp_path, inst.name))
    return check_solution_file(inst, path)


# ---------------------------------------------------------------- parser


@needs_data
def test_parse_instance1() -> None:
    inst = load_instance(INSTANCE1)
    assert inst.name == "Instance1"
    assert inst.horizon == 14
    assert inst.shift_ids == ("D",)
    assert inst.shifts[0].length == 480
    assert inst.shifts[0].cannot_follow == ()
    assert inst.staff_ids == tuple("ABCDEFGH")
    a = inst.staff[0]
    assert dict(a.max_shifts) == {"D": 14}
    assert (a.max_total_minutes, a.min_total_minutes) == (4320, 3360)
    assert (a.max_consecutive_shifts, a.min_consecutive_shifts, a.min_consecutive_days_off, a.max_weekends) == (
        5, 2, 2, 1,
    )
    assert inst.days_off["A"] == frozenset({0})
    assert inst.days_off["H"] == frozenset({7})
    assert len(inst.on_requests) == 21
    assert inst.on_requests[0].employee == "A"
    assert (inst.on_requests[0].day, inst.on_requests[0].shift, inst.on_requests[0].weight) == (2, "D", 2)
    assert len(inst.off_requests) == 5
    assert len(inst.cover) == 14
    assert (inst.cover[0].day, inst.cover[0].requirement, inst.cover[0].weight_under, inst.cover[0].weight_over) == (
        0, 5, 100, 1,
    )
    assert inst.weekends() == [(5, 6), (12, 13)]


def test_parse_crlf_and_comment_before_section() -> None:
    inst = tiny()
    text = (
        "SECTION_HORIZON\r\n7\r\n\r\nSECTION_SHIFTS\r\nD,480,\r\nN,480,D\r\n\r\nSECTION_STAFF\r\n"
        "A,D=7|N=0,3000,0,5,1,1,1\r\n\r\nSECTION_DAYS_OFF\r\nA,1,2\r\n\r\n# a comment\r\nSECTION_SHIFT_ON_REQUESTS\r\n"
        "A,0,D,2\r\n\r\nSECTION_SHIFT_OFF_REQUESTS\r\n\r\nSECTION_COVER\r\n0,D,1,100,1\r\n"
    )
    inst = parse_instance(text)
    assert inst.shifts[1].cannot_follow == ("D",)
    assert inst.staff[0].max_shifts["N"] == 0
    assert inst.days_off["A"] == frozenset({1, 2})
    assert inst.off_requests == ()


@pytest.mark.parametrize(
    ("kwargs", "line", "message"),
    [
        ({"staff": "A,D=14,lots,0,14,1,1,4"}, 9, "MaxTotalMinutes must be an integer"),
        ({"staff": "A,D=14,100000,0,14,1,1"}, 9, "staff row needs 8 fields"),
        ({"staff": "A,X=3,100000,0,14,1,1,4"}, 9, "unknown shift 'X' in MaxShifts"),
        ({"shifts": "D,480,N"}, 6, "unknown shift 'N' in CannotFollow"),
        ({"days_off": "Z,1"}, 12, "unknown employee 'Z'"),
        ({"days_off": "A,9"}, 12, "day 9 is outside the horizon"),
        ({"on": "A,1,D"}, 15, "request row needs 4 fields"),
        ({"cover": "0,D,1,100,1\n0,D,2,100,1"}, 22, "duplicate cover row"),
        ({"cover": "0,Q,1,100,1"}, 21, "unknown shift 'Q'"),
    ],
)
def test_parse_errors_name_the_line(kwargs: dict[str, str], line: int, message: str) -> None:
    with pytest.raises(InstanceFormatError, match=message) as err:
        tiny(**kwargs)
    assert err.value.line == line
    assert f"Tiny:{line}:" in str(err.value)
    assert isinstance(err.value, ValueError)


def test_parse_missing_section() -> None:
    with pytest.raises(ValueError, match="missing section SECTION_STAFF"):
        parse_instance("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,\n")


# ---------------------------------------------------------------- hard rules: clean vs violating, via the checker

RULES = [
    # (rule, instance kwargs, clean row, violating row, expected message fragment)
    (
        "forbidden succession",
        {"shifts": "D,480,\nN,480,D", "staff": "A,D=7|N=7,100000,0,7,1,1,4"},
        "N,,D,D,N,,",
        "N,D,,,,,",
        "may not follow N",
    ),
    ("max shifts per type", {"staff": "A,D=2,100000,0,7,1,1,4"}, "D,D,,,,,", "D,D,D,,,,", "3 shifts of type D"),
    ("max total minutes", {"staff": "A,D=7,960,0,7,1,1,4"}, "D,D,,,,,", "D,D,D,,,,", "1440 minutes worked, maximum"),
    ("min total minutes", {"staff": "A,D=7,10000,1440,7,1,1,4"}, "D,D,D,,,,", "D,D,,,,,", "960 minutes worked, min"),
    ("max consecutive shifts", {"staff": "A,D=7,10000,0,3,1,1,4"}, "D,D,D,,D,D,D", ",D,D,D,D,,", "4 consecutive"),
    # minimum run rules: runs touching the horizon border are exempt
    ("min consecutive shifts", {"staff": "A,D=7,10000,0,7,2,1,4"}, "D,,,D,D,,D", ",,D,,,,", "1 consecutive shifts"),
    ("min consecutive days off", {"staff": "A,D=7,10000,0,7,1,2,4"}, ",D,,,D,D,", "D,D,,D,D,D,D", "1 consecutive days"),
    (
        "max weekends",
        {"horizon": 14, "staff": "A,D=14,100000,0,14,1,1,1"},
        ",,,,,D,D,,,,,,,",
        ",,,,,D,,,,,,,,D",
        "2 weekends worked, maximum 1",
    ),
    ("days off", {"days_off": "A,2,4"}, "D,D,,D,,D,D", "D,D,D,D,,,", "day 2, which is a fixed day off"),
]


@pytest.mark.parametrize(("rule", "kwargs", "clean", "bad", "fragment"), RULES, ids=[r[0] for r in RULES])
def test_checker_rule(rule: str, kwargs: dict[str, Any], clean: str, bad: str, fragment: str, tmp_path: Path) -> None:
    inst = tiny(**kwargs)
    good = check(inst, {"A": clean}, tmp_path)
    assert good.violations == (), rule
    wrong = check(inst, {"A": bad}, tmp_path)
    assert len(wrong.violations) == 1, wrong.violations
    assert fragment in wrong.violations[0]


@pytest.mark.parametrize(("rule", "kwargs", "clean", "bad", "fragment"), RULES, ids=[r[0] for r in RULES])
def test_model_respects_rule(
    rule: str, kwargs: dict[str, Any], clean: str, bad: str, fragment: str, tmp_path: Path
) -> None:
    """The cover asks for every shift type every day, so for the max-type rules only the hard rule stops the model
    from working every day; its roster must pass the checker with the checker's penalty equal to the objective."""
    base = tiny(**kwargs)
    cover = "\n".join(f"{d},{s},1,100,1" for d in range(base.horizon) for s in base.shift_ids)
    inst = tiny(**kwargs, cover=cover)
    res = solve(inst, SolveOptions(max_time_in_seconds=10, strategy="cpsat"))
    assert res.status == "OPTIMAL" and res.roster is not None
    path = write_solution(inst, res.roster, solution_path(tmp_path, inst.name))
    result = check_solution_file(inst, path)
    assert result.violations == ()
    assert result.penalty == res.objective
    # and the rule was binding: the clean hand-made row is no better than the model's optimum
    assert check(inst, {"A": clean}, tmp_path).penalty >= res.objective


def test_checker_one_shift_per_day_is_structural(tmp_path: Path) -> None:
    inst = tiny()
    path = tmp_path / "bad.txt"
    path.write_text("A,D,D,D,D,D,D,D,D\n")  # 8 days on a 7-day horizon
    with pytest.raises(ValueError, match="expected 8 fields"):
        check_solution_file(inst, path)
    path.write_text("A,D,X,,,,,\n")
    with pytest.raises(ValueError, match="unknown shift 'X'"):
        check_solution_file(inst, path)


# ---------------------------------------------------------------- soft penalties


def test_checker_penalty_terms(tmp_path: Path) -> None:
    inst = tiny(
        shifts="D,480,\nN,480,",
        staff="A,D=7|N=7,100000,0,7,1,1,4\nB,D=7|N=7,100000,0,7,1,1,4",
        on="A,0,D,2\nA,1,D,3\nB,2,N,1",  # A0 met; A1 works N instead (3); B2 off (1)
        off="A,3,D,2\nB,3,D,5",  # A3 works D (2); B3 works N (fine)
        cover="0,D,2,100,1\n0,N,0,100,1\n1,N,0,50,7\n3,D,1,100,1\n3,N,0,100,4",
    )
    result = check(inst, {"A": "D,N,,D,,,", "B": "D,,,N,,,"}, tmp_path)
    assert result.violations == ()
    assert result.on_request_penalty == 3 + 1
    assert result.off_request_penalty == 2
    assert result.under_cover_penalty == 0  # day 0 D: 2 of 2; day 3 D: 1 of 1
    assert result.over_cover_penalty == 7 + 4  # day 1 N: one over at 7; day 3 N: one over at 4
    assert result.penalty == 4 + 2 + 11
    under = check(inst, {"A": ",,,,,,", "B": ",,,,,,"}, tmp_path)
    assert under.under_cover_penalty == 2 * 100 + 100
    assert under.on_request_penalty == 6


def test_model_objective_matches_checker_on_soft_terms(tmp_path: Path) -> None:
    inst = tiny(
        shifts="D,480,\nN,480,D",
        staff="A,D=7|N=3,100000,960,4,2,2,2\nB,D=7|N=7,100000,0,5,1,1,1",
        on="A,0,D,2\nA,1,N,3\nB,6,N,1",
        off="A,3,D,2\nB,3,D,5",
        cover="\n".join(f"{d},{s},{(d + i) % 3},100,1" for d in range(7) for i, s in enumerate(("D", "N"))),
    )
    res = solve(inst, SolveOptions(max_time_in_seconds=10, strategy="cpsat"))
    assert res.status == "OPTIMAL" and res.roster is not None and res.objective is not None
    result = check(inst, {e: ",".join(c or "" for c in row) for e, row in res.roster.items()}, tmp_path)
    assert result.violations == ()
    assert result.penalty == res.objective == round(res.bound or -1)


def test_model_objective_is_exact_for_any_roster(tmp_path: Path) -> None:
    """With every assignment fixed to a (non-optimal) hand roster, the only model solution must cost exactly the
    checker's penalty: under- and over-cover slack can never both be positive."""
    inst = tiny(
        shifts="D,480,\nN,480,",
        staff="A,D=7|N=7,100000,0,7,1,1,4\nB,D=7|N=7,100000,0,7,1,1,4\nC,D=7|N=7,100000,0,7,1,1,4",
        on="A,0,N,2",
        off="B,1,D,3",
        cover="\n".join(f"{d},{s},1,100,1" for d in range(7) for s in ("D", "N")),
    )
    rows = {"A": "D,D,,N,N,,", "B": "D,D,D,,,,N", "C": ",N,N,N,,,D"}
    rm = build_model(inst, use_hint=False)
    for (e, d, s), var in rm.x.items():
        cell = rows[inst.staff[e].id].split(",")[d]
        rm.model.add(var == int(cell == inst.shifts[s].id))
    solver = make_solver(SolveOptions(max_time_in_seconds=5))
    assert solver.solve(rm.model) == cp_model.OPTIMAL
    expected = check(inst, rows, tmp_path)
    assert expected.violations == ()
    assert round(solver.objective_value) == expected.penalty
    # the slack variables are pinned, not just minimised: forbid the optimum and nothing else is feasible
    rm.model.add(sum(rm.under.values()) + sum(rm.over.values()) >= 1 + sum(
        round(solver.value(v)) for v in [*rm.under.values(), *rm.over.values()]))
    assert make_solver(SolveOptions(max_time_in_seconds=5)).solve(rm.model) == cp_model.INFEASIBLE


# ---------------------------------------------------------------- solver


def test_solver_parameters_reach_the_solver() -> None:
    solver = make_solver(SolveOptions(num_workers=3, random_seed=17, max_time_in_seconds=12.5))
    assert solver.parameters.num_workers == 3
    assert solver.parameters.random_seed == 17
    assert solver.parameters.max_time_in_seconds == pytest.approx(12.5)
    extra = make_solver(SolveOptions(extra_parameters={"subsolvers": ["max_lp"], "linearization_level": 2}))
    assert list(extra.parameters.subsolvers) == ["max_lp"]
    assert extra.parameters.linearization_level == 2
    default = make_solver(SolveOptions())
    assert default.parameters.num_workers == 2
    assert default.parameters.random_seed == 0


def test_solve_reports_the_parameters_it_used() -> None:
    inst = tiny(cover="\n".join(f"{d},D,1,100,1" for d in range(7)))
    res = solve(inst, SolveOptions(num_workers=1, random_seed=5, max_time_in_seconds=4, strategy="cpsat"))
    assert "num_workers: 1" in res.parameters
    assert "random_seed: 5" in res.parameters
    assert "max_time_in_seconds:" in res.parameters
    assert 'subsolvers: "max_lp"' in res.parameters
    assert res.objective == 0


def test_model_skips_impossible_variables() -> None:
    inst = tiny(shifts="D,480,\nN,480,", staff="A,D=7|N=0,100000,0,7,1,1,4", days_off="A,3")
    rm = build_model(inst)
    assert all(inst.shifts[s].id == "D" for (_, _, s) in rm.x)
    assert all(d != 3 for (_, d, _) in rm.x)


@needs_data
def test_instance1_reaches_optimum_607_and_checker_agrees(tmp_path: Path) -> None:
    inst = load_instance(INSTANCE1)
    res = solve(inst, SolveOptions(num_workers=2, random_seed=0, max_time_in_seconds=30))
    assert res.objective == 607
    assert res.status == "OPTIMAL"
    assert res.bound == pytest.approx(607)
    assert res.roster is not None
    path = write_solution(inst, res.roster, solution_path(tmp_path, inst.name))
    assert path.name == "Instance1.solution.txt"
    assert [p.name for p in tmp_path.iterdir()] == ["Instance1.solution.txt"]  # no temp file left behind
    lines = path.read_text().splitlines()
    assert len(lines) == 8 and all(len(line.split(",")) == 15 for line in lines)
    result = check_solution_file(INSTANCE1, path)
    assert result.violations == ()
    assert result.penalty == res.objective


# ---------------------------------------------------------------- bench helpers


def test_parse_instance_range() -> None:
    assert parse_instance_range("1-12,15") == [*range(1, 13), 15]
    assert parse_instance_range("3, 1-2,3") == [3, 1, 2]
    for bad in ("", "1-", "a", "5-2", "0"):
        with pytest.raises(ValueError):
            parse_instance_range(bad)


def test_render_table() -> None:
    rows = [
        Row(1, 607, 607.0, 607, 0.0, 0.0, 0.4, "OPTIMAL"),
        Row(22, None, 30000.0, 30244, None, None, 60.0, "UNKNOWN"),
    ]
    text = render_table(rows)
    lines = text.splitlines()
    assert lines[0].startswith("| instance")
    assert "| Instance1 " in lines[2] and "0.0%" in lines[2] and "OPTIMAL" in lines[2]
    assert "| Instance22" in lines[3] and " - " in lines[3]
    assert len({len(line) for line in lines}) == 1


def test_parse_range_of_seeds_starts_at_zero() -> None:
    assert parse_range("0-2,5") == [0, 1, 2, 5]
    assert parse_range("4") == [4]
    for bad in ("", "-1", "2-1", "x"):
        with pytest.raises(ValueError):
            parse_range(bad)


def test_render_table_shows_the_seed_only_with_several_seeds() -> None:
    one = [Row(1, 607, 607.0, 607, 0.0, 0.0, 0.4, "OPTIMAL", seed=3)]
    assert "seed" not in render_table(one).splitlines()[0]
    two = [*one, Row(1, 610, 607.0, 607, 3 / 607, 3 / 610, 0.5, "FEASIBLE", seed=4)]
    lines = render_table(two).splitlines()
    assert lines[0].startswith("| instance  | seed |")
    assert lines[2].startswith("| Instance1 |    3 |") and lines[3].startswith("| Instance1 |    4 |")
    assert len({len(line) for line in lines}) == 1


def test_render_summary_counts_proven_runs_and_spreads_objectives() -> None:
    rows = [
        Row(5, 1143, 1143.0, 1143, 0.0, 0.0, 30.0, "OPTIMAL", seed=0),
        Row(5, 1146, 1142.0, 1143, 3 / 1143, 4 / 1146, 60.0, "FEASIBLE", seed=1),
        Row(5, 1143, 1143.0, 1143, 0.0, 0.0, 50.0, "OPTIMAL", seed=2),
        Row(22, None, None, 30244, None, None, 180.0, "UNKNOWN", seed=0),
    ]
    lines = render_summary(rows).splitlines()
    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip("|").split("|")]

    assert cells(lines[0])[:4] == ["instance", "runs", "proven", "objective min / median / max"]
    assert cells(lines[2]) == ["Instance5", "3", "2", "1143 / 1143 / 1146", "1143", "1143", "50.0", "60.0"]
    assert cells(lines[3]) == ["Instance22", "1", "0", "-", "-", "30244", "180.0", "180.0"]
    assert len({len(line) for line in lines}) == 1


@needs_data
def test_run_curtois_with_seeds_writes_each_run_apart(tmp_path: Path) -> None:
    messages: list[str] = []
    rows = run_curtois([1], 20.0, tmp_path, seeds=(0, 1), progress=messages.append)
    assert [(r.seed, r.objective, r.checked_penalty, r.status) for r in rows] == [(0, 607, 607, "OPTIMAL"),
                                                                                 (1, 607, 607, "OPTIMAL")]
    for seed in (0, 1):
        assert check_solution_file(load_instance(INSTANCE1), tmp_path / f"seed-{seed}" / "Instance1.solution.txt"
                                   ).penalty == 607
    assert not (tmp_path / "Instance1.solution.txt").exists()
    assert [m.split(":")[0] for m in messages] == ["Instance1 seed 0", "Instance1 seed 1"]


@needs_data
def test_run_curtois_instance1(tmp_path: Path) -> None:
    messages: list[str] = []
    rows = run_curtois([1], 20.0, tmp_path, progress=messages.append)
    (row,) = rows
    assert (row.instance, row.objective, row.best_known, row.status) == (1, 607, 607, "OPTIMAL")
    assert row.gap_to_best_known == 0.0 and row.gap_to_bound == 0.0
    assert row.checked_penalty == 607
    assert (tmp_path / "Instance1.solution.txt").exists()
    assert messages and "Instance1" in messages[0]


def test_guided_neighbourhood_frees_where_the_incumbent_departs_from_the_lp() -> None:
    """A works days 0-3 in the incumbent but 1-4 in the LP; B agrees with the LP: only A's days 0 and 4 and their
    neighbours are set free, and a small size frees less."""
    inst = tiny(staff="A,D=14,100000,0,14,1,1,4\nB,D=14,100000,0,14,1,1,4")
    a, b = "A", "B"
    roster = {emp.id: [None] * inst.horizon for emp in inst.staff}
    roster[a][0:4] = ["D"] * 4
    roster[b][3:7] = ["D"] * 4
    d_index = inst.shift_index("D")
    guide = {(0, d, d_index): 1.0 for d in range(1, 5)} | {(1, d, d_index): 1.0 for d in range(3, 7)}
    free = _guided_neighbourhood(random.Random(0), 1.0, guide, roster, inst)
    assert free == {(0, d) for d in (0, 1, 3, 4, 5)}
    small = _guided_neighbourhood(random.Random(0), 1 / (len(inst.staff) * inst.horizon), guide, roster, inst)
    assert small in ({(0, 0), (0, 1)}, {(0, 3), (0, 4), (0, 5)})


@pytest.mark.parametrize(("optimal", "improved", "size", "after"), [
    (True, False, 0.1, 0.12),  # solved in time: the kind may set more free
    (True, True, 0.9, 1.0),  # never more than the whole roster
    (False, False, 0.12, 0.1),  # timed out with nothing better: less
    (False, False, 0.021, 0.02),  # never less than 2 %
    (False, True, 0.1, 0.1),  # timed out but better: as it was
])
def test_a_neighbourhood_kind_grows_when_solved_and_shrinks_when_it_times_out_for_nothing(
        optimal: bool, improved: bool, size: float, after: float) -> None:
    assert _adapted_size(size, optimal, improved) == pytest.approx(after)


def test_each_neighbourhood_kind_frees_cells_of_its_shape() -> None:
    """50 employees over 182 days (Instance20's size), 10 % of the cells: whole rows of 5 employees; a window of
    18 days for all; 43-50 employees over one, two or three weeks."""
    rng = random.Random(0)
    n_staff, horizon = 50, 182

    def rows_and_days(free: set[tuple[int, int]]) -> tuple[set[int], set[int]]:
        return {e for e, _ in free}, {d for _, d in free}

    employees, days = rows_and_days(_neighbourhood(rng, 0.1, n_staff, horizon, "employees"))
    assert len(employees) == 5 and days == set(range(horizon))
    employees, days = rows_and_days(_neighbourhood(rng, 0.1, n_staff, horizon, "window"))
    assert employees == set(range(n_staff)) and len(days) == 18 and max(days) - min(days) == 17
    for _ in range(10):
        free = _neighbourhood(rng, 0.1, n_staff, horizon, "block")
        employees, days = rows_and_days(free)
        assert len(days) in (7, 14, 21) and max(days) - min(days) == len(days) - 1
        assert len(free) == len(employees) * len(days) and 43 <= len(employees) <= n_staff


@needs_data
def test_each_neighbourhood_kind_sizes_itself_in_the_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sub-problems that free whole employees always time out, all others are solved at once: the employees'
    neighbourhoods stay at two rows while the windows grow to the whole horizon (one shared size would have
    grown both or neither)."""
    inst = load_instance(DATA / "Instance5.txt")
    rm = build_model(inst)
    seen: list[tuple[bool, int, int]] = []  # (whole rows, employees, days)

    def fake(rm_: Any, free: set[tuple[int, int]], roster: Any, seed: int, seconds: float, workers: int = 1,
             hint: Any = None, fixed: Any = None) -> SubSolve:
        employees, days = {e for e, _ in free}, {d for _, d in free}
        rows = len(free) == len(employees) * inst.horizon and len(employees) < len(inst.staff)
        seen.append((rows, len(employees), len(days)))
        return SubSolve(cp_model.UNKNOWN, None, {}, None) if rows else SubSolve(cp_model.OPTIMAL, 10**6, {}, hint)

    monkeypatch.setattr(model, "sub_solve", fake)
    roster = {emp.id: [None] * inst.horizon for emp in inst.staff}
    large_neighbourhood_search(rm, roster, 10**6, time.perf_counter() + 1.0, SolveOptions())
    rows = [employees for whole, employees, _ in seen if whole]
    windows = [days for whole, employees, days in seen if not whole and employees == len(inst.staff)]
    assert len(rows) > 20 and set(rows) == {2}
    assert windows and max(windows) == inst.horizon


def two_on_one_shift() -> tuple[Instance, RosterModel, dict[str, list[str | None]]]:
    """Two employees (B at most three shifts, A off on day 6), one a day wanted; A works days 0-3, B days 3-5."""
    inst = tiny(staff="A,D=14,100000,0,14,1,1,4\nB,D=3,100000,0,14,1,1,4", days_off="A,6",
                cover="\n".join(f"{d},D,1,100,1" for d in range(7)))
    roster: dict[str, list[str | None]] = {"A": ["D"] * 4 + [None] * 3, "B": [None] * 3 + ["D"] * 3 + [None]}
    return inst, build_model(inst), roster


def test_the_full_assignment_of_a_roster_gives_the_cover_slacks_the_roster_leaves() -> None:
    """A works days 0-3, B days 3-5: day 3 is over-covered by one, day 6 short by one, the rest exact; a fourth
    shift for B (at most three) has no assignment."""
    inst, rm, roster = two_on_one_shift()
    values = full_assignment(rm, roster)
    assert values is not None
    d = inst.shift_index("D")
    assert [values[rm.under[day, d].index] for day in range(7)] == [0] * 6 + [1]
    assert [values[rm.over[day, d].index] for day in range(7)] == [0, 0, 0, 1, 0, 0, 0]
    assert [values[rm.x[0, day, d].index] for day in range(6)] == [1] * 4 + [0] * 2
    roster["B"][2] = "D"
    assert full_assignment(rm, roster) is None


def test_the_fixed_model_frees_only_the_cells_asked_and_follows_the_roster() -> None:
    """Outside the free cells every cell variable is fixed to the roster's value, inside them its own domain is
    back; after an update the copies match a model fixed to the new roster from scratch."""
    from staffplan.roster.shifts.fixing import FixedModel

    inst, rm, roster = two_on_one_shift()
    d = inst.shift_index("D")

    def domains(sub: cp_model.CpModel) -> dict[tuple[int, int], list[int]]:
        return {(e, day): list(sub.proto.variables[rm.x[e, day, d].index].domain)
                for e in range(2) for day in range(7) if (e, day, d) in rm.x}

    fixed = FixedModel(rm, roster)
    free = {(1, 4), (1, 5), (1, 6)}
    got = domains(fixed.sub_model(free, hint=True))
    worked = {(e, day): int(roster[inst.staff[e].id][day] == "D") for e, day in got}
    assert got == {cell: [0, 1] if cell in free else [worked[cell]] * 2 for cell in got}
    assert (0, 6) not in got  # A's day off has no variable
    roster["B"][3:6] = [None, "D", "D"]
    fixed.update(roster, {(1, 3), (1, 4), (1, 5)})
    assert domains(fixed.sub_model({(0, 0)}, hint=False)) == domains(FixedModel(rm, roster).sub_model({(0, 0)}, False))
    assert domains(fixed.sub_model((), hint=False))[1, 3] == [0, 0]
    assert fixed.chosen({(1, 4), (1, 3)}, [1] * len(rm.model.proto.variables)) == {(1, 4): "D", (1, 3): "D"}
    assert full_assignment(rm, roster, fixed=fixed) == full_assignment(rm, roster) is not None


def test_a_sub_solve_from_the_complete_hint_is_never_worse_than_its_start() -> None:
    _, rm, roster = two_on_one_shift()
    start = 100 + 1  # day 6 short, day 3 over
    free = {(1, day) for day in range(7)}
    found = sub_solve(rm, free, roster, 0, 5.0, hint=full_assignment(rm, roster))
    assert found.status == cp_model.OPTIMAL
    assert found.objective == 0 < start  # B takes days 4-6 instead
    assert sorted(day for _, day in found.chosen) == [4, 5, 6]
    assert found.assignment is not None and found.assignment[rm.under[6, 0].index] == 0


@pytest.mark.parametrize(("converged", "lp", "bound", "follow"), [
    (True, None, -math.inf, True),  # solved
    (False, 1000.0, 985.0, True),  # within 5 % of its bound
    (False, 1000.0, 955.0, True),
    (False, 1000.0, 945.0, False),  # still far from it
    (False, 1000.0, 900.0, False),
    (False, 1000.0, -math.inf, False),  # no round priced everyone: no bound at all
    (False, None, 5.0, False),
])
def test_the_lns_follows_the_lp_only_when_it_is_nearly_solved(converged: bool, lp: float | None, bound: float,
                                                              follow: bool) -> None:
    assert lp_is_informative(converged, lp, bound) is follow


def test_each_lns_sub_solve_is_hinted_with_the_incumbents_every_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first sub-solve starts from the start roster's full assignment, each later one from the assignment of
    the last sub-solve the search accepted (a stand-in improves three times, then finds nothing)."""
    _, rm, roster = two_on_one_shift()
    hints: list[Any] = []

    def fake(rm_: Any, free: set[tuple[int, int]], roster_: Any, seed: int, seconds: float, workers: int = 1,
             hint: Any = None, fixed: Any = None) -> SubSolve:
        hints.append(hint)
        n = len(hints)
        return SubSolve(cp_model.FEASIBLE, 101 - n, {}, [n]) if n <= 3 else SubSolve(cp_model.UNKNOWN, None, {}, None)

    monkeypatch.setattr(model, "sub_solve", fake)
    _, objective, solves = large_neighbourhood_search(rm, roster, 101, time.perf_counter() + 0.5,
                                                      SolveOptions(num_workers=1))
    assert objective == 98 and solves == len(hints) > 4
    assert hints[0] == full_assignment(rm, roster) and hints[0] is not None
    assert hints[1:4] == [[1], [2], [3]] and all(h == [3] for h in hints[4:])


def test_the_lns_starts_no_round_its_last_round_says_will_not_end_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rounds that take 0.5 s each (sub-solves that overrun their limit, as on a model the size of Instance24's):
    with 1.3 s, two rounds run and the third, which would end at 1.5 s, is not started."""
    _, rm, roster = two_on_one_shift()
    calls: list[float] = []

    def slow(rm_: Any, free: set[tuple[int, int]], roster_: Any, seed: int, seconds: float, workers: int = 1,
             hint: Any = None, fixed: Any = None) -> SubSolve:
        calls.append(seconds)
        time.sleep(0.5)
        return SubSolve(cp_model.UNKNOWN, None, {}, None)

    monkeypatch.setattr(model, "sub_solve", slow)
    deadline = time.perf_counter() + 1.3
    _, _, solves = large_neighbourhood_search(rm, roster, 101, deadline, SolveOptions(num_workers=1))
    assert solves == len(calls) == 2
    assert time.perf_counter() < deadline


def test_the_last_full_run_leaves_room_for_what_runs_overran_and_for_reading_the_model_out() -> None:
    """Instance24's phase 1 ran 3.3 s past its limit and its model took 19 s to build: with 16.9 s left the last
    run is given 16.9 - 3.3 - 9.5 = 4.1 s; a run that ended early (negative overrun) gives nothing back; a small
    model that kept to its limits leaves the last run all the time left."""
    assert model.RELEASE_SHARE == 0.5
    assert model.final_run_seconds(100.0, 83.1, 3.3, 19.0) == pytest.approx(4.1)
    assert model.final_run_seconds(100.0, 83.1, -1.8, 5.8) == pytest.approx(16.9 - 2.9)
    assert model.final_run_seconds(100.0, 98.5, 0.0, 0.0) == pytest.approx(1.5)


@pytest.mark.parametrize("guided", [False, True])
def test_lns_sub_solves_are_short_unguided_and_longer_with_a_guide(guided: bool, monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    """Each sub-solve gets SUB_SECONDS (a descent), GUIDED_SUB_SECONDS with an LP guide (a polish that needs its
    sub-problems proven), and that time is the limit its CP-SAT solver is given."""
    _, rm, roster = two_on_one_shift()
    limits: list[float] = []
    make = model.make_solver

    def spy(options: SolveOptions) -> cp_model.CpSolver:
        solver = make(options)
        limits.append(solver.parameters.max_time_in_seconds)
        return solver

    monkeypatch.setattr(model, "make_solver", spy)
    guide = {(0, 0, 0): 1.0} if guided else None
    # a roster at 100 or less ends the search (the first sub-solve finds one); the first solver is the full
    # assignment's
    large_neighbourhood_search(rm, roster, 101, time.perf_counter() + 5.0, SolveOptions(num_workers=1), bound=100,
                               guide=guide)
    assert limits[1:] == [model.GUIDED_SUB_SECONDS if guided else model.SUB_SECONDS]
    assert (model.SUB_SECONDS, model.GUIDED_SUB_SECONDS) == (1.0, 2.0)
