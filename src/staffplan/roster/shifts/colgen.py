"""Column generation for the rostering rules: a tight lower bound and near-optimal rosters.

Every hard rule of the benchmark is a rule about one employee; only cover couples employees, and cover is soft.
So the problem is a set partitioning over employees' individual rows: choose one feasible row per employee to
minimise request penalties plus under/over-cover penalties. The LP relaxation of that master problem is very
tight on these instances, and its rows are generated on demand:

* **master LP** (GLOP): ``x_p`` in [0, 1] per known row ``p``, ``sum_p x_p = 1`` per employee, and per (day, shift)
  ``sum_p a_p x_p + u - o = requirement`` with the cover weights on ``u`` and ``o``;
* **pricing** (CP-SAT, one small model per employee, built once): the employee's rules with objective
  ``sum (request cost - cover dual) * x[d, s]``; every improving row found is added;
* **bound**: ``LP + sum_e min(0, reduced cost bound_e)`` is a valid lower bound at every iteration (each employee
  has exactly one row), so the loop can stop as soon as the incumbent reaches it;
* **rosters**: a dive fixes what the LP is surest of, prices again and repeats until the LP is integral.

The restricted master as an integer program (CP-SAT or SCIP over the generated rows) was tried for rosters and
found far worse than the dive in the same time (Instance12: 9,093 and 8,588 against an LP value of 4,040).

A sequential construction (each employee priced against the cover still open) gives the first roster in one
pass over the staff, which is always feasible when each employee is, even where a day-by-day greedy fails.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from staffplan.roster.shifts.instance import Cover, Instance
from staffplan.roster.shifts.model import Complete, build_model, lp_agreement
from staffplan.roster.shifts.rowdp import GrowingPricer, narrowed_pricer

Roster = dict[str, list[str | None]]
Cell = tuple[int, int]  # (day, shift index)
EmployeeDay = tuple[int, int]  # (employee index, day): a cell of the roster, which a completion sets free
# (roster, its objective, LP weight per (employee, day, shift), lower bound, deadline) -> (roster, objective)
Polish = Callable[[Roster, int, Mapping[tuple[int, int, int], float], float, float], tuple[Roster, int]]


@dataclass(frozen=True)
class Column:
    employee: int
    cells: tuple[Cell, ...]
    cost: int  # request penalties of this employee's row


@dataclass
class ColgenResult:
    roster: Roster
    objective: int
    bound: float  # valid lower bound on the optimum
    lp_value: float | None
    converged: bool  # the LP is solved, or the bound already has the LP value's ceiling (integer objective)
    iterations: int
    columns: int
    log: list[str] = field(default_factory=list)
    # LP weight of each (employee, day, shift) at the last full LP solve before the dive (empty if none)
    lp_cells: dict[tuple[int, int, int], float] = field(default_factory=dict)
    lp_cut: bool = False  # the LP phase was ended early: it could not be solved in its time (:func:`lp_out_of_reach`)


def cover_cells(instance: Instance) -> list[tuple[Cell, Cover]]:
    """Each cover row with its (day, shift index) cell."""
    return [((c.day, instance.shift_index(c.shift)), c) for c in instance.cover]


# Rows a pricing call by the row programme returns: its best row and the best rows of other end states (other
# minutes worked, counters or run at the end). LP phase alone, 2 cores, seed 0, one row -> three: Instance13 220 s
# (47 rounds) -> 166-174 s (35-36 rounds); Instance10 11.8 -> 7.4-8.5 s; 11 3.7 -> 3.7 s; 12 18.9 -> 17.7-19.7 s;
# Instance20 284 s (75 rounds) -> 294-328 s (66-67 rounds: each round walks back 182 days per row, in Python).
# In the LP phase only: with three rows in the dive and branch and price too, Instance5's proof took 41 s instead
# of 37 s, and three 30 s column generations on it 84 s instead of 46 s.
ROWS_PER_PRICING = 3


class Pricer:
    """One employee's rules as a CP-SAT model; ``price`` minimises a linear cost over the employee's rows.

    With ``programme`` (the default) the row programme of :mod:`~staffplan.roster.shifts.rowdp` prices instead
    of CP-SAT, its counting rules entering the state as rows break them (:class:`GrowingPricer`). It solves the
    LPs of Instances 1-12 with 2.5-5x less CPU time than CP-SAT. Where a broken rule does not fit the
    programme's budget, that call falls back to CP-SAT; where the programme alone is over the budget (35 of
    Instance24's 150 employees: 937 minute levels, one per two hours of a year's work, of which their bands hold
    too many) CP-SAT prices throughout. Lagrange multipliers
    for the rules that do not fit were measured worse than CP-SAT (Instance20 first roster 89,225 against 16,978).
    """

    def __init__(self, instance: Instance, e: int, programme: bool = True, budget: int = 20_000_000) -> None:
        emp = instance.staff[e]
        rm = build_model(instance.alone(emp), use_hint=False)
        self.instance = instance
        self.e = e
        self.budget = budget
        self.model = rm.model
        self.x = {(d, s): v for (_, d, s), v in rm.x.items()}
        # request cost of each cell, plus the constant of on-requests (paid unless granted)
        self.constant = 0
        self.request: dict[Cell, int] = {}
        for r in instance.on_requests:
            if r.employee == emp.id:
                self.constant += r.weight
                key = (r.day, instance.shift_index(r.shift))
                self.request[key] = self.request.get(key, 0) - r.weight
        for r in instance.off_requests:
            if r.employee == emp.id:
                key = (r.day, instance.shift_index(r.shift))
                self.request[key] = self.request.get(key, 0) + r.weight
        self.programme = GrowingPricer(instance, e, self.request, budget) if programme else None
        if self.programme is not None and self.programme.programme.states > budget:
            self.programme = None

    @property
    def exact(self) -> bool:
        """Every call so far was priced exactly by the row programme."""
        return self.programme is not None and not self.programme.stuck

    def fix(self, cell: Cell) -> None:
        """From now on every row of this employee works ``cell``."""
        domain = self.model.proto.variables[self.x[cell].index].domain
        domain[0] = 1
        if self.programme is not None:
            self.programme.fix(cell)

    def forbid(self, cell: Cell) -> None:
        """From now on no row of this employee works ``cell``."""
        domain = self.model.proto.variables[self.x[cell].index].domain
        domain[1] = 0
        if self.programme is not None:
            self.programme.forbidden.add(cell)

    def unfix_all(self) -> None:
        """Undo every :meth:`fix` and :meth:`forbid`."""
        for v in self.x.values():
            domain = self.model.proto.variables[v.index].domain
            domain[0], domain[1] = 0, 1
        if self.programme is not None:
            self.programme.fixed.clear()
            self.programme.forbidden.clear()

    def cost(self, cells: Sequence[Cell]) -> int:
        return self.constant + sum(self.request.get(c, 0) for c in cells)

    def price(
        self, dual: Mapping[Cell, float], seconds: float, seed: int = 0, hint: Sequence[Cell] | None = None,
        first_only: bool = False, workers: int = 1, repair: bool = False, count: int = 1,
    ) -> tuple[list[tuple[float, tuple[Cell, ...]]], float, bool]:
        """Rows found (objective ``sum (request - dual)`` over cells, cells), a lower bound on it, optimal?

        The row programme, when the employee has one, gives the optimum in one run, with the best rows of up to
        ``count`` end states (the other arguments are for CP-SAT). Where it cannot, ``repair`` asks for a
        feasible row first (:meth:`feasible_row`), which hints CP-SAT and is returned when CP-SAT finds nothing
        better: a row however short the time. ``first_only`` stops CP-SAT at its first row: on long horizons
        with tight minute limits a first row can take seconds, and proving the best one much longer.
        ``workers`` are CP-SAT's threads: one when pricers run side by side, more when a single call has the
        machine."""
        bound = -math.inf
        if self.programme is not None:
            rows, bound, optimal = self.programme.price(dual, count)
            if optimal:
                return rows, bound, True
        repaired = self.feasible_row(dual) if repair else None
        if repaired is not None and hint is None:
            hint = repaired[1]
        rows, cp_bound, optimal = self._price_cpsat(dual, seconds, seed, hint, first_only, workers)
        if repaired is not None and not optimal and (not rows or repaired[0] < rows[0][0]):
            rows = [repaired, *rows]
        return rows, max(bound, cp_bound), optimal

    def feasible_row(self, dual: Mapping[Cell, float]) -> tuple[float, tuple[Cell, ...]] | None:
        """A feasible row, good for ``dual``, from the row programme (its repaired row), or -- for an employee
        whose programme is over the budget -- from a programme over the shift types worth most
        (:func:`~staffplan.roster.shifts.rowdp.narrowed_pricer`); None when neither gives one."""
        if self.programme is not None:
            return self.programme.feasible_row(dual)
        domains = {c: self.model.proto.variables[v.index].domain for c, v in self.x.items()}
        fixed = [c for c, dom in domains.items() if dom[0] == 1]
        forbidden = {c for c, dom in domains.items() if dom[1] == 0}
        worth: dict[int, float] = {}
        for d, s in self.x:
            worth[s] = worth.get(s, 0.0) + max(0.0, dual.get((d, s), 0.0) - self.request.get((d, s), 0))
        narrow = narrowed_pricer(self.instance, self.e, self.request, worth, frozenset(s for _, s in fixed),
                                 self.budget)
        if narrow is None:
            return None
        for cell in fixed:
            narrow.fix(cell)
        narrow.forbidden |= {c for c in forbidden if c[1] in narrow.programme.local}
        return narrow.feasible_row(dual)

    def _price_cpsat(self, dual: Mapping[Cell, float], seconds: float, seed: int, hint: Sequence[Cell] | None,
                     first_only: bool, workers: int = 1) -> tuple[list[tuple[float, tuple[Cell, ...]]], float, bool]:
        m = self.model
        m.minimize(sum((self.request.get(c, 0) - dual.get(c, 0.0)) * v for c, v in self.x.items()))
        m.clear_hints()
        if hint is not None:
            chosen = set(hint)
            for c, v in self.x.items():
                m.add_hint(v, c in chosen)
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = workers
        p.random_seed = seed
        p.max_time_in_seconds = max(0.05, seconds)
        p.linearization_level = 2
        p.stop_after_first_solution = first_only
        found: dict[tuple[Cell, ...], float] = {}
        x = self.x

        class Collect(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                cells = tuple(c for c, v in x.items() if self.boolean_value(v))
                found[cells] = self.objective_value

        status = solver.solve(m, Collect())
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if status == cp_model.INFEASIBLE:
                raise ValueError(f"employee index {self.e} has no feasible row")
            return [], -math.inf, False
        rows = sorted(((value, cells) for cells, value in found.items()), key=lambda r: r[0])
        return rows, solver.best_objective_bound, status == cp_model.OPTIMAL


# GLOP without presolve keeps its last basis between solves: the primal simplex goes on from it after rows were
# added, the dual simplex after rows were barred (the basis stays dual feasible). On Instance13's master, locking
# 8 rows re-solves in 0.15 s (30 or 70 rows: 1.6 s), where GLOP's default presolves and starts afresh (2.4 s);
# after rows were added the dual simplex is the slower (2-2.8 s per solve against 0.2-0.7 s for 50 new rows).
KEEP_BASIS = "use_preprocessing: false"


class Master:
    """The restricted master LP over the rows generated so far (GLOP, re-solved warm as rows are added)."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.columns: list[Column] = []
        self.upper: list[float] = []
        self.known: set[tuple[int, tuple[Cell, ...]]] = set()
        self.keep_basis = False
        self.bounds_changed = False  # since the last solve: with the basis kept, the next solve is a dual simplex
        self._build()

    def _build(self) -> None:
        instance = self.instance
        self.lp = lp = pywraplp.Solver.CreateSolver("GLOP")
        self.convexity = [lp.Constraint(1.0, 1.0, f"one_{emp.id}") for emp in instance.staff]
        self.cover: dict[Cell, pywraplp.Constraint] = {}
        objective = lp.Objective()
        for cell, c in cover_cells(instance):
            row = lp.Constraint(float(c.requirement), float(c.requirement), f"cover_{c.day}_{c.shift}")
            under = lp.NumVar(0.0, float(c.requirement), f"u_{c.day}_{c.shift}")
            over = lp.NumVar(0.0, lp.infinity(), f"o_{c.day}_{c.shift}")
            row.SetCoefficient(under, 1.0)
            row.SetCoefficient(over, -1.0)
            objective.SetCoefficient(under, float(c.weight_under))
            objective.SetCoefficient(over, float(c.weight_over))
            self.cover[cell] = row
        objective.SetMinimization()
        self.vars: list[pywraplp.Variable] = []
        for column, upper in zip(self.columns, self.upper, strict=True):
            self._variable(column, upper)

    def _variable(self, column: Column, upper: float) -> None:
        var = self.lp.NumVar(0.0, upper, f"p{len(self.vars)}")
        self.convexity[column.employee].SetCoefficient(var, 1.0)
        for cell in column.cells:
            self.cover[cell].SetCoefficient(var, 1.0)
        self.lp.Objective().SetCoefficient(var, float(column.cost))
        self.vars.append(var)

    def add(self, column: Column) -> bool:
        key = (column.employee, column.cells)
        if key in self.known:
            return False
        self.known.add(key)
        self.columns.append(column)
        self.upper.append(1.0)
        self._variable(column, 1.0)
        return True

    def exclude(self, index: int) -> None:
        """Row ``index`` may no longer be used (it contradicts a fixed cell)."""
        self.allow(index, False)

    def unfix_all(self) -> None:
        for i in range(len(self.vars)):
            self.allow(i, True)

    def allow(self, index: int, allowed: bool) -> None:
        upper = 1.0 if allowed else 0.0
        if self.upper[index] != upper:
            self.upper[index] = upper
            self.vars[index].SetUb(upper)
            self.bounds_changed = True

    def warm(self, on: bool) -> None:
        """Keep the last basis between solves (``on``: no presolve) or not (GLOP's default, which presolves and
        starts afresh). Turning it on or off costs one solve from scratch, so it is set per phase: a dive bars
        rows between solves, and with the basis kept, the dual simplex goes on from it (the first solve after
        rows were barred or allowed again)."""
        self._parameters(KEEP_BASIS if on else "")
        self.keep_basis = on

    def _parameters(self, text: str) -> None:
        if not self.lp.SetSolverSpecificParametersAsString(text):
            raise ValueError(f"GLOP rejects parameters {text!r}")

    def values(self) -> list[float]:
        return [var.solution_value() for var in self.vars]

    def solve(self) -> tuple[float, dict[Cell, float], list[float]]:
        """The LP's value, cover duals and convexity duals."""
        if self.keep_basis:
            self._parameters(f"{KEEP_BASIS} use_dual_simplex: {str(self.bounds_changed).lower()}")
        self.bounds_changed = False
        status = self.lp.Solve()
        if status == pywraplp.Solver.ABNORMAL:  # GLOP can lose its way after many bound changes: start afresh
            self._build()
            status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise RuntimeError(f"master LP status {status}")
        dual = {cell: row.dual_value() for cell, row in self.cover.items()}
        mu = [row.dual_value() for row in self.convexity]
        return self.lp.Objective().Value(), dual, mu


def cover_penalty(instance: Instance, columns: Sequence[Column]) -> int:
    counts: dict[Cell, int] = {}
    for col in columns:
        for cell in col.cells:
            counts[cell] = counts.get(cell, 0) + 1
    total = 0
    for cell, c in cover_cells(instance):
        n = counts.get(cell, 0)
        total += c.weight_under * max(0, c.requirement - n) + c.weight_over * max(0, n - c.requirement)
    return total


def _open_cover_dual(instance: Instance, counts: Mapping[Cell, int]) -> dict[Cell, float]:
    """What one more person on each cell is worth given the cover already assigned."""
    return {cell: float(c.weight_under) if counts.get(cell, 0) < c.requirement else -float(c.weight_over)
            for cell, c in cover_cells(instance)}


def sequential_roster(
    instance: Instance, pricers: Sequence[Pricer], deadline: float, seed: int = 0, assigned: Sequence[Column] = (),
    give_up: float | None = None,
) -> list[Column]:
    """Each employee in turn takes the row that serves the cover still open best (one pricing each); the cover
    of the ``assigned`` rows counts as served already. Without ``give_up`` every employee gets a row however
    long it takes; with it, TimeoutError is raised once that time has passed.

    Where the row programme cannot price exactly, its repaired row (``Pricer.price(repair=True)``) hints CP-SAT
    and stands in when CP-SAT finds nothing better in its share: Instance22's 50 first rows took 28 s so, where
    CP-SAT alone needed up to a minute for some. CP-SAT prices with one thread, though one call runs at a time:
    with two, first rows on the 364-day instances come faster (Instance22: 0.2-1.7 s against 0.2-17 s) but the
    roster is far worse (Instance23 in 54 s: 398,352 with two threads, 92,092 in 158 s with one)."""
    counts: dict[Cell, int] = {}
    for col in assigned:
        for cell in col.cells:
            counts[cell] = counts.get(cell, 0) + 1
    out: list[Column] = []
    n = len(pricers)
    for i, pricer in enumerate(pricers):
        if give_up is not None and time.perf_counter() >= give_up:
            raise TimeoutError(f"{n - i} employees without a row at the time limit")
        share = max(0.05, (deadline - time.perf_counter()) / max(1, n - i) * 0.9)
        dual = _open_cover_dual(instance, counts)
        rows, _, _ = pricer.price(dual, share, seed, repair=True)
        while not rows:  # no row in the time share: take the first row found, however long it takes
            if give_up is not None and time.perf_counter() >= give_up:
                raise TimeoutError(f"no row for employee index {pricer.e} by the time limit")
            share = max(1.0, 2 * share)
            rows, _, _ = pricer.price(dual, share, seed, first_only=True)
        cells = rows[0][1]
        out.append(Column(pricer.e, cells, pricer.cost(cells)))
        for cell in cells:
            counts[cell] = counts.get(cell, 0) + 1
    return out


def to_roster(instance: Instance, columns: Sequence[Column]) -> Roster:
    rows: Roster = {emp.id: [None] * instance.horizon for emp in instance.staff}
    for col in columns:
        for d, s in col.cells:
            rows[instance.staff[col.employee].id][d] = instance.shifts[s].id
    return rows


def roster_columns(instance: Instance, roster: Mapping[str, Sequence[str | None]], pricers: Sequence[Pricer]
                   ) -> list[Column]:
    out = []
    for e, emp in enumerate(instance.staff):
        cells = tuple((d, instance.shift_index(sid)) for d, sid in enumerate(roster[emp.id]) if sid is not None)
        out.append(Column(e, cells, pricers[e].cost(cells)))
    return out


class Generator:
    """Pricing rounds over a master LP: each round solves the LP and prices the given employees in parallel.

    With ``smoothing`` > 0 the pricers see ``smoothing * centre + (1 - smoothing) * LP duals``, where the centre
    is the dual vector with the best Lagrangian bound so far (Wentges smoothing): the duals of a degenerate
    master jump around, and pricing at a point nearer the best one needs fewer rounds. When the smoothed point
    yields no improving row the round is repeated at the LP duals, so the loop still ends exactly.

    With ``adaptive`` the smoothing factor starts at ``smoothing`` and follows the subgradient at the smoothed
    point (Pessoa, Sadykov, Uchoa and Vanderbeck 2018, "Automation and combination of linear-programming based
    stabilization techniques in column generation"): where the subgradient points towards the LP duals the factor
    falls by 0.1, otherwise it closes a tenth of its distance to 1.
    """

    def __init__(self, instance: Instance, master: Master, pricers: Sequence[Pricer], pool: ThreadPoolExecutor,
                 workers: int = 2, seed: int = 0, smoothing: float = 0.0, pricing_seconds: float = 2.0,
                 adaptive: bool = False, rows_per_pricing: int = 1) -> None:
        self.master = master
        self.pricers = pricers
        self.pool = pool
        self.workers = workers
        self.seed = seed
        self.smoothing = smoothing
        self.adaptive = adaptive
        self.pricing_seconds = pricing_seconds
        self.rows_per_pricing = rows_per_pricing  # rows a pricing call by the row programme returns
        self.rounds = 0
        self.last_rows: dict[int, tuple[Cell, ...]] = {}
        self.requirement = {cell: c.requirement for cell, c in cover_cells(instance)}
        self.weight_under = {cell: c.weight_under for cell, c in cover_cells(instance)}
        self.centre: dict[Cell, float] | None = None
        # best Lagrangian bound of the rounds that priced everyone; it bounds every roster only while no pricer
        # has a fixing (the LP phase, a dive by rows), not once branch and price's nodes price
        self.best_bound = -math.inf

    def _price(self, employees: Sequence[int], dual: Mapping[Cell, float], lp_dual: Mapping[Cell, float],
               mu: Sequence[float], seconds: float) -> tuple[int, float, dict[Cell, int]]:
        """Price at ``dual``; add rows improving at the LP duals; return (rows added, Lagrangian value, people
        on each cell in the best rows found)."""
        jobs = [
            (self.pricers[e], self.pool.submit(self.pricers[e].price, dual, seconds, self.seed + self.rounds,
                                               self.last_rows.get(e), count=self.rows_per_pricing))
            for e in employees
        ]
        added = 0
        # cover rows: pi * requirement, plus the under-cover slack when it pays (pi above its weight, u <= req);
        # pi never falls below -weight_over (the over slack is unbounded), for LP duals or their mixtures
        lagrange = sum(
            dual.get(cell, 0.0) * req + min(0.0, (self.weight_under[cell] - dual.get(cell, 0.0)) * req)
            for cell, req in self.requirement.items()
        )
        worked: dict[Cell, int] = {}
        for p, job in jobs:
            rows, row_bound, _ = job.result()
            lagrange += p.constant + row_bound
            for _, cells in rows:
                cost = p.cost(cells)
                if cost - sum(lp_dual.get(c, 0.0) for c in cells) - mu[p.e] < -1e-6:
                    added += self.master.add(Column(p.e, cells, cost))
            if rows:
                self.last_rows[p.e] = rows[0][1]
                for cell in rows[0][1]:
                    worked[cell] = worked.get(cell, 0) + 1
        return added, lagrange, worked

    def _adapted(self, alpha: float, smooth: Mapping[Cell, float], dual: Mapping[Cell, float],
                 centre: Mapping[Cell, float], worked: Mapping[Cell, int]) -> float:
        """The next smoothing factor: lower when the subgradient at ``smooth`` (requirement less under-cover
        paid and people on the cell) points from ``centre`` towards the LP duals ``dual``, higher otherwise."""
        slope = 0.0
        for cell, req in self.requirement.items():
            paid = req if smooth.get(cell, 0.0) > self.weight_under[cell] else 0
            slope += (req - paid - worked.get(cell, 0)) * (dual.get(cell, 0.0) - centre.get(cell, 0.0))
        return max(0.0, alpha - 0.1) if slope > 0 else min(0.99, alpha + 0.1 * (1.0 - alpha))

    def round(self, employees: Sequence[int], deadline: float) -> tuple[float, int, float | None]:
        """One round: (LP value, rows added, this round's Lagrangian bound if every employee was priced, else
        None). The bound holds for the master's current fixings only (a branch-and-price node's), so it is the
        round's own, not the best seen.

        Each pricing call gets its share of the time to ``deadline`` (at most ``pricing_seconds``)."""
        self.rounds += 1
        share = (deadline - time.perf_counter()) / max(1, len(self.pricers)) * self.workers
        seconds = min(self.pricing_seconds, max(0.05, share))
        lp_value, dual, mu = self.master.solve()
        complete = len(employees) == len(self.pricers)
        alpha = self.smoothing if complete and self.centre is not None else 0.0
        if alpha > 0.0 and self.centre is not None:
            centre = self.centre
            smooth = {c: alpha * centre.get(c, 0.0) + (1.0 - alpha) * v for c, v in dual.items()}
            added, smoothed, worked = self._price(employees, smooth, dual, mu, seconds)
            if self.adaptive:
                self.smoothing = self._adapted(alpha, smooth, dual, centre, worked)
            if smoothed > self.best_bound:
                self.best_bound, self.centre = smoothed, smooth
            if added:
                return lp_value, added, smoothed
        added, lagrange, worked = self._price(employees, dual, dual, mu, seconds)
        if not complete:
            return lp_value, added, None
        if self.adaptive and alpha == 0.0 and self.centre is not None:
            self.smoothing = self._adapted(0.0, dual, dual, self.centre, worked)
        if lagrange > self.best_bound:
            self.best_bound, self.centre = lagrange, dict(dual)
        return lp_value, added, lagrange


def integer_bound(bound: float) -> float:
    """The least integer objective a lower bound allows (objectives are integer); -inf stays -inf."""
    return float(math.ceil(bound - 1e-6)) if math.isfinite(bound) else bound


# Instance20 at 10 minutes, its LP phase smoothed: 240 s of rounds end 1.8-4.1 % above the bound as the machine's
# pace varies (LP 4,774 and 4,789). From 1.8 % its dive (whose rounds take the LP on to 4,769, the optimum) and the
# guided LNS gave 4,893; from 4.1 %, with no dive and an unguided LNS, 5,525. An LP 30 % above its bound (20's
# without smoothing) held a 160 s dive that locked 2 of 50 rows.
INFORMATIVE = 0.05


# An LP phase still unsolved at its share of the time goes on for this share of the time left. Instance20 at 10
# minutes ends its 240 s of rounds 1.8-9 % above its bound as the machine's pace varies: from 1.8 % the dive (its
# first step pricing everyone at the LP duals for up to 108 s) and the LNS guided by the LP gave 4,893; from 4.1 %
# and 9 %, with no dive and an unguided LNS, 5,525 and 5,550.
LP_EXTENSION = 0.5


def _extended(at: float, deadline: float) -> float:
    """The LP phase's end once it is extended at time ``at`` (:data:`LP_EXTENSION` of the time left then)."""
    return at + LP_EXTENSION * max(0.0, deadline - at)


# A dive needs the time of this many of the LP phase's rounds (pricing everyone), or it is not begun: Instance20's
# LP, solved after 328 s of 399 (10 minutes), left a dive of 70 s that locked 17 of 50 rows, and the LNS from its
# roster (17,846) ended at 6,482; solved after 301 s with no dive, the polish and LNS from the first roster: 5,964.
DIVE_ROUNDS = 30
# The same for a dive that takes steps back (long runs), per four weeks of the horizon: its steps lock rows of the
# whole horizon and price them again. At 10 minutes, Instance13 (LP solved with ~157 s left, 4.9 s a round) dived to
# 1,784 and Instance20 (154 s left, 3.3 s a round) to 5,089, where the LP-enforced search gave 1,457 and 4,772.
# Faster pricing later solved their LPs with time for 94 and 96 rounds. 20 (182 days: 325 rounds needed) dived
# to 4,823 / 4,904 at seeds 0 / 1 where the LP-enforced search gives 4,773 / 4,783; 13 (28 days) dives to 1,473 /
# 1,668 / 1,659 at seeds 0-2 where it gives 1,558 / 1,767 / 1,750. Instances 15 (42 days: 75 needed, time for
# 350-550) and 19 (84 days: 150 needed, time for ~204) dive and are within 1 % of their best known. At 60 s the 30
# rounds stay: Instances 10 and 12 would lose their dives (0.5-0.7 s a round, 22-28 s left), which prove them.
BACKTRACK_DIVE_ROUNDS = 50


# A long run's LP phase is judged after this many rounds: when the time it has left (its share and the extension)
# holds, at the pace of its last round, fewer than LP_ROUNDS_NEEDED rounds in all, it ends there and the LNS gets
# the time. Instance21 at 10 minutes (100 employees, 182 days, rounds of 6 s growing to 14 s): 34 rounds in 333 s
# left its LP 14 % above its bound, too far to dive from or to guide the LNS, which from the first roster ended at
# 28,556 in the 267 s left; with 40 s of column generation, the LNS alone gave 23,701. At round 5 Instance21
# projects 41-56 rounds (its rounds take 5-7 s, and grow), Instances 13 and 20 (LPs solved in 42 and ~60 rounds)
# ~220; 1-12 at 60 s (short runs, never judged) solve theirs in at most 33. Judged at round 10, 21 gave its LP
# phase ~30 s more for nothing. On a faster machine (rounds of 3.6 s growing to 14 s) 21 projected 82 rounds and
# went on with 80 needed: 43 rounds in 334 s left its LP 5 % above its bound and the run ended at 27,079 (21,726-
# 22,056 when cut); 13 and 20 projected 278 and 316 there. 130 lies as far from 21's 82 as from 13's and 20's
# ~220 on the slower machine.
PACE_ROUNDS = 5
LP_ROUNDS_NEEDED = 130


def projected_rounds(rounds: int, last_round: float, seconds_left: float) -> float:
    """The rounds an LP phase ``rounds`` rounds in would have in all at the pace of its last round
    (``last_round`` seconds) with ``seconds_left`` to its end."""
    return rounds + seconds_left / max(last_round, 1e-6)


def lp_out_of_reach(rounds: int, last_round: float, seconds_left: float) -> bool:
    """Whether an LP phase ``rounds`` rounds in, its last round ``last_round`` seconds long and ``seconds_left`` to
    its end, should stop: judged once, at :data:`PACE_ROUNDS`, against :data:`LP_ROUNDS_NEEDED`."""
    return rounds == PACE_ROUNDS and projected_rounds(rounds, last_round, seconds_left) < LP_ROUNDS_NEEDED


def dive_rounds(horizon: int, backtrack: bool) -> float:
    """The LP phase's rounds a dive needs time for: :data:`DIVE_ROUNDS`, or with take-backs
    :data:`BACKTRACK_DIVE_ROUNDS` per four weeks of ``horizon`` (at least that many)."""
    return BACKTRACK_DIVE_ROUNDS * max(1.0, horizon / 28) if backtrack else DIVE_ROUNDS


def lp_is_informative(converged: bool, lp_value: float | None, bound: float) -> bool:
    """Whether column generation's LP solution is worth diving from and guiding the LNS by: solved, or within
    :data:`INFORMATIVE` of its Lagrangian bound (where the LP stops with no bound or far from it, its solution is
    mostly the first roster)."""
    if converged:
        return True
    if lp_value is None or not math.isfinite(bound):
        return False
    return lp_value - bound <= INFORMATIVE * max(1.0, abs(lp_value))


def objective_of(instance: Instance, columns: Sequence[Column]) -> int:
    return sum(c.cost for c in columns) + cover_penalty(instance, columns)


def cell_weights(master: Master, values: Sequence[float] | None = None) -> dict[tuple[int, int, int], float]:
    """The LP solution (``values``, by default the current one) per (employee, day, shift): the summed weight
    of the rows working it."""
    out: dict[tuple[int, int, int], float] = {}
    for col, v in zip(master.columns, master.values() if values is None else values, strict=True):
        if v > 1e-9:
            for d, s in col.cells:
                out[col.employee, d, s] = out.get((col.employee, d, s), 0.0) + v
    return out


def _lp_weights(master: Master, fixed: Sequence[set[Cell]], cells: bool
                ) -> tuple[dict[int, tuple[float, int]], dict[tuple[int, int, int], float], dict[int, set[Cell]]]:
    """From the LP solution: per employee its heaviest row (weight, index) and the cells of its positive rows
    not fixed yet; with ``cells``, also the LP weight of each (employee, day, shift)."""
    values = master.values()
    open_cells: dict[int, set[Cell]] = {}
    for col, v in zip(master.columns, values, strict=True):
        if v > 1e-9:
            open_cells.setdefault(col.employee, set()).update(c for c in col.cells if c not in fixed[col.employee])
    return _heaviest(master, values), cell_weights(master, values) if cells else {}, open_cells


def _heaviest(master: Master, values: Sequence[float]) -> dict[int, tuple[float, int]]:
    """Per employee with a positive row in the LP solution ``values``: its heaviest row (weight, index)."""
    heaviest: dict[int, tuple[float, int]] = {}
    for i, (col, v) in enumerate(zip(master.columns, values, strict=True)):
        if v > 1e-9 and v > heaviest.get(col.employee, (-1.0, -1))[0]:
            heaviest[col.employee] = (v, i)
    return heaviest


def heaviest_rows(master: Master, values: Sequence[float] | None = None) -> list[Column]:
    """Each employee's heaviest row in the LP solution (``values``, by default the current one): a roster whenever
    every employee has one."""
    return _heaviest_rows(master, _heaviest(master, master.values() if values is None else values))


def _heaviest_rows(master: Master, heaviest: Mapping[int, tuple[float, int]]) -> list[Column]:
    """Each employee's heaviest row in the LP solution (``heaviest``: employee -> (weight, row index))."""
    return [master.columns[i] for _, i in heaviest.values()]


def _finish(gen: Generator, heaviest: Mapping[int, tuple[float, int]], unlocked: Collection[int], seconds: float
            ) -> list[Column]:
    """Each employee's heaviest row, or -- when better -- the locked employees' rows completed by a sequential
    construction over the ``unlocked`` ones (surest first), which sees the cover the locked rows serve. The
    construction is abandoned when it needs more than twice its ``seconds`` (first rows on long horizons can
    take seconds each)."""
    master = gen.master
    instance = master.instance
    by_weight = _heaviest_rows(master, heaviest)
    kept = [master.columns[i] for e, (_, i) in heaviest.items() if e not in unlocked]
    rest = sorted(unlocked, key=lambda e: -heaviest[e][0])
    now = time.perf_counter()
    try:
        completed = kept + sequential_roster(instance, [gen.pricers[e] for e in rest], now + seconds, gen.seed,
                                             kept, give_up=now + 2 * seconds)
    except TimeoutError:
        return by_weight
    return min(by_weight, completed, key=lambda cols: objective_of(instance, cols))


def _complete(gen: Generator, heaviest: Mapping[int, tuple[float, int]], unlocked: list[int], complete: Complete,
              deadline: float, note: Callable[[str], object] | None, seconds: float) -> list[Column]:
    """The ``unlocked`` employees' rows re-chosen by ``complete``, starting from every employee's heaviest row, or
    :func:`_finish`'s roster (given ``seconds``) when that is better than what ``complete`` finds.

    The heaviest rows carry the LP's shape, and CP-SAT completes far better from them than from the sequential
    construction, though that costs less as a roster: the same sub-problem, the same time (two cores): Instance13,
    28 of 120 employees unlocked, 20 s: 1,954 from the heaviest rows (7,513) against 2,873 from the sequential
    roster (4,547; 2,585 in 30 s); Instance12, 11 of 60, 6 s: 4,252 from the heaviest rows (6,893), 20 s from the
    sequential roster (5,785) 4,347."""
    instance = gen.master.instance
    fallback = _finish(gen, heaviest, set(unlocked), seconds)
    free = {(e, d) for e in unlocked for d in range(instance.horizon)}
    rows, start, found = _completed(gen, complete, _heaviest_rows(gen.master, heaviest), free, deadline)
    if note is not None:
        note(f"dive completed {len(unlocked)} employees: {start} -> {found}")
    return min(rows, fallback, key=lambda cols: objective_of(instance, cols))


def _completed(gen: Generator, complete: Complete, cols: list[Column], free: set[EmployeeDay], deadline: float
               ) -> tuple[list[Column], int, int | None]:
    """``complete`` run from the roster ``cols`` with the (employee, day) cells ``free`` set free: the better of
    the two rosters, the objective of ``cols`` and what ``complete`` found (None when nothing)."""
    instance = gen.master.instance
    start = objective_of(instance, cols)
    done = complete(to_roster(instance, cols), free, start, deadline)
    if done is None or done[1] >= start:
        return cols, start, None if done is None else done[1]
    return roster_columns(instance, done[0], gen.pricers), start, done[1]


# The LP decides an (employee, day) when one choice -- a shift or the day off -- carries this much of its weight.
DECIDED = 0.99
# Share of column generation's time left that the LP-enforced search gets (:func:`lp_enforced`).
ENFORCED_SHARE = 0.25


def lp_enforced(gen: Generator, weights: Mapping[tuple[int, int, int], float], complete: Complete, deadline: float,
                note: Callable[[str], object] | None) -> list[Column]:
    """A roster that keeps what the LP has decided: each employee's heaviest row, with the cells where that
    row's choice has less than :data:`DECIDED` of the LP weight (``weights``, :func:`cell_weights` of the current
    solution) chosen again by ``complete`` -- relaxation enforced neighbourhood search (RENS; Berthold, Math.
    Prog. Comp. 2014). Every cell the LP decides lies in the heaviest row, which is feasible, so ``complete``
    always has a start. On Instance20, whose LP (4,769, its optimum) leaves 4,218 of 9,100 cells undecided, 30 s
    of it gave 6,692 and the LNS guided by the LP went on from there to 4,777 in 210 s, where it had gone from the
    first roster (16,361) to 7,621 in 98 s."""
    master = gen.master
    cols = heaviest_rows(master)
    agreement = lp_agreement(master.instance, to_roster(master.instance, cols), weights)
    free = {cell for cell, w in agreement.items() if w < DECIDED}
    rows, start, found = _completed(gen, complete, cols, free, deadline)
    if note is not None:
        note(f"lp enforced: {len(free)} cells undecided, {start} -> {found}")
    return rows


# The polish goes on in the tree's place when it took more than this share off the dive's roster and left it more
# than this share above the bound. Instance12 at 60 s: the dive's rosters (4759-8787) polished to 4443-5856, a
# tree of 1-4 nodes in 2-3 s, then the LNS: 4041-4246, none proven in six runs; polishing on instead: proven in
# 2 of 8 runs, median 4047 (was 4095). Rosters within this share of the bound (Instances 5 and 7) or a polish
# that found next to nothing (Instance8's 1407) leave the time to the tree, which proves the small instances
# (Instance1: LP 558, optimum 607) -- the gap alone does not tell which helps.
POLISH_PAYS = 0.01


def _polish_pays(before: int, after: int, bound: float) -> bool:
    """Whether a polish that took ``before`` to ``after`` should go on rather than leave the time to the tree:
    it took off more than :data:`POLISH_PAYS` of the roster, which is still that much above ``bound``."""
    return before - after > POLISH_PAYS * before and after - integer_bound(bound) > POLISH_PAYS * after


# At most this many lock steps are taken back in one dive (each costs a step's time): Instance13 took back 2-5;
# on Instance15's fractional LP rises are frequent, and without a limit its 10-minute run ended at 3936, not 3848
TAKE_BACKS = 6
# Once they are spent, a step after which the LP rises is released and its employees, with those still unlocked,
# go to the completion -- when they are no more than this share of the staff. Instance15 at 10 minutes: steps past
# the sixth take-back raised the LP from 3,855 to 3,964 and the dive's roster was 4,248 (3,939 at the end; 4,355
# and 3,936 in another run); releasing, the completion of 9 and of 5 employees gave 4,668 and 3,960 (3,859 and
# 3,938 at the end).
RELEASE_SHARE = 0.25


@dataclass
class _Step:
    """A dive's lock step, kept so that it can be undone: the LP value before it, the rows it locked
    (employee -> row index, heaviest first) and the rows it took out of the master."""

    lp: float
    rows: dict[int, int]
    excluded: list[int]


def _lock(master: Master, locked: dict[int, int], rows: Mapping[int, int], lp: float) -> _Step:
    """Each employee of ``rows`` keeps exactly that row: its other rows leave the master."""
    locked.update(rows)
    excluded = [i for i, col in enumerate(master.columns)
                if col.employee in rows and rows[col.employee] != i and master.upper[i] > 0]
    for i in excluded:
        master.exclude(i)
    return _Step(lp, dict(rows), excluded)


def _release(master: Master, locked: dict[int, int], step: _Step) -> None:
    """Take back ``step``: its employees are unlocked and the rows it took out of the master return."""
    for e in step.rows:
        del locked[e]
    for i in step.excluded:
        master.allow(i, True)


def _undo(master: Master, locked: dict[int, int], step: _Step) -> _Step | None:
    """Take back ``step``; lock the heavier half of its rows instead (returned as the step now taken), or, when it
    locked a single row, ban that row for good (None: nothing to take back)."""
    _release(master, locked, step)
    if len(step.rows) == 1:
        master.exclude(next(iter(step.rows.values())))
        return None
    half = dict(itertools.islice(step.rows.items(), len(step.rows) // 2))
    return _lock(master, locked, half, step.lp)


def _rises(lp_value: float, before: float) -> bool:
    """Whether a lock step raised the LP's integer ceiling by more than 0.2 %: its last locks made the rest
    dearer, and another choice may not."""
    return integer_bound(lp_value) > integer_bound(before) + 0.002 * abs(before)


def dive(gen: Generator, deadline: float, rounds_per_step: int = 30, share: float = 0.0, cells: bool = False,
         note: Callable[[str], object] | None = None, complete: Complete | None = None,
         complete_share: float = 0.2, backtrack: bool = False, floor: float = -math.inf) -> list[Column]:
    """Depth-first dive: fix what the LP is surest of, price again until the LP is solved, until it is integral.

    By rows (default): employees whose heaviest row weighs 0.9 or more keep that row; when there are none, the
    ``share`` of the staff (at least one) with the heaviest rows do -- or more, when the steps timed so far
    say that the dive would not otherwise end by the deadline. By cells (``cells=True``): per employee,
    the cells of its heaviest row whose LP weight (summed over the employee's rows) is 0.99 or more are fixed;
    when there are none, the heaviest fractional cell of ``share`` of the staff. Every cell fixed for an
    employee lies in one row that respects the earlier fixings, so the employee always keeps a feasible row;
    rows that contradict a fixing leave the master, and the pricers work the fixed cells from then on. At the
    deadline the locked rows are completed (:func:`_finish`), so a dive always returns a roster.

    With ``complete``, once no more than ``complete_share`` of the staff is unlocked, those employees are left
    to it (CP-SAT on the full model, the locked rows fixed, for a quarter of the time left) instead of further
    steps: the last locks of a dive are where its LP jumps (Instance13: 1350 with 101 of 120 rows locked, 2874
    with 119).

    With ``backtrack`` (rows only), a lock step after which the LP rises (:func:`_rises`) is undone and half its
    rows are locked instead, :data:`TAKE_BACKS` times at most; a single row that makes the LP rise is banned.
    The rows locked per step then adapt: half as many after a step undone, half as many again after one kept.
    With ``complete`` too, the steps stop at 90 % of the time and the employees still unlocked are left to
    ``complete``; and a rise once the take-backs are spent releases the step's rows and leaves them, with the
    employees still unlocked, to ``complete`` when they are no more than :data:`RELEASE_SHARE` of the staff.

    A step prices only while the LP's ceiling is above ``floor`` (the least objective any roster can have): an
    LP at its floor cannot fall further, and Instance13's (1,348, its optimum) stays there for most of the dive.
    Rounds that price every employee (by rows, before the first lock) raise the floor by their Lagrangian bound.
    """
    master, pricers = gen.master, gen.pricers
    n_staff = len(pricers)
    finish_seconds = max(1.0, 0.05 * (deadline - time.perf_counter()))
    fixed: list[set[Cell]] = [set() for _ in range(n_staff)]
    locked: dict[int, int] = {}  # employee -> the one row it keeps
    everyone = list(range(n_staff))
    step_seconds = 0.0  # longest step so far
    last: _Step | None = None  # the step to take back when the LP rises after it
    size = 2  # rows per lock step when backtracking
    taken_back = 0
    final = deadline
    if backtrack and complete is not None:
        deadline = time.perf_counter() + 0.9 * (deadline - time.perf_counter())
    master.warm(True)
    try:
        while True:
            step_start = time.perf_counter()
            priced = [e for e in everyone if e not in locked]
            for _ in range(rounds_per_step):
                if time.perf_counter() >= deadline or integer_bound(master.solve()[0]) <= floor:
                    break
                _, added, lagrange = gen.round(priced, deadline)
                if lagrange is not None and not cells:  # nothing locked, no cell fixed: a bound on any roster
                    floor = max(floor, integer_bound(lagrange))
                if added == 0 or time.perf_counter() >= deadline:
                    break
            lp_value, _, _ = master.solve()
            released = False
            if last is not None and _rises(lp_value, last.lp) and time.perf_counter() < deadline:
                if taken_back < TAKE_BACKS:
                    taken_back += 1
                    if note is not None:
                        note(f"dive lp {lp_value:.2f} after {len(last.rows)} locks: taken back")
                    size = max(1, len(last.rows) // 2)
                    last = _undo(master, locked, last)
                    continue
                # no take-back left: the step's rows go back, and CP-SAT chooses them with the employees unlocked
                freed = n_staff - len(locked) + len(last.rows)  # unlocked once the step is released
                released = complete is not None and freed <= RELEASE_SHARE * n_staff
                if released:
                    if note is not None:
                        note(f"dive lp {lp_value:.2f} after {len(last.rows)} locks: released")
                    _release(master, locked, last)
                    master.solve()
            heaviest, weight, open_cells = _lp_weights(master, fixed, cells)
            if all(v >= 1.0 - 1e-6 for v, _ in heaviest.values()):
                return _heaviest_rows(master, heaviest)
            unlocked = [e for e in everyone if e not in locked]
            if complete is not None and (released or len(unlocked) <= complete_share * n_staff):
                # a quarter of the time left: it seldom proves its sub-problem, and branch and price (on
                # Instances 10-12) needs the rest (with the whole time, Instance11's proof took 43 s, not 13 s)
                now = time.perf_counter()
                until = min(deadline, now + max(2.0, 0.25 * (deadline - now)))
                return _complete(gen, heaviest, unlocked, complete, until, note, finish_seconds)
            if time.perf_counter() >= deadline:
                if backtrack and complete is not None:
                    return _complete(gen, heaviest, unlocked, complete, final, note, finish_seconds)
                return _finish(gen, heaviest, set(unlocked), finish_seconds)
            candidates: list[tuple[float, int, Cell]] = []
            lock: list[int] = []
            for e, (v, _) in heaviest.items():
                if e in locked:
                    continue
                if v >= 0.99 or not open_cells.get(e):
                    lock.append(e)
                elif cells:
                    candidates += [(weight[(e, *cell)], e, cell) for cell in open_cells[e]]
            # a cell in 99 % of an employee's LP weight is in its heaviest row (whose weight is over 1 %)
            chosen = [(e, cell) for w, e, cell in candidates if w >= 0.99]
            if not cells and not lock:  # rows, not cells: lock the employees whose heaviest rows weigh most
                ranked = sorted((e for e in heaviest if e not in locked), key=lambda e: -heaviest[e][0])
                step_seconds = max(step_seconds, time.perf_counter() - step_start)
                steps_left = max(1.0, (deadline - time.perf_counter()) / max(step_seconds, 1e-3))
                count = max(1, math.ceil(share * n_staff), math.ceil(len(ranked) / steps_left))
                if backtrack:
                    count, size = size, math.ceil(1.5 * size)
                lock = [e for e in ranked if heaviest[e][0] >= 0.9] or ranked[:count]
            if cells and not chosen and not lock:
                candidates.sort(key=lambda c: -c[0])
                picked: set[int] = set()
                for _, e, cell in candidates:
                    if e not in picked:
                        picked.add(e)
                        chosen.append((e, cell))
                    if len(picked) >= max(1, math.ceil(share * n_staff)):
                        break
            lock.sort(key=lambda e: -heaviest[e][0])
            # each locked employee keeps exactly its heaviest row
            last = _lock(master, locked, {e: heaviest[e][1] for e in lock}, lp_value)
            if cells or not backtrack:
                last = None
            for e, cell in chosen:
                fixed[e].add(cell)
                pricers[e].fix(cell)
            for i, col in enumerate(master.columns if chosen else ()):
                if not fixed[col.employee].issubset(col.cells):
                    master.exclude(i)
            if note is not None:
                note(f"dive lp {lp_value:.2f} fixed {sum(len(f) for f in fixed)} cells, {len(locked)} rows")
    finally:
        master.warm(False)
        master.unfix_all()
        for p in pricers:
            p.unfix_all()


def column_generation(
    instance: Instance,
    deadline: float,
    seed: int = 0,
    workers: int = 2,
    incumbent: Mapping[str, Sequence[str | None]] | None = None,
    progress: Callable[[str], object] | None = None,
    pricing_seconds: float = 2.0,
    lp_share: float = 0.6,
    smoothing: float = 0.0,
    adaptive: bool = False,
    programme: bool = True,
    dive_share: float = 1.0,
    polish: Polish | None = None,
    polish_share: float = 0.2,
    complete: Complete | None = None,
    backtrack: bool = False,
    judge_pace: bool = False,
) -> ColgenResult:
    """Generate rows until the LP is solved (or ``lp_share`` of the time, then :data:`LP_EXTENSION` of the time
    left), then dive for a roster (or, with no time for a dive and with ``complete``, keep what the LP decided
    and let ``complete`` choose the rest: :func:`lp_enforced`, for :data:`ENFORCED_SHARE` of the time left).

    With ``adaptive`` the LP phase smooths its duals, the factor starting at ``smoothing`` and set each round by
    the subgradient (see :class:`Generator`); branch and price and the dive price at the LP duals. From 0 it
    barely smooths Instance13's heading-in (LP solved in 49 rounds, 205 s; 54 rounds, 212 s without) and takes
    Instance20's LP in 240 s to 4,777 with bound 4,672 (5,056 and 3,559 without; fixed 0.8: 4,785 and 4,652).

    ``complete`` finishes the dive's last employees, and ``backtrack`` lets the dive take back lock steps (see
    :func:`dive`). With ``judge_pace`` (long runs) an LP phase that cannot be solved in its time ends early
    (:func:`lp_out_of_reach`), its roster the first one, and the result says so (``lp_cut``).

    With exact pricing and time left after the dive, ``polish`` (when given) improves the roster
    for ``polish_share`` of that time, and branch and price uses the rest, pruning against the polished roster
    (branch and price both finds rosters and proves them: with half the time for the polish, Instances 5 and 7
    stayed at 1146 and 1060 with their optimum as bound at 60 s; with a fifth, both are proven). A polish that
    still pays (:func:`_polish_pays`) goes on until the deadline, and no tree follows it.

    Returns the best roster found (the sequential construction, the incumbent given, the dive's or the
    LP-enforced one, the polished one or branch and price's) and a valid lower bound (the best Lagrangian bound
    of the rounds that priced every employee, or branch and price's least open bound).
    """
    t0 = time.perf_counter()
    say = progress or (lambda _m: None)
    log: list[str] = []

    def note(message: str) -> None:
        line = f"{time.perf_counter() - t0:7.1f}s {message}"
        log.append(line)
        say(line)

    pricers = [Pricer(instance, e, programme) for e in range(len(instance.staff))]
    master = Master(instance)
    if incumbent is not None:
        best_cols = roster_columns(instance, incumbent, pricers)
    else:
        best_cols = sequential_roster(instance, pricers, t0 + 0.3 * max(0.0, deadline - t0), seed)
    for col in best_cols:
        master.add(col)
    best_obj = objective_of(instance, best_cols)
    note(f"first roster {best_obj}")
    bound = -math.inf
    lp_value: float | None = None
    converged = False
    lp_start = time.perf_counter()
    lp_deadline = lp_start + lp_share * max(0.0, deadline - lp_start)
    everyone = list(range(len(pricers)))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        gen = Generator(instance, master, pricers, pool, max(1, workers), seed, smoothing, pricing_seconds,
                        adaptive, ROWS_PER_PRICING)
        for c in best_cols:
            gen.last_rows[c.employee] = c.cells
        # with no employee priced exactly (the 364-day instances) the rounds bring neither a bound nor rows that
        # beat the first roster (Instance22: 50 s for 88,964 -> 88,875); the LNS does more with the time
        extended = False
        # the primal simplex from the last basis after rows are added: Instance20's LP phase 194 s -> 174 s
        # (its master 84 s -> 74 s), Instance13's 113 s -> 108 s (master 39 s -> 31 s)
        master.warm(True)
        lp_cut = False
        while any(p.exact for p in pricers) and time.perf_counter() < lp_deadline:
            round_start = time.perf_counter()
            lp_value, added, lagrange = gen.round(everyone, lp_deadline)
            if lagrange is not None:
                bound = max(bound, lagrange)
            note(f"round {gen.rounds} lp {lp_value:.2f} bound {bound:.2f} rows +{added} = {len(master.columns)}")
            if added == 0 and lagrange is not None and lagrange >= lp_value - 1e-6:
                converged = True
                bound = max(bound, lp_value)
                break
            if integer_bound(bound) >= integer_bound(lp_value):
                converged = True  # the objective is integer: no further round can raise the bound's ceiling
                break
            if best_obj <= integer_bound(bound) or added == 0:  # no row: the same duals would find none again
                break
            now = time.perf_counter()
            lp_end = lp_deadline if extended else _extended(lp_deadline, deadline)
            if judge_pace and gen.rounds == PACE_ROUNDS:
                last, left = now - round_start, lp_end - now
                note(f"pace: {projected_rounds(gen.rounds, last, left):.0f} rounds in time")
                if lp_out_of_reach(gen.rounds, last, left):
                    lp_cut = True
                    note(f"lp phase ends: {last:.1f} s a round leaves too few rounds")
                    break
            if not extended and now >= lp_deadline:
                extended = True
                lp_deadline = _extended(now, deadline)
        round_seconds = (time.perf_counter() - lp_start) / max(1, gen.rounds)
        exact = converged and all(p.exact for p in pricers)
        gen.smoothing, gen.adaptive = 0.0, False  # the tree's nodes start near their optimum: no smoothing
        gen.rows_per_pricing = 1  # the dive's and the tree's masters are re-solved often: no rows to spare
        master.solve()  # rows added in the last round have no LP value yet
        lp_cells = cell_weights(master)
        # no dive from an LP no better than the incumbent, nor where no row was priced exactly (Instance22: 35 s
        # of 180 for 88,875 -> 88,875), nor from an LP still far from its bound: Instance20's, after 240 s of
        # rounds at 10 minutes (LP 5,068, bound 3,524), held a 160 s dive that locked 2 of 50 rows; nor with time
        # for fewer than DIVE_ROUNDS (BACKTRACK_DIVE_ROUNDS per four weeks) of the LP phase's rounds (then, with
        # ``complete``, the LP-enforced search)
        guiding = best_obj > integer_bound(bound) and lp_value is not None and lp_value < best_obj - 1e-6 \
            and any(p.exact for p in pricers) and lp_is_informative(converged, lp_value, bound)
        if guiding and deadline - time.perf_counter() > dive_rounds(instance.horizon, backtrack) * round_seconds:
            # the dive ends once its LP is integral; with exact pricing, the polish and the tree get what it leaves
            share = dive_share if exact else 1.0
            dived = dive(gen, time.perf_counter() + share * (deadline - time.perf_counter()), note=note,
                         complete=complete, backtrack=backtrack, complete_share=0.05 if backtrack else 0.2,
                         floor=integer_bound(bound))
            # rounds of the dive that priced everyone before its first lock bound any roster (Instance20's LP
            # phase ends 2-4 % above its bound at 10 minutes, and those rounds go on towards it); read here,
            # before the tree's nodes price with fixings
            bound = max(bound, gen.best_bound)
            value = objective_of(instance, dived)
            note(f"dive roster {value} bound {bound:.2f}")
            if value < best_obj:
                best_cols, best_obj = dived, value
        elif guiding and complete is not None and time.perf_counter() < deadline:
            # no time for a dive: CP-SAT keeps what the LP decided and chooses the rest
            until = time.perf_counter() + ENFORCED_SHARE * (deadline - time.perf_counter())
            enforced = lp_enforced(gen, lp_cells, complete, until, note)  # the LP solved just above
            value = objective_of(instance, enforced)
            if value < best_obj:
                best_cols, best_obj = enforced, value
        branch = exact  # branch and price after the polish
        if exact and polish is not None and best_obj > integer_bound(bound) and time.perf_counter() < deadline:
            until = time.perf_counter() + polish_share * (deadline - time.perf_counter())
            floor = integer_bound(bound)
            roster, value = polish(to_roster(instance, best_cols), best_obj, lp_cells, floor, until)
            note(f"polished roster {value}")
            if _polish_pays(best_obj, value, bound) and time.perf_counter() < deadline:
                # the polish stops a moment before the deadline; a tree started then overran it by 1.5-3 s
                branch = False
                roster, value = polish(roster, value, lp_cells, floor, deadline)
                note(f"polished again {value}")
            if value < best_obj:
                best_cols, best_obj = roster_columns(instance, roster, pricers), value
                for col in best_cols:
                    master.add(col)
        if branch and best_obj > integer_bound(bound) and time.perf_counter() < deadline:
            from staffplan.roster.shifts.branch import branch_and_price  # branch builds on this module

            tree = branch_and_price(gen, best_cols, deadline, note=note)
            bound = max(bound, tree.bound)
            if tree.objective < best_obj:
                best_cols, best_obj = tree.columns, tree.objective
    return ColgenResult(
        roster=to_roster(instance, best_cols),
        objective=best_obj,
        bound=bound,
        lp_value=lp_value,
        converged=converged,
        iterations=gen.rounds,
        columns=len(master.columns),
        log=log,
        lp_cells=lp_cells,
        lp_cut=lp_cut,
    )
