"""Column generation for the rostering rules: valid bounds, feasible rows, exact objectives."""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from staffplan.roster.shifts.bench import DEFAULT_DATA_DIR, load_best_known
from staffplan.roster.shifts.colgen import (
    Column,
    Generator,
    Master,
    Pricer,
    _complete,
    _lock,
    _polish_pays,
    _rises,
    _undo,
    cell_weights,
    column_generation,
    cover_cells,
    cover_penalty,
    dive,
    heaviest_rows,
    integer_bound,
    lp_enforced,
    lp_is_informative,
    objective_of,
    sequential_roster,
    to_roster,
)
from staffplan.roster.shifts.instance import load_instance, parse_instance
from staffplan.roster.shifts.model import SolveOptions, build_model, completion, solve
from staffplan.roster.shifts.penalty import check_roster

DATA = DEFAULT_DATA_DIR
needs_data = pytest.mark.skipif(not (DATA / "Instance1.txt").exists(), reason="Curtois benchmark data not available")

# two employees, one shift type, 7 days; cover wants one person every day; A asks for day 0 off
TWO = """SECTION_HORIZON
7

SECTION_SHIFTS
D,480,

SECTION_STAFF
A,D=7,1920,1440,4,2,2,1
B,D=7,1920,1440,4,2,2,1

SECTION_DAYS_OFF

SECTION_SHIFT_ON_REQUESTS
B,6,D,2

SECTION_SHIFT_OFF_REQUESTS
A,0,D,3

SECTION_COVER
""" + "\n".join(f"{d},D,1,100,1" for d in range(7)) + "\n"


def _brute_force_optimum(text: str) -> int:
    """Every pair of single-employee rows, checked by the independent checker."""
    inst = parse_instance(text, name="Two")
    rows = []
    for mask in range(1 << inst.horizon):
        row = ["D" if mask >> d & 1 else None for d in range(inst.horizon)]
        rows.append(row)
    best = None
    feasible = {e.id: [] for e in inst.staff}
    for emp in inst.staff:
        others = {o.id: [None] * inst.horizon for o in inst.staff if o.id != emp.id}
        for row in rows:
            trial = {emp.id: row, **others}
            if not any(v.startswith(f"{emp.id}:") for v in check_roster(inst, trial).violations):
                feasible[emp.id].append(row)
    for ra in feasible["A"]:
        for rb in feasible["B"]:
            res = check_roster(inst, {"A": ra, "B": rb})
            if res.feasible and (best is None or res.penalty < best):
                best = res.penalty
    assert best is not None
    return best


def test_two_employee_bound_and_roster_against_brute_force() -> None:
    inst = parse_instance(TWO, name="Two")
    optimum = _brute_force_optimum(TWO)
    res = column_generation(inst, time.perf_counter() + 20)
    assert res.converged
    assert res.bound <= optimum + 1e-6
    assert res.roster is not None
    checked = check_roster(inst, res.roster)
    assert checked.feasible
    assert checked.penalty == res.objective
    assert res.objective >= optimum


@pytest.mark.parametrize("programme", [True, False])  # the row programme and CP-SAT
def test_pricer_rows_are_feasible_and_priced_exactly(programme: bool) -> None:
    inst = parse_instance(TWO, name="Two")
    pricer = Pricer(inst, 0, programme)
    assert (pricer.programme is not None) == programme
    dual = {(d, 0): 10.0 for d in range(7)}
    rows, bound, optimal = pricer.price(dual, 5.0)
    assert optimal and rows
    value, cells = rows[0]
    assert value == pytest.approx(bound)
    # A works 3-4 days (1440-1920 minutes); each is worth -10, day 0 costs 3 more (an off request)
    assert value == pytest.approx(sum((3 if d == 0 else 0) - 10 for d, _ in cells))
    roster = {"A": [None] * 7, "B": [None] * 7}
    for d, _ in cells:
        roster["A"][d] = "D"
    assert not [v for v in check_roster(inst, roster).violations if v.startswith("A:")]
    assert pricer.cost(cells) == (3 if (0, 0) in cells else 0)


@pytest.mark.parametrize("programme", [True, False])
def test_pricer_fix_forces_the_cell_and_unfix_releases_it(programme: bool) -> None:
    inst = parse_instance(TWO, name="Two")
    pricer = Pricer(inst, 0, programme)
    assert (pricer.programme is not None) == programme
    avoid = {(d, 0): -5.0 for d in range(7)}  # working is expensive: the cheapest row works the minimum
    pricer.fix((3, 0))
    rows, _, _ = pricer.price(avoid, 5.0)
    assert (3, 0) in rows[0][1]
    pricer.unfix_all()
    pricer.fix((6, 0))
    rows, _, _ = pricer.price(avoid, 5.0)
    assert (6, 0) in rows[0][1]


def test_master_objective_is_the_roster_penalty_when_integral() -> None:
    inst = parse_instance(TWO, name="Two")
    pricers = [Pricer(inst, e) for e in range(2)]
    cols = sequential_roster(inst, pricers, time.perf_counter() + 10)
    master = Master(inst)
    for col in cols:
        master.add(col)
    assert not master.add(cols[0])  # a row is known once
    value, _, _ = master.solve()
    penalty = check_roster(inst, to_roster(inst, cols)).penalty
    assert value == pytest.approx(penalty)
    assert penalty == sum(c.cost for c in cols) + cover_penalty(inst, cols)


def test_dive_returns_one_row_per_employee() -> None:
    inst = parse_instance(TWO, name="Two")
    with ThreadPoolExecutor(max_workers=2) as pool:
        gen, _ = _generator(inst, pool)
        for cells, backtrack in ((False, False), (True, False), (False, True)):
            rows = dive(gen, time.perf_counter() + 10, cells=cells, backtrack=backtrack)
            assert not gen.master.keep_basis  # GLOP back to its defaults
            assert sorted(c.employee for c in rows) == [0, 1]
            assert all(isinstance(c, Column) for c in rows)
            assert check_roster(inst, to_roster(inst, rows)).feasible
    assert all(u == 1.0 for u in gen.master.upper)  # the dive leaves the master as it found it


def test_an_unsolved_lp_phase_goes_on_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The LP phase's time runs out after its first round (a slow progress line); the LP then gets
    ``LP_EXTENSION`` of the time left and is solved (with no extension it stops unsolved)."""
    from staffplan.roster.shifts import colgen

    inst = parse_instance(TWO, name="Two")
    for extension, solved in ((0.5, True), (0.0, False)):
        monkeypatch.setattr(colgen, "LP_EXTENSION", extension)
        lines: list[str] = []

        def progress(line: str, lines: list[str] = lines) -> None:
            lines.append(line)
            if len(lines) == 2:  # the first round's line: the LP phase's 0.1 s are over
                time.sleep(0.3)

        res = column_generation(inst, time.perf_counter() + 10, lp_share=0.01, progress=progress, dive_share=0.0)
        assert "round 1 " in lines[1]
        assert res.converged == solved
        assert (res.lp_value == 0.0) == solved  # the brute-force optimum is 0; the first roster costs 1


def test_no_dive_without_time_for_its_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dive is begun only with time for ``DIVE_ROUNDS`` of the LP phase's rounds (``BACKTRACK_DIVE_ROUNDS`` for
    one that takes steps back); without one, the roster still comes from the rest (here branch and price finds the
    brute-force optimum, 0)."""
    from staffplan.roster.shifts import colgen

    inst = parse_instance(TWO, name="Two")
    for rounds, dived in ((0, True), (10**9, False)):
        monkeypatch.setattr(colgen, "DIVE_ROUNDS", rounds)
        calls: list[int] = []

        def spy(*args, calls: list[int] = calls, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(1)
            return dive(*args, **kwargs)

        monkeypatch.setattr(colgen, "dive", spy)
        res = column_generation(inst, time.perf_counter() + 10)
        assert bool(calls) == dived
        assert res.objective == 0 == check_roster(inst, res.roster).penalty
    # a dive that takes steps back needs BACKTRACK_DIVE_ROUNDS, not DIVE_ROUNDS
    for rounds, dived in ((0, True), (10**9, False)):
        monkeypatch.setattr(colgen, "BACKTRACK_DIVE_ROUNDS", rounds)
        calls.clear()
        res = column_generation(inst, time.perf_counter() + 10, backtrack=True)
        assert bool(calls) == dived


def test_a_dive_that_takes_steps_back_needs_its_rounds_per_four_weeks_of_horizon() -> None:
    """Instance20 (182 days) needs 325 rounds, Instance13 (28 days) and shorter horizons 50; without take-backs 30."""
    from staffplan.roster.shifts.colgen import dive_rounds

    assert dive_rounds(182, True) == 325
    assert dive_rounds(28, True) == dive_rounds(14, True) == 50
    assert dive_rounds(84, True) == 150
    assert dive_rounds(182, False) == dive_rounds(28, False) == 30


def test_an_lp_phase_is_judged_once_by_the_rounds_its_pace_leaves() -> None:
    """Instance21 at round 5 of a 10-minute run (last round 7.2 s, 262 s left: ~41 rounds in all; 5.3 s, 271 s:
    ~56; on a faster machine 3.6 s, 279 s: ~82) stops; Instance20 (1.4 s, 310 s: ~226; faster, 1.0 s, 311 s:
    ~316) goes on; the judgement is made at round 5 only."""
    from staffplan.roster.shifts.colgen import LP_ROUNDS_NEEDED, PACE_ROUNDS, lp_out_of_reach, projected_rounds

    assert PACE_ROUNDS == 5 and LP_ROUNDS_NEEDED == 130
    assert lp_out_of_reach(5, 7.2, 262.0) and lp_out_of_reach(5, 5.3, 271.0) and lp_out_of_reach(5, 3.6, 279.0)
    assert not lp_out_of_reach(5, 1.4, 310.0) and not lp_out_of_reach(5, 1.0, 311.0)
    assert not lp_out_of_reach(4, 7.2, 262.0) and not lp_out_of_reach(6, 7.2, 262.0)
    assert projected_rounds(5, 1.0, 125.0) == 130 and not lp_out_of_reach(5, 1.0, 125.0)  # exactly those needed


@needs_data
def test_a_long_runs_lp_phase_too_slow_to_be_solved_ends_at_its_judgement(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the pace judged (long runs) and more rounds needed than any time holds, Instance1's LP phase ends at
    the judging round, unsolved, and the roster is the first one, checked; unjudged, the same LP is solved."""
    from staffplan.roster.shifts import colgen

    inst = load_instance(DATA / "Instance1.txt")
    monkeypatch.setattr(colgen, "PACE_ROUNDS", 2)
    monkeypatch.setattr(colgen, "LP_ROUNDS_NEEDED", 10**9)
    cut = column_generation(inst, time.perf_counter() + 10, judge_pace=True)
    assert cut.lp_cut and cut.iterations == 2 and not cut.converged
    assert any("lp phase ends" in line for line in cut.log)
    assert check_roster(inst, cut.roster).penalty == cut.objective
    kept = column_generation(inst, time.perf_counter() + 10)
    assert not kept.lp_cut and kept.converged and kept.iterations > 2
    monkeypatch.setattr(colgen, "LP_ROUNDS_NEEDED", 0)
    assert not column_generation(inst, time.perf_counter() + 10, judge_pace=True).lp_cut


@needs_data
def test_after_an_lp_phase_cut_for_its_pace_the_lns_runs_to_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No bound for a final full run to prove: the LNS gets all the time left (with the LP phase kept, the
    ``lns_share`` of it, and the full run the rest)."""
    from staffplan.roster.shifts import colgen, model

    inst = load_instance(DATA / "Instance8.txt")
    monkeypatch.setattr(colgen, "PACE_ROUNDS", 1)
    ends: list[float] = []
    lns = model.large_neighbourhood_search

    def spy(*args, ends: list[float] = ends, **kwargs):  # type: ignore[no-untyped-def]
        ends.append(args[3])
        return lns(*args, **kwargs)

    monkeypatch.setattr(model, "large_neighbourhood_search", spy)
    for needed, to_the_end in ((10**9, True), (0, False)):
        monkeypatch.setattr(colgen, "LP_ROUNDS_NEEDED", needed)
        ends.clear()
        start = time.perf_counter()
        res = solve(inst, SolveOptions(max_time_in_seconds=4.0, backtrack_from=1.0))
        assert res.objective is not None and check_roster(inst, res.roster).penalty == res.objective
        assert res.bound is not None and 0.0 <= res.bound <= res.objective  # a cut LP's bound is below 0
        # the LNS after column generation is the last call; a phase kept whose LP is solved in time (at the
        # machine's pace: 25 rounds in 2.2 s) has its roster polished by an LNS call before it
        assert len(ends) == 1 if to_the_end else len(ends) in (1, 2)
        assert (ends[-1] >= start + 4.0) == to_the_end


def test_a_dive_whose_lp_is_at_its_floor_prices_no_round() -> None:
    """The LP cannot fall below the least objective of any roster: at that floor a dive step locks without
    pricing (here every LP is at an infinite floor), and the dive still gives each employee a feasible row."""
    inst = parse_instance(TWO, name="Two")
    with ThreadPoolExecutor(max_workers=2) as pool:
        gen, _ = _generator(inst, pool)
        for floor, priced in ((math.inf, False), (-math.inf, True)):
            before = gen.rounds
            rows = dive(gen, time.perf_counter() + 10, floor=floor)
            assert (gen.rounds > before) == priced
            assert sorted(c.employee for c in rows) == [0, 1]
            assert check_roster(inst, to_roster(inst, rows)).feasible


def test_a_dive_from_the_first_rows_alone_finds_a_valid_bound_before_its_first_lock() -> None:
    """No LP phase: the dive's first step prices every employee, and those rounds' Lagrangian bound (kept by the
    generator, read by column generation after the dive) holds for the brute-force optimum."""
    inst = parse_instance(TWO, name="Two")
    with ThreadPoolExecutor(max_workers=2) as pool:
        gen, _ = _generator(inst, pool)
        assert gen.best_bound == -math.inf
        dive(gen, time.perf_counter() + 10)
    assert math.isfinite(gen.best_bound) and integer_bound(gen.best_bound) <= _brute_force_optimum(TWO)


def test_a_step_taken_back_locks_its_heavier_half_and_a_single_row_is_banned() -> None:
    inst = parse_instance(TWO, name="Two")
    master = Master(inst)
    rows = [((0, 0), (1, 0)), ((2, 0), (3, 0)), ((0, 0), (2, 0)), ((1, 0), (3, 0))]
    for e, cells in ((0, rows[0]), (0, rows[1]), (1, rows[2]), (1, rows[3])):
        master.add(Column(e, cells, 0))
    locked: dict[int, int] = {}
    step = _lock(master, locked, {1: 2, 0: 0}, 1348.0)  # employee 1's row is the heavier
    assert locked == {1: 2, 0: 0} and master.upper == [1.0, 0.0, 1.0, 0.0] and step.excluded == [1, 3]
    half = _undo(master, locked, step)
    assert half is not None and half.rows == {1: 2} and half.lp == 1348.0
    assert locked == {1: 2} and master.upper == [1.0, 1.0, 1.0, 0.0]
    assert _undo(master, locked, half) is None
    assert locked == {} and master.upper == [1.0, 1.0, 0.0, 1.0]  # the single row is banned


def test_a_step_rises_when_the_lp_ceiling_grows_by_more_than_a_fifth_of_a_percent() -> None:
    assert not _rises(1348.0, 1348.0)
    assert not _rises(1350.0, 1348.0)  # within 0.2 % (2.7)
    assert _rises(1350.8, 1348.0)  # its ceiling, 1351, is not
    assert _rises(1449.0, 1348.0)


@needs_data
@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_bound_never_exceeds_the_best_known(number: int) -> None:
    inst = load_instance(DATA / f"Instance{number}.txt")
    res = column_generation(inst, time.perf_counter() + 30)
    best = load_best_known(DATA)[number]
    assert res.bound <= best + 1e-6
    assert res.roster is not None
    checked = check_roster(inst, res.roster)
    assert checked.feasible and checked.penalty == res.objective >= best


@needs_data
def test_instance4_is_proven_optimal(tmp_path: Path) -> None:
    """The column-generation bound closes the gap CP-SAT alone leaves open (8.7 % after 60 s before)."""
    inst = load_instance(DATA / "Instance4.txt")
    res = solve(inst, SolveOptions(num_workers=2, random_seed=0, max_time_in_seconds=90))
    assert res.status == "OPTIMAL"
    assert res.objective == 1716 == load_best_known(DATA)[4]
    assert res.roster is not None
    assert check_roster(inst, res.roster).penalty == 1716


@needs_data
def test_sequential_construction_is_feasible_where_the_greedy_is_not() -> None:
    """Instance20 (182 days): the day-by-day greedy breaks rules; one pricing per employee does not."""
    from staffplan.roster.shifts.model import greedy_roster

    inst = load_instance(DATA / "Instance20.txt")
    assert not check_roster(inst, greedy_roster(inst)).feasible
    pricers = [Pricer(inst, e) for e in range(len(inst.staff))]
    cols = sequential_roster(inst, pricers, time.perf_counter() + 30)
    checked = check_roster(inst, to_roster(inst, cols))
    assert checked.feasible
    assert checked.penalty == sum(c.cost for c in cols) + cover_penalty(inst, cols)


@needs_data
def test_smoothing_reaches_the_same_integer_bound() -> None:
    """Wentges smoothing changes the path, not the result: the LP optimum of Instance5 is 1140 + 15/26
    (1140.577, column generation run until no row prices out), so both LP phases end at a value whose ceiling is
    1141; branch and price may raise the bound, never past the optimum 1143."""
    inst = load_instance(DATA / "Instance5.txt")
    for smoothing, adaptive in ((0.0, False), (0.5, False), (0.0, True)):
        res = column_generation(inst, time.perf_counter() + 30, smoothing=smoothing, adaptive=adaptive,
                                lp_share=1.0)
        assert res.converged
        assert res.lp_value is not None
        assert integer_bound(res.lp_value) == 1141 and res.lp_value >= 1140 + 15 / 26 - 1e-6
        assert 1141 <= integer_bound(res.bound) <= 1143 <= res.objective


def test_adaptive_smoothing_follows_the_subgradient() -> None:
    """Under-covered at the smoothed point (the subgradient is the uncovered requirement) and the LP duals
    value the cell more than the centre: heading towards the LP duals raises the bound, so the factor falls by
    0.1; over-covered, it closes a tenth of its distance to 1 (and never reaches it)."""
    inst = parse_instance(TWO, name="Two")
    cell, cover = cover_cells(inst)[0]
    assert cover.requirement > 0
    with ThreadPoolExecutor(max_workers=1) as pool:
        gen = Generator(inst, Master(inst), [], pool, adaptive=True)
    centre = {cell: 0.0}
    dual = {cell: float(cover.weight_under)}
    assert gen._adapted(0.5, centre, dual, centre, {}) == pytest.approx(0.4)
    assert gen._adapted(0.05, centre, dual, centre, {}) == 0.0
    over = {cell: cover.requirement + 1}
    assert gen._adapted(0.5, centre, dual, centre, over) == pytest.approx(0.55)
    assert gen._adapted(0.99, centre, dual, centre, over) == 0.99
    # a smoothed dual above the under-cover weight pays the slack: nothing left uncovered, so the factor rises
    paid = {cell: cover.weight_under + 1.0}
    assert gen._adapted(0.5, paid, dual, centre, {}) == pytest.approx(0.55)


def test_integer_bound() -> None:
    assert integer_bound(1140.3) == 1141
    assert integer_bound(1141.0000000001) == 1141
    assert integer_bound(-math.inf) == -math.inf


def _generator(inst, pool: ThreadPoolExecutor) -> tuple[Generator, list[Column]]:  # type: ignore[no-untyped-def]
    pricers = [Pricer(inst, e) for e in range(len(inst.staff))]
    assert all(p.programme is not None for p in pricers)  # exact pricing: node bounds are valid
    master = Master(inst)
    first = sequential_roster(inst, pricers, time.perf_counter() + 10)
    for col in first:
        master.add(col)
    return Generator(inst, master, pricers, pool), first


def test_branch_and_price_proves_the_brute_force_optimum() -> None:
    from staffplan.roster.shifts.branch import branch_and_price

    inst = parse_instance(TWO, name="Two")
    with ThreadPoolExecutor(max_workers=2) as pool:
        gen, first = _generator(inst, pool)
        tree = branch_and_price(gen, first, time.perf_counter() + 60)
    assert tree.proven and tree.objective == tree.bound == _brute_force_optimum(TWO)
    assert check_roster(inst, to_roster(inst, tree.columns)).penalty == tree.objective
    assert all(p.programme is not None and not p.programme.fixed and not p.programme.forbidden for p in gen.pricers)


@needs_data
def test_branch_and_price_on_instance1_finds_607_with_a_valid_bound() -> None:
    from staffplan.roster.shifts.branch import branch_and_price

    inst = load_instance(DATA / "Instance1.txt")
    with ThreadPoolExecutor(max_workers=2) as pool:
        gen, first = _generator(inst, pool)
        tree = branch_and_price(gen, first, time.perf_counter() + 15)
    result = check_roster(inst, to_roster(inst, tree.columns))
    assert result.feasible and result.penalty == tree.objective
    assert 558 <= tree.bound <= 607 == tree.objective  # the LP bound is 558; the tree finds 607 in about 2 s


# two shift types; B may not work N (at most 0 of them) and has day 2 off
SPLIT = """SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
N,480,D

SECTION_STAFF
A,D=7|N=7,2400,0,5,1,1,2
B,D=7|N=0,2400,0,5,1,1,2

SECTION_DAYS_OFF
B,2

SECTION_SHIFT_ON_REQUESTS

SECTION_SHIFT_OFF_REQUESTS

SECTION_COVER
""" + "\n".join(f"{d},{s},1,100,1" for d in range(7) for s in "DN") + "\n"


def test_a_day_branch_splits_every_roster_into_exactly_one_child() -> None:
    """Off that day, or one child per shift the employee may work: every state of the day agrees with one child."""
    from staffplan.roster.shifts.branch import _children

    inst = parse_instance(SPLIT, name="Split")
    with ThreadPoolExecutor(max_workers=1) as pool:
        gen, _ = _generator(inst, pool)
    earlier = [(0, (0, 0), True)]
    for e in range(len(inst.staff)):
        for d in range(inst.horizon):
            children = _children(gen, earlier, e, d)
            allowed = [s for s in range(len(inst.shifts)) if (d, s) in gen.pricers[e].x]
            assert len(children) == 1 + len(allowed)
            assert [state for state, _ in children] == [None, *((d, s) for s in allowed)]  # None: the day off
            assert all(child[: len(earlier)] == earlier for _, child in children)
            for state in [None, *allowed]:
                agree = [child for _, child in children
                         if all((s == state) == on for emp, (day, s), on in child[len(earlier):]
                                if emp == e and day == d)]
                assert len(agree) == 1, (e, d, state)
    assert len(_children(gen, [], 1, 2)) == 1  # B's fixed day off: only the off child
    assert len(_children(gen, [], 1, 3)) == 2  # B works D or is off; never N


@needs_data
def test_branch_and_price_proves_instance5_optimal() -> None:
    """Instance5 (16 employees, 28 days): LP about 1140.7, optimum 1143 (best known lower and upper bound). Branching on
    an employee's day proves it from the sequential roster in about 35 s (221 nodes) on two cores; branching on
    single cells, from the same start, had not after 240 s (2456 nodes, bound 1142.01)."""
    from staffplan.roster.shifts.branch import branch_and_price

    inst = load_instance(DATA / "Instance5.txt")
    with ThreadPoolExecutor(max_workers=2) as pool:
        gen, first = _generator(inst, pool)
        tree = branch_and_price(gen, first, time.perf_counter() + 240)
    assert tree.proven and tree.objective == tree.bound == 1143
    assert check_roster(inst, to_roster(inst, tree.columns)).penalty == 1143


def test_lp_cell_weights_are_a_fractional_roster() -> None:
    """Per employee and day the LP works at most one shift in total, and every weight lies in (0, 1]."""
    inst = parse_instance(TWO, name="Two")
    res = column_generation(inst, time.perf_counter() + 20)
    assert res.lp_cells
    per_day: dict[tuple[int, int], float] = {}
    for (e, d, _), w in res.lp_cells.items():
        assert 0.0 < w <= 1.0 + 1e-9
        per_day[e, d] = per_day.get((e, d), 0.0) + w
    assert max(per_day.values()) <= 1.0 + 1e-9
    # cover wants one person a day and both may work 4 of 7 days: the LP covers every day in full
    assert all(abs(sum(per_day.get((e, d), 0.0) for e in range(2)) - 1.0) < 1e-6 for d in range(7))


@needs_data
def test_polish_gets_the_dive_roster_and_the_lp_before_branch_and_price() -> None:
    """Instance1's LP bound (558) is below every roster, so the dive's roster goes to ``polish`` with the LP
    solution and the bound, once, before branch and price."""
    inst = load_instance(DATA / "Instance1.txt")
    calls = []

    def polish(roster, value, lp, floor, until):  # type: ignore[no-untyped-def]
        calls.append((value, len(lp), floor, until))
        checked = check_roster(inst, roster)
        assert checked.feasible and checked.penalty == value
        return roster, value

    deadline = time.perf_counter() + 8
    res = column_generation(inst, deadline, polish=polish)
    assert len(calls) == 1
    value, cells, floor, until = calls[0]
    assert cells > 0 and floor <= 607 <= value and until <= deadline
    assert res.objective <= value


def test_polish_goes_on_only_while_it_pays_and_the_bound_is_far() -> None:
    """More than 1 % off the dive's roster and still more than 1 % above the bound: polish on; otherwise the tree."""
    assert _polish_pays(8787, 5655, 4040.0)
    assert not _polish_pays(1148, 1146, 1140.6)  # next to nothing found
    assert not _polish_pays(1262, 1059, 1055.2)  # close to the bound: the tree may prove it
    assert not _polish_pays(1000, 990, 989.5)  # exactly 1 % off: not more than 1 %


@needs_data
def test_a_polish_that_pays_gets_the_time_left_instead_of_the_tree() -> None:
    """When the first polish reports a roster 2 % better and still far above Instance1's LP bound (558), the
    polish is called again with the roster it returned, until column generation's own deadline, and no tree
    follows (a real polish uses that time; a tree started in its last moment overran it)."""
    inst = load_instance(DATA / "Instance1.txt")
    calls = []

    def polish(roster, value, lp, floor, until):  # type: ignore[no-untyped-def]
        calls.append((value, until))
        return roster, value if len(calls) > 1 else math.floor(0.98 * value)

    deadline = time.perf_counter() + 8
    res = column_generation(inst, deadline, polish=polish)
    assert len(calls) == 2
    (first, first_until), (second, second_until) = calls
    assert second == math.floor(0.98 * first) and first_until < second_until == deadline
    assert any("polished again" in line for line in res.log)
    assert not any(" branch " in line for line in res.log)


def test_pricing_settings_reach_the_cp_sat_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads, seed, time and first-solution stop of a CP-SAT pricing call are the ones asked for."""
    made: list[cp_model.CpSolver] = []

    class Recording(cp_model.CpSolver):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(cp_model, "CpSolver", Recording)
    inst = parse_instance(TWO, name="Two")
    pricer = Pricer(inst, 0, programme=False)
    rows, _, _ = pricer.price({}, 3.0, seed=7, first_only=True, workers=2)
    assert rows
    p = made[-1].parameters
    assert (p.num_workers, p.random_seed, p.max_time_in_seconds, p.stop_after_first_solution) == (2, 7, 3.0, True)


def test_sequential_construction_gives_up_when_told() -> None:
    """Past its ``give_up`` time the construction stops with TimeoutError instead of finishing late; without it,
    every employee gets a row even when the time share is already spent."""
    inst = parse_instance(TWO, name="Two")
    pricers = [Pricer(inst, e, programme=False) for e in range(2)]
    with pytest.raises(TimeoutError):
        sequential_roster(inst, pricers, time.perf_counter() - 1, give_up=time.perf_counter() - 1)
    rows = sequential_roster(inst, pricers, time.perf_counter() - 1)
    assert sorted(c.employee for c in rows) == [0, 1]


@needs_data
def test_dive_leaves_its_last_employees_to_complete() -> None:
    """With everyone within ``complete_share``, the dive's first step hands all employees to ``complete``; a
    CP-SAT completion freeing them all solves Instance1 (607), and the dive returns that roster."""
    inst = load_instance(DATA / "Instance1.txt")
    by_cpsat = completion(build_model(inst, use_hint=False), 0, 2)
    calls = []

    def complete(start, free, value, until):  # type: ignore[no-untyped-def]
        employees = sorted({e for e, _ in free})
        assert free == {(e, d) for e in employees for d in range(inst.horizon)}
        calls.append(employees)
        assert check_roster(inst, start).penalty == value
        return by_cpsat(start, free, value, until)

    pricers = [Pricer(inst, e) for e in range(len(inst.staff))]
    master = Master(inst)
    for col in sequential_roster(inst, pricers, time.perf_counter() + 10):
        master.add(col)
    with ThreadPoolExecutor(max_workers=2) as pool:
        rows = dive(Generator(inst, master, pricers, pool), time.perf_counter() + 30, complete=complete,
                    complete_share=1.0)
    assert calls == [list(range(len(inst.staff)))]
    assert objective_of(inst, rows) == 607 == check_roster(inst, to_roster(inst, rows)).penalty


@needs_data
def test_a_rise_with_no_take_back_left_releases_the_step_to_the_completion(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every step raises the LP (stand-in) and no take-back is left: the dive's second step releases the rows the
    first locked and hands them, with everyone still unlocked, to ``complete`` -- here the whole staff."""
    from staffplan.roster.shifts import colgen

    monkeypatch.setattr(colgen, "TAKE_BACKS", 0)
    monkeypatch.setattr(colgen, "RELEASE_SHARE", 1.0)
    monkeypatch.setattr(colgen, "_rises", lambda lp_value, before: True)
    inst = load_instance(DATA / "Instance1.txt")
    calls = []
    notes: list[str] = []

    def complete(start, free, value, until):  # type: ignore[no-untyped-def]
        calls.append(sorted({e for e, _ in free}))
        return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        gen, _ = _generator(inst, pool)
        rows = dive(gen, time.perf_counter() + 30, complete=complete, complete_share=0.0, backtrack=True,
                    note=notes.append)
    assert calls == [list(range(len(inst.staff)))]
    assert any(n.endswith("locks: released") for n in notes)
    assert check_roster(inst, to_roster(inst, rows)).feasible
    assert all(u == 1.0 for u in gen.master.upper)


@needs_data
def test_a_completion_starts_from_the_heaviest_rows_and_falls_back_on_the_sequential_ones() -> None:
    """The unlocked employees' heaviest rows all copy one row (badly over one cover, under the rest); the
    completion starts from them all the same (the LP's shape), and when it finds nothing better, the roster
    returned is the locked rows plus a sequential construction over the unlocked employees, which is cheaper."""
    inst = load_instance(DATA / "Instance1.txt")
    pricers = [Pricer(inst, e) for e in range(len(inst.staff))]
    master = Master(inst)
    first = sequential_roster(inst, pricers, time.perf_counter() + 10)
    unlocked = list(range(len(inst.staff) // 2))
    heaviest: dict[int, tuple[float, int]] = {}
    for col in first:
        copy = first[0].cells if col.employee in unlocked else col.cells
        master.add(Column(col.employee, copy, pricers[col.employee].cost(copy)))
        heaviest[col.employee] = (1.0, len(master.columns) - 1)
    by_weight = objective_of(inst, [master.columns[i] for _, i in heaviest.values()])
    seen: list[int] = []

    def complete(start, free, value, until):  # type: ignore[no-untyped-def]
        assert free == {(e, d) for e in unlocked for d in range(inst.horizon)}
        assert check_roster(inst, start).penalty == value
        seen.append(value)
        return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        rows = _complete(Generator(inst, master, pricers, pool), heaviest, unlocked, complete,
                         time.perf_counter() + 10, None, 5.0)
    assert seen == [by_weight]
    checked = check_roster(inst, to_roster(inst, rows))
    assert checked.feasible and checked.penalty == objective_of(inst, rows) < by_weight
    kept = {c.employee: c.cells for c in first if c.employee not in unlocked}
    assert {c.employee: c.cells for c in rows if c.employee not in unlocked} == kept


@needs_data
def test_the_lp_enforced_search_frees_exactly_the_cells_the_lp_leaves_open() -> None:
    """On Instance1's solved LP (558, fractional), ``complete`` is handed each employee's heaviest row with every
    (employee, day) set free where some row of weight over 1 % makes another choice, and only those; CP-SAT over
    them gives a roster the checker prices as reported, no dearer than the heaviest rows, that keeps every cell
    the LP decided."""
    inst = load_instance(DATA / "Instance1.txt")
    by_cpsat = completion(build_model(inst, use_hint=False), 0, 2)
    seen: list[tuple[dict[str, list[str | None]], set[tuple[int, int]], int]] = []

    def complete(start, free, value, until):  # type: ignore[no-untyped-def]
        seen.append((start, free, value))
        return by_cpsat(start, free, value, until)

    with ThreadPoolExecutor(max_workers=2) as pool:
        gen, _ = _generator(inst, pool)
        everyone = list(range(len(inst.staff)))
        while gen.round(everyone, time.perf_counter() + 30)[1] > 0:
            pass
        lp_value, _, _ = gen.master.solve()
        rows = lp_enforced(gen, cell_weights(gen.master), complete, time.perf_counter() + 20, None)
    assert lp_value < 560
    (start, free, value), = seen
    heaviest = heaviest_rows(gen.master)
    assert start == to_roster(inst, heaviest) and value == objective_of(inst, heaviest)
    choice: dict[tuple[int, int], set[str | None]] = {}
    for col, v in zip(gen.master.columns, gen.master.values(), strict=True):
        if v > 0.01:
            worked = dict(col.cells)
            for d in range(inst.horizon):
                sid = inst.shifts[worked[d]].id if d in worked else None
                choice.setdefault((col.employee, d), set()).add(sid)
    assert free == {cell for cell, sids in choice.items() if len(sids) > 1}
    assert 0 < len(free) < len(inst.staff) * inst.horizon
    roster = to_roster(inst, rows)
    assert check_roster(inst, roster).penalty == objective_of(inst, rows) <= value
    assert all(roster[inst.staff[e].id][d] == start[inst.staff[e].id][d] for e, d in choice if (e, d) not in free)


def test_without_time_for_a_dive_the_lp_enforced_search_gives_the_roster(monkeypatch: pytest.MonkeyPatch) -> None:
    """No time for a dive: with ``complete`` the LP-enforced search runs (and branch and price still proves the
    brute-force optimum, 0); without ``complete`` it does not."""
    from staffplan.roster.shifts import colgen

    monkeypatch.setattr(colgen, "DIVE_ROUNDS", 10**9)
    inst = parse_instance(TWO, name="Two")
    calls: list[int] = []

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return lp_enforced(*args, **kwargs)

    monkeypatch.setattr(colgen, "lp_enforced", spy)
    res = column_generation(inst, time.perf_counter() + 10, complete=lambda start, free, value, until: None)
    assert calls == [1] and any("lp enforced" in line for line in res.log)
    assert res.objective == 0 == check_roster(inst, res.roster).penalty
    calls.clear()
    res = column_generation(inst, time.perf_counter() + 10)
    assert calls == [] and res.objective == 0


def test_no_rounds_and_no_dive_without_an_exactly_priced_employee() -> None:
    """CP-SAT pricing alone gives no bound and, on long horizons, no rows better than the first roster: column
    generation then returns the sequential construction and leaves the time to the LNS."""
    inst = parse_instance(TWO, name="Two")
    res = column_generation(inst, time.perf_counter() + 10, programme=False)
    assert res.iterations == 0 and not any("dive" in line for line in res.log)
    check = check_roster(inst, res.roster)
    assert check.feasible and check.penalty == res.objective
    exact = column_generation(inst, time.perf_counter() + 10)
    assert exact.iterations > 0 and exact.objective <= res.objective


@needs_data
def test_no_dive_from_an_lp_still_far_from_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rounds cut after the third (as a deadline cuts Instance20's): Instance5's LP (about 2,228) is below the first
    roster but far above its bound (about -1,737), so no dive follows and the first roster is returned; with the
    rounds left alone the same call dives."""
    inst = load_instance(DATA / "Instance5.txt")
    full_round = Generator.round

    def three_rounds(self: Generator, employees: list[int], deadline: float) -> tuple[float, int, float | None]:
        lp_value, added, lagrange = full_round(self, employees, deadline)
        return lp_value, added if self.rounds < 3 else 0, lagrange

    monkeypatch.setattr(Generator, "round", three_rounds)
    cut = column_generation(inst, time.perf_counter() + 10)
    assert "first roster" in cut.log[0]
    first = int(cut.log[0].split()[-1])
    assert cut.iterations == 3 and not cut.converged
    assert cut.lp_value is not None and cut.lp_value < first - 1
    assert not lp_is_informative(cut.converged, cut.lp_value, cut.bound)
    assert not any("dive" in line for line in cut.log) and cut.objective == first
    monkeypatch.setattr(Generator, "round", full_round)
    whole = column_generation(inst, time.perf_counter() + 10)
    assert any("dive roster" in line for line in whole.log)


@needs_data
def test_column_generation_reports_the_bound_its_dive_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """The generator's best Lagrangian bound after the dive is the one reported: a stand-in dive sets it to a value
    no roster of Instance5 reaches (so nothing after the dive runs), and that value comes back."""
    import staffplan.roster.shifts.colgen as colgen

    def stand_in(gen: Generator, deadline: float, **_: object) -> list[Column]:
        gen.best_bound = 10_000.0
        return heaviest_rows(gen.master)

    monkeypatch.setattr(colgen, "dive", stand_in)
    res = column_generation(load_instance(DATA / "Instance5.txt"), time.perf_counter() + 10)
    assert any("dive roster" in line for line in res.log)
    assert res.bound == 10_000.0


@needs_data
def test_a_warm_master_solves_as_a_fresh_one_after_rows_are_barred_and_allowed() -> None:
    inst = load_instance(DATA / "Instance1.txt")
    with ThreadPoolExecutor(max_workers=2) as pool:
        gen, _ = _generator(inst, pool)
        for _ in range(5):
            gen.round(list(range(len(gen.pricers))), time.perf_counter() + 10)
    master = gen.master
    master.warm(True)
    assert master.keep_basis
    first = {}
    for i, col in enumerate(master.columns):
        first.setdefault(col.employee, i)
    for step in range(4):  # bar every other row but its first of two employees, then allow them again
        for i, col in enumerate(master.columns):
            if col.employee in (step, step + 1):
                master.allow(i, i == first[col.employee] or i % 2 == step % 2)
        warm, _, _ = master.solve()  # the dual simplex: rows were barred
        assert master.upper.count(0.0) > 0
        fresh = Master(inst)
        for col, upper in zip(master.columns, master.upper, strict=True):
            fresh.add(col)
            fresh.allow(len(fresh.columns) - 1, upper > 0)
        assert warm == pytest.approx(fresh.solve()[0])
        assert master.solve()[0] == pytest.approx(warm)  # and the primal simplex agrees
    master.warm(False)
    assert not master.keep_basis


def test_glop_parameters_it_rejects_raise() -> None:
    master = Master(parse_instance(TWO, name="Two"))
    with pytest.raises(ValueError, match="GLOP rejects"):
        master._parameters("no_such_parameter: true")


@needs_data
def test_solve_asks_column_generation_for_adaptive_smoothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default solve smooths its LP phase adaptively (from a factor of 0) and takes back dive steps only on
    long runs. (Instance5, which the first CP-SAT phase cannot prove in no time; the two-employee instance it
    sometimes does, and column generation is then not called.)"""
    import staffplan.roster.shifts.colgen as colgen

    class Called(Exception):
        pass

    seen: list[dict[str, object]] = []

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(kwargs)
        raise Called  # stop the solve here

    monkeypatch.setattr(colgen, "column_generation", spy)
    with pytest.raises(Called):
        solve(load_instance(DATA / "Instance5.txt"), SolveOptions(max_time_in_seconds=10, phase1_share=0.0))
    assert len(seen) == 1
    assert seen[0]["adaptive"] is True and seen[0].get("smoothing", 0.0) == 0.0
    assert seen[0]["backtrack"] is False
