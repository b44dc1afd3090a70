"""The row programme against brute force: every row of a short horizon enumerated and checked by the checker."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import numpy as np
import pytest

from staffplan.roster.shifts.colgen import Pricer
from staffplan.roster.shifts.instance import Instance, parse_instance
from staffplan.roster.shifts.penalty import check_roster
from staffplan.roster.shifts.rowdp import WEEKEND, GrowingPricer, Path, RowProgramme, narrowed_pricer

# 9 days (one weekend, days 5-6); E may not follow L; E 480 and L 600 minutes, so minute levels are 120 apart.
# A: runs of 2-4 shifts, 2+ days off, 1,440-3,600 minutes, day 3 off; limits loose (L=9, 1 weekend of 1).
# B: the same rules with binding counting rules: at most 2 L shifts and no weekend.
TEXT = """SECTION_HORIZON
9

SECTION_SHIFTS
E,480,
L,600,E

SECTION_STAFF
A,E=9|L=9,3600,1440,4,2,2,1
B,E=9|L=2,3600,1440,4,2,2,0

SECTION_DAYS_OFF
A,3

SECTION_SHIFT_ON_REQUESTS

SECTION_SHIFT_OFF_REQUESTS

SECTION_COVER
"""


def _rows(inst: Instance, employee: str) -> list[tuple[int | None, ...]]:
    """Every row the checker accepts for ``employee`` (cells are shift indices, None = off)."""
    out = []
    others = {e.id: [None] * inst.horizon for e in inst.staff if e.id != employee}
    for row in itertools.product([None, 0, 1], repeat=inst.horizon):
        named = [None if s is None else inst.shifts[s].id for s in row]
        result = check_roster(inst, {employee: named, **others})
        if not any(v.startswith(f"{employee}:") for v in result.violations):
            out.append(row)
    return out


@pytest.fixture(scope="module")
def inst() -> Instance:
    return parse_instance(TEXT, name="Nine")


@pytest.fixture(scope="module")
def rows(inst: Instance) -> dict[str, list[tuple[int | None, ...]]]:
    return {e.id: _rows(inst, e.id) for e in inst.staff}


def _row(cells: Sequence[tuple[int, int]], horizon: int) -> tuple[int | None, ...]:
    """Cells (day, shift) as a row: the shift worked per day, None on a day off."""
    return tuple(dict(cells).get(d) for d in range(horizon))


def _value(row: tuple[int | None, ...], cost: np.ndarray) -> float:
    return sum(float(cost[d, s]) for d, s in enumerate(row) if s is not None)


def test_bands_hold_every_feasible_rows_minutes(inst: Instance, rows) -> None:  # type: ignore[no-untyped-def]
    """The forward pass works only on each day's band of minute levels, so every row the checker accepts must
    stay inside them day by day. A's bands by hand (levels of 120 minutes, E 4 and L 5, 12 to 30 in all, runs
    of at most 4, 2 days off between, day 3 off): the most by day d is 5 per day worked, e.g. 15 by day 4 (days
    0-2, then 3 and 4 off), 20 by day 5; the least is 12 less the most the days after can hold (day 6: 12 - 10)."""
    lengths = [s.length // 120 for s in inst.shifts]
    assert RowProgramme(inst, 0).bands == [(0, 5), (0, 10), (0, 15), (0, 15), (0, 15), (0, 20), (2, 25), (7, 30),
                                           (12, 30)]
    for e, emp in enumerate(inst.staff):
        bands = RowProgramme(inst, e).bands
        assert rows[emp.id]
        for row in rows[emp.id]:
            level = 0
            for d, s in enumerate(row):
                level += 0 if s is None else lengths[s]
                assert bands[d][0] <= level <= bands[d][1], (emp.id, row, d)


def test_an_employee_who_may_work_no_shift_has_the_empty_row_only() -> None:
    """No shift type allowed: the only row is all days off (the bands need the longest shift, and there is none)."""
    text = TEXT.replace("A,E=9|L=9,3600,1440,4,2,2,1", "A,E=0|L=0,0,0,4,2,2,1")
    inst = parse_instance(text, name="Idle")
    assert RowProgramme(inst, 0).paths(np.zeros((9, 0)), count=3) == [Path(0.0, ())]
    assert RowProgramme(inst, 1).bands[-1][0] == 12  # B keeps its 1,440 minutes: its last band starts there


@pytest.mark.parametrize("seed", range(6))
def test_programme_value_equals_the_brute_force_optimum(inst: Instance, rows, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    cost = rng.uniform(-20.0, 8.0, size=(inst.horizon, 2))
    path = RowProgramme(inst, 0).solve(cost.copy())
    assert path is not None
    assert path.value == pytest.approx(min(_value(r, cost) for r in rows["A"]))
    row = _row(path.cells, inst.horizon)
    assert row in rows["A"]  # the walk back yields a row the checker accepts, of the programme's value
    assert _value(row, cost) == pytest.approx(path.value)


def test_a_fixed_cell_is_worked(inst: Instance, rows) -> None:  # type: ignore[no-untyped-def]
    cost = np.full((inst.horizon, 2), 5.0)  # working costs: the best row works the least
    path = RowProgramme(inst, 0).solve(cost.copy(), fixed={7: 1})
    assert path is not None and (7, 1) in path.cells
    assert path.value == pytest.approx(min(_value(r, cost) for r in rows["A"] if r[7] == 1))


@pytest.mark.parametrize("day, sign", [(0, -1.0), (8, -1.0), (0, 1.0), (8, 1.0)])
def test_runs_touching_the_border_are_exempt_from_the_minimum_rules(inst: Instance, rows, day: int,  # type: ignore[no-untyped-def]
                                                                    sign: float) -> None:
    """Work (sign -1) or rest (sign +1) on the border day alone pays: a run of one there breaks no rule."""
    cost = np.full((inst.horizon, 2), -sign * 4.0)
    cost[day] = sign * 30.0
    cost[1 if day == 0 else 7] = -sign * 30.0  # and the opposite on its neighbour
    path = RowProgramme(inst, 0).solve(cost.copy())
    assert path is not None
    assert path.value == pytest.approx(min(_value(r, cost) for r in rows["A"]))


@pytest.mark.parametrize("seed", range(6))
def test_counting_rules_kept_in_the_state_make_the_programme_exact(inst: Instance, rows, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(100 + seed)
    cost = rng.uniform(-20.0, 8.0, size=(inst.horizon, 2))
    programme = RowProgramme(inst, 1)
    assert programme.size == 3 and not programme.soft_types and programme.soft_weekend is None  # L <= 2; no weekend
    path = programme.solve(cost.copy())
    assert path is not None
    assert path.value == pytest.approx(min(_value(r, cost) for r in rows["B"]))
    row = _row(path.cells, inst.horizon)
    assert row in rows["B"]
    found, bound, optimal = GrowingPricer(inst, 1, {}).price({c: -float(cost[c]) for c in np.ndindex(cost.shape)})
    assert optimal and found[0][0] == pytest.approx(path.value) and bound == pytest.approx(path.value)


def _one_type(horizon: int) -> Instance:
    """One shift type; at most 6 shifts and one weekend, both binding and both kept in the state."""
    return parse_instance(f"""SECTION_HORIZON
{horizon}

SECTION_SHIFTS
D,480,

SECTION_STAFF
A,D=6,2880,1440,4,2,2,1

SECTION_DAYS_OFF

SECTION_SHIFT_ON_REQUESTS

SECTION_SHIFT_OFF_REQUESTS

SECTION_COVER
""", name=f"One{horizon}")


def _feasible_one_type(inst: Instance) -> list[tuple[int | None, ...]]:
    out = []
    for mask in range(1 << inst.horizon):
        row = ["D" if mask >> d & 1 else None for d in range(inst.horizon)]
        if check_roster(inst, {"A": row}).feasible:
            out.append(tuple(0 if cell else None for cell in row))
    return out


@pytest.mark.parametrize("horizon", [13, 14])  # 13 ends on a Saturday: that weekend counts at the border
def test_weekend_and_type_counters_against_brute_force(horizon: int) -> None:
    inst = _one_type(horizon)
    feasible = _feasible_one_type(inst)
    programme = RowProgramme(inst, 0)
    assert programme.size == 2 * 7 and not programme.soft_types and programme.soft_weekend is None
    rng = np.random.default_rng(horizon)
    for _ in range(5):
        cost = rng.uniform(-20.0, 5.0, size=(horizon, 1))
        path = programme.solve(cost.copy())
        assert path is not None
        assert path.value == pytest.approx(min(_value(r, cost) for r in feasible))
        assert _row(path.cells, horizon) in feasible


def test_a_shift_that_may_follow_no_shift_is_only_worked_after_a_day_off() -> None:
    """L may follow neither E nor L (Instance15 has such types): its run state has no predecessor."""
    inst = parse_instance(TEXT.replace("E,480,\nL,600,E", "E,480,L\nL,600,E|L"), name="NoPredecessor")
    feasible = _rows(inst, "A")
    rng = np.random.default_rng(7)
    for _ in range(3):
        cost = rng.uniform(-20.0, 8.0, size=(inst.horizon, 2))
        path = RowProgramme(inst, 0).solve(cost.copy())
        assert path is not None
        assert path.value == pytest.approx(min(_value(r, cost) for r in feasible))


@pytest.mark.parametrize("horizon", [13, 14])
def test_growing_pricer_adds_the_broken_counting_rules_and_reaches_the_optimum(horizon: int) -> None:
    inst = _one_type(horizon)
    feasible = _feasible_one_type(inst)
    pricer = GrowingPricer(inst, 0, {})
    assert pricer.keep == frozenset() and pricer.programme.size == 1  # starts without counters
    dual = {(d, 0): 9.0 for d in range(horizon)}  # work every day if allowed: breaks the weekend rule
    found, bound, optimal = pricer.price(dual)
    best = min(-9.0 * sum(s is not None for s in r) for r in feasible)
    assert optimal and found[0][0] == pytest.approx(best) and bound == pytest.approx(best)
    assert _row(found[0][1], horizon) in feasible
    # the weekend rule entered the state; the 6-shift limit never breaks (2,880 minutes are 6 shifts already)
    assert pricer.keep == frozenset({WEEKEND}) and not pricer.stuck


def test_growing_pricer_keeps_no_counter_while_no_rule_breaks() -> None:
    inst = _one_type(14)
    pricer = GrowingPricer(inst, 0, {})
    dual = {(d, 0): (9.0 if d in (1, 2, 3) else -5.0) for d in range(14)}  # one short run pays, nothing more
    found, _, optimal = pricer.price(dual)
    assert optimal and {d for d, _ in found[0][1]} == {1, 2, 3} and pricer.keep == frozenset()


def test_growing_pricer_over_its_budget_gives_a_bound_and_the_pricer_falls_back_to_cp_sat() -> None:
    inst = _one_type(14)
    feasible = _feasible_one_type(inst)
    dual = {(d, 0): 9.0 for d in range(14)}
    best = min(-9.0 * sum(s is not None for s in r) for r in feasible)
    base = RowProgramme(inst, 0, keep=frozenset()).states
    pricer = GrowingPricer(inst, 0, {}, budget=base)  # no counter fits
    found, bound, optimal = pricer.price(dual)
    assert found == [] and not optimal and pricer.stuck and bound <= best + 1e-9
    fallback = Pricer(inst, 0, budget=base)
    rows, bound, optimal = fallback.price(dual, seconds=10.0)
    assert optimal and rows[0][0] == pytest.approx(best) and bound == pytest.approx(best)
    assert not fallback.exact  # column generation must not treat its LP as exactly priced
    assert Pricer(inst, 0, budget=base - 1).programme is None  # the programme alone over the budget: CP-SAT only


@pytest.mark.parametrize("seed", range(4))
def test_growing_pricer_with_a_binding_type_limit_against_brute_force(inst: Instance, rows, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    dual = {(d, s): rng.uniform(-8.0, 20.0) + (10.0 if s == 1 else 0.0) for d in range(inst.horizon) for s in range(2)}
    cost = np.array([[-dual[d, s] for s in range(2)] for d in range(inst.horizon)])
    pricer = GrowingPricer(inst, 1, {})  # B: at most 2 L shifts, which the dual makes attractive
    found, bound, optimal = pricer.price(dual)
    best = min(_value(r, cost) for r in rows["B"])
    assert optimal and found[0][0] == pytest.approx(best) and bound == pytest.approx(best)
    assert _row(found[0][1], inst.horizon) in rows["B"]
    assert pricer.keep == frozenset({1})  # L (local index 1) broke its limit once and is counted from then on


@pytest.mark.parametrize("seed", range(5))
def test_feasible_row_keeps_the_rules_the_programme_leaves_soft(seed: int) -> None:
    """No counter fits the budget: the repaired row keeps the weekend and type limits, costs what it says and no
    less than the best row."""
    inst = _one_type(14)
    feasible = _feasible_one_type(inst)
    rng = np.random.default_rng(seed)
    cost = rng.uniform(-20.0, 3.0, size=(14, 1))
    cost[[5, 6, 12, 13]] -= 30.0  # both weekends pay most: the relaxation works both, one too many
    dual = {(d, 0): -float(cost[d, 0]) for d in range(14)}
    pricer = GrowingPricer(inst, 0, {}, budget=RowProgramme(inst, 0, keep=frozenset()).states)
    assert pricer.programme.soft == frozenset({0, WEEKEND})
    relaxed = pricer.programme.solve(cost.copy())
    assert relaxed is not None and _row(relaxed.cells, 14) not in feasible
    found = pricer.feasible_row(dual)
    assert found is not None
    value, cells = found
    row = _row(cells, 14)
    assert row in feasible
    assert value == pytest.approx(_value(row, cost))
    assert value >= min(_value(r, cost) for r in feasible) - 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_feasible_row_with_a_soft_type_limit(inst: Instance, rows, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    dual = {(d, s): rng.uniform(-8.0, 20.0) + (10.0 if s == 1 else 0.0) for d in range(inst.horizon) for s in range(2)}
    cost = np.array([[-dual[d, s] for s in range(2)] for d in range(inst.horizon)])
    pricer = GrowingPricer(inst, 1, {}, budget=RowProgramme(inst, 1, keep=frozenset()).states)
    assert 1 in pricer.programme.soft  # B's limit of 2 L shifts is left to the repair
    relaxed = pricer.programme.solve(cost.copy())
    assert relaxed is not None and sum(s == 1 for _, s in relaxed.cells) > 2  # the relaxation breaks it
    found = pricer.feasible_row(dual)
    assert found is not None
    row = _row(found[1], inst.horizon)
    assert row in rows["B"] and found[0] == pytest.approx(_value(row, cost))


def test_pricer_repair_gives_a_feasible_row_when_cp_sat_has_no_time() -> None:
    inst = _one_type(14)
    feasible = _feasible_one_type(inst)
    dual = {(d, 0): 9.0 for d in range(14)}
    pricer = Pricer(inst, 0, budget=RowProgramme(inst, 0, keep=frozenset()).states)
    found, _, _ = pricer.price(dual, seconds=0.0, repair=True)
    assert found and _row(found[0][1], 14) in feasible


def test_pricer_without_a_programme_repairs_a_row_over_the_types_worth_most(inst: Instance, rows) -> None:  # type: ignore[no-untyped-def]
    """A's full programme (E 480 and L 600 minutes: 120-minute levels) is over the budget; E alone (480-minute
    levels) fits, so the repaired row works E only, and keeps every rule."""
    full = RowProgramme(inst, 0, keep=frozenset()).states
    only_e = narrowed_pricer(inst, 0, {}, {0: 1.0, 1: 0.0}, budget=full - 1)
    assert only_e is not None and only_e.programme.allowed == [0]
    pricer = Pricer(inst, 0, budget=full - 1)
    assert pricer.programme is None
    dual = {(d, s): 10.0 for d in range(inst.horizon) for s in range(2)}
    found = pricer.feasible_row(dual)
    assert found is not None
    row = _row(found[1], inst.horizon)
    assert row in rows["A"] and set(row) <= {None, 0}
    # a cell fixed to L brings L in, and the row works it
    pricer.fix((5, 1))
    found = pricer.feasible_row(dual)
    assert found is not None
    row = _row(found[1], inst.horizon)
    assert row in rows["A"] and row[5] == 1


@pytest.mark.parametrize("seed", range(4))
def test_paths_are_distinct_rows_least_first_the_first_optimal(inst: Instance, rows, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(200 + seed)
    cost = rng.uniform(-20.0, 8.0, size=(inst.horizon, 2))
    paths = RowProgramme(inst, 0).paths(cost.copy(), count=6)
    assert len(paths) == 6
    found = [_row(p.cells, inst.horizon) for p in paths]
    assert len(set(found)) == len(found)  # other end states: other rows
    assert all(r in rows["A"] for r in found)  # each walk back is a row the checker accepts ...
    assert [p.value for p in paths] == pytest.approx([_value(r, cost) for r in found])  # ... of its value
    assert [p.value for p in paths] == sorted(p.value for p in paths)
    assert paths[0].value == pytest.approx(min(_value(r, cost) for r in rows["A"]))


def test_growing_pricer_gives_more_rows_only_when_they_keep_every_rule(inst: Instance, rows) -> None:  # type: ignore[no-untyped-def]
    """B may work 2 L shifts; its best row keeps that, so the rule stays out of the state, but a row of another
    end state works 3 and must not be returned."""
    rng = random.Random(0)
    dual = {(d, s): rng.uniform(-8.0, 20.0) + (2.0 if s == 1 else 0.0) for d in range(inst.horizon) for s in range(2)}
    cost = np.array([[-dual[d, s] for s in range(2)] for d in range(inst.horizon)])
    relaxed = RowProgramme(inst, 1, keep=frozenset()).paths(cost.copy(), count=8)
    assert any(sum(s == 1 for _, s in p.cells) > 2 for p in relaxed)
    pricer = GrowingPricer(inst, 1, {})
    found, bound, optimal = pricer.price(dual, count=8)
    assert optimal and pricer.keep == frozenset() and 1 < len(found) < len(relaxed)
    assert found[0][0] == pytest.approx(min(_value(r, cost) for r in rows["B"])) == pytest.approx(bound)
    assert all(_row(cells, inst.horizon) in rows["B"] for _, cells in found)
    assert all(value == pytest.approx(_value(_row(cells, inst.horizon), cost)) for value, cells in found)
