"""CP-SAT model of the shift-rostering rules (Curtois & Qu benchmark semantics).

Variables: ``x[e,d,s]`` is 1 when employee ``e`` works shift ``s`` on day ``d``. Variables are created only where
they can be 1 (not on a fixed day off, not for a shift type whose per-employee limit is 0), ``work[e,d]`` is the
day's at-most-one sum as its own literal, and everything else is written over those literals:

* one shift per day ................ ``work[e,d] == sum_s x[e,d,s]`` (an exactly-one with the off literal)
* forbidden successions ............ ``AtMostOne(x[e,d,s1], x[e,d+1,s2] for s2 in CannotFollow(s1))``
* max shifts per type, min/max minutes  linear constraints
* max consecutive shifts ``k`` ..... every window of ``k+1`` days holds a day off (sliding-window sums)
* min consecutive shifts / days off  forbidden patterns ``off, work^j, off`` (resp. ``work, off^j, work``) for
  ``j < min`` inside the horizon, one clause each; runs touching the border are exempt (benchmark reading)
* max weekends ..................... ``weekend[e,w] >= work[e,sat], work[e,sun]``, ``sum_w weekend[e,w] <= max``

Objective (exactly the benchmark total): on-request weight when not assigned, off-request weight when assigned,
``under * max(0, req - n) + over * max(0, n - req)`` per (day, shift) cover row, via ``n + u - o == req``
with ``u`` and ``o`` never both positive (so any feasible solution's objective is exactly its penalty).
A greedy roster is passed as a solution hint. :func:`solve` combines this model with column generation
(:mod:`staffplan.roster.shifts.colgen`) for a lower bound and a first roster, and with a roster-aware LNS.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from ortools.sat.python import cp_model

from staffplan.roster.shifts.fixing import FixedModel
from staffplan.roster.shifts.instance import Instance

_DEBUG = bool(__import__("os").environ.get("STAFFPLAN_LNS_DEBUG"))
Key = tuple[int, int, int]  # (employee index, day, shift index)


# Full-model CP-SAT: with 2 workers the default portfolio's full worker is "default_lp" (linearization level 1),
# whose bound hardly moves on these instances; "max_lp" (level 2, clauses in the LP) gives real bounds, and the
# second worker runs the interleaved LNS/feasibility-jump portfolio.
DEFAULT_EXTRA_PARAMETERS: Mapping[str, Any] = {"subsolvers": ["max_lp"]}


@dataclass(frozen=True)
class SolveOptions:
    num_workers: int = 2
    random_seed: int = 0
    max_time_in_seconds: float = 60.0
    use_hint: bool = True
    log_search_progress: bool = False
    # "colgen": CP-SAT, column generation (bound and dive), roster LNS, CP-SAT; "lns": the same without column
    # generation; "cpsat": CP-SAT alone
    strategy: str = "colgen"
    phase1_share: float = 0.05  # share of the time for the first full CP-SAT run (proves small instances)
    colgen_share: float = 0.7  # share of the time after phase 1 given to column generation and its dive
    lns_share: float = 0.8  # share of the time after the first solution given to the roster LNS
    # from this time limit on, the dive takes back lock steps that raise its LP (Instance13 at 600 s); with less,
    # the steps it costs are missed (Instance12 at 60 s); and an LP phase too slow to be solved in time is cut
    backtrack_from: float = 300.0
    extra_parameters: Mapping[str, Any] = field(default_factory=dict)  # any other SatParameters field


@dataclass
class RosterModel:
    instance: Instance
    model: cp_model.CpModel
    x: dict[Key, cp_model.IntVar]
    work: dict[tuple[int, int], cp_model.IntVar]
    under: dict[tuple[int, int], cp_model.IntVar]
    over: dict[tuple[int, int], cp_model.IntVar]
    hint: dict[str, list[str | None]] | None = None

    @cached_property
    def cell_variables(self) -> list[tuple[int, int, int, int]]:
        """(employee, day, variable index, shift index) of every shift variable, then (employee, day, variable
        index, -1) of every day's work variable."""
        out = [(e, d, v.index, s) for (e, d, s), v in self.x.items()]
        return out + [(e, d, w.index, -1) for (e, d), w in self.work.items()]


@dataclass(frozen=True)
class SolveResult:
    instance: str
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID
    objective: int | None
    bound: float | None
    roster: dict[str, list[str | None]] | None
    wall_seconds: float
    build_seconds: float
    parameters: str = ""

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and best bound (0 when proven optimal)."""
        if self.objective is None or self.bound is None:
            return None
        return (self.objective - self.bound) / max(1.0, abs(self.objective))


def _allowed(instance: Instance) -> list[list[list[bool]]]:
    """allowed[e][d][s]: the variable exists (not a fixed day off, per-type limit > 0)."""
    out: list[list[list[bool]]] = []
    for emp in instance.staff:
        off = instance.days_off.get(emp.id, frozenset())
        row = [[d not in off and emp.max_shifts[s.id] > 0 for s in instance.shifts] for d in range(instance.horizon)]
        out.append(row)
    return out


def greedy_roster(instance: Instance) -> dict[str, list[str | None]]:
    """Day-by-day greedy: fill each cover row with the best-scoring employees that keep the hard rules so far.

    Only a hint for the solver: it respects succession, per-type, max-minutes, max-consecutive, weekend, day-off
    and (mostly) min-days-off rules, tries to honour minimum run lengths, and ignores minimum minutes.
    """
    horizon = instance.horizon
    shifts = instance.shifts
    n_staff = len(instance.staff)
    allowed = _allowed(instance)
    follow_ban = {s.id: set(s.cannot_follow) for s in shifts}
    cover = {(c.day, c.shift): c.requirement for c in instance.cover}
    req_score: dict[tuple[int, int, str], int] = {}
    for r in instance.on_requests:
        key = (instance.staff_index(r.employee), r.day, r.shift)
        req_score[key] = req_score.get(key, 0) + r.weight
    for r in instance.off_requests:
        key = (instance.staff_index(r.employee), r.day, r.shift)
        req_score[key] = req_score.get(key, 0) - r.weight
    rows: list[list[str | None]] = [[None] * horizon for _ in range(n_staff)]
    minutes = [0] * n_staff
    counts = [dict.fromkeys(instance.shift_ids, 0) for _ in range(n_staff)]
    weekends: list[set[int]] = [set() for _ in range(n_staff)]
    run = [0] * n_staff  # current working run length (0 when off yesterday)
    off_run = [horizon] * n_staff  # current off run length; large = started at the border

    def can_work(e: int, d: int, si: int) -> bool:
        emp = instance.staff[e]
        sid = shifts[si].id
        if not allowed[e][d][si] or counts[e][sid] >= emp.max_shifts[sid]:
            return False
        if minutes[e] + shifts[si].length > emp.max_total_minutes or run[e] >= emp.max_consecutive_shifts:
            return False
        prev = rows[e][d - 1] if d > 0 else None
        if prev is not None and sid in follow_ban[prev]:
            return False
        if run[e] == 0 and 0 < off_run[e] < emp.min_consecutive_days_off:
            return False
        week = d // 7
        return not (d % 7 >= 5 and week not in weekends[e] and len(weekends[e]) >= emp.max_weekends)

    for d in range(horizon):
        assigned = [False] * n_staff
        order = sorted(range(len(shifts)), key=lambda si: -cover.get((d, shifts[si].id), 0))
        for si in order:
            need = cover.get((d, shifts[si].id), 0)
            cands = [e for e in range(n_staff) if not assigned[e] and can_work(e, d, si)]

            def score(e: int, si: int = si, d: int = d) -> tuple[int, int, float]:
                emp = instance.staff[e]
                must = 1 if 0 < run[e] < emp.min_consecutive_shifts else 0
                deficit = (emp.min_total_minutes - minutes[e]) / max(1, horizon - d)
                return (must, req_score.get((e, d, shifts[si].id), 0), deficit)

            cands.sort(key=score, reverse=True)
            for e in cands[:need]:
                assigned[e] = True
                rows[e][d] = shifts[si].id
        # keep minimum working runs alive where possible (over-cover costs little compared with infeasibility)
        for e in range(n_staff):
            emp = instance.staff[e]
            if not assigned[e] and 0 < run[e] < emp.min_consecutive_shifts:
                for si in order:
                    if can_work(e, d, si):
                        assigned[e] = True
                        rows[e][d] = shifts[si].id
                        break
        for e in range(n_staff):
            sid = rows[e][d]
            if sid is None:
                run[e] = 0
                off_run[e] = off_run[e] + 1 if off_run[e] < horizon else horizon
                if off_run[e] == horizon and d > 0 and rows[e][d - 1] is not None:
                    off_run[e] = 1
            else:
                run[e] += 1
                off_run[e] = 0
                minutes[e] += shifts[instance.shift_index(sid)].length
                counts[e][sid] += 1
                if d % 7 >= 5:
                    weekends[e].add(d // 7)
    return {emp.id: rows[e] for e, emp in enumerate(instance.staff)}


def build_model(instance: Instance, use_hint: bool = True) -> RosterModel:
    """Create the CP-SAT model (see module docstring for the formulation)."""
    m = cp_model.CpModel()
    horizon = instance.horizon
    shifts = instance.shifts
    n_shifts = len(shifts)
    allowed = _allowed(instance)
    x: dict[Key, cp_model.IntVar] = {}
    work: dict[tuple[int, int], cp_model.IntVar] = {}

    for e, emp in enumerate(instance.staff):
        for d in range(horizon):
            day_vars = []
            for s in range(n_shifts):
                if allowed[e][d][s]:
                    v = m.new_bool_var(f"x_{emp.id}_{d}_{shifts[s].id}")
                    x[e, d, s] = v
                    day_vars.append(v)
            if day_vars:
                w = m.new_bool_var(f"work_{emp.id}_{d}")
                m.add(sum(day_vars) == w)  # also enforces at most one shift per day
                work[e, d] = w

    shift_idx = {s.id: i for i, s in enumerate(shifts)}
    for e, emp in enumerate(instance.staff):
        # forbidden successions: x[d,s1] excludes every banned successor on d+1 (one at-most-one per (d, s1))
        for s1, st in enumerate(shifts):
            banned = [shift_idx[b] for b in st.cannot_follow]
            if not banned:
                continue
            for d in range(horizon - 1):
                if (e, d, s1) not in x:
                    continue
                nxt = [x[e, d + 1, s2] for s2 in banned if (e, d + 1, s2) in x]
                if nxt:
                    m.add_at_most_one([x[e, d, s1], *nxt])
        # maximum shifts per type
        for s, st in enumerate(shifts):
            limit = emp.max_shifts[st.id]
            vs = [x[e, d, s] for d in range(horizon) if (e, d, s) in x]
            if 0 < limit < len(vs):
                m.add(sum(vs) <= limit)
        # total minutes
        minutes = sum(st.length * x[e, d, s] for d in range(horizon) for s, st in enumerate(shifts) if (e, d, s) in x)
        m.add(minutes <= emp.max_total_minutes)
        m.add(minutes >= emp.min_total_minutes)

        def lit(d: int, e: int = e) -> cp_model.IntVar | None:
            return work.get((e, d))

        # maximum consecutive shifts: every window of k+1 days holds a day off (border days count as off)
        k = emp.max_consecutive_shifts
        if k < horizon:
            for d in range(horizon - k):
                window = [lw for dd in range(d, d + k + 1) if (lw := lit(dd)) is not None]
                if len(window) > k:
                    m.add(sum(window) <= k)
        # minimum consecutive shifts: forbid off, work^j, off (j < min) strictly inside the horizon
        _forbid_short_runs(m, lit, horizon, emp.min_consecutive_shifts, working=True)
        # minimum consecutive days off: forbid work, off^j, work (j < min) strictly inside the horizon
        _forbid_short_runs(m, lit, horizon, emp.min_consecutive_days_off, working=False)
        # maximum weekends
        wk_lits = []
        for wdays in instance.weekends():
            ws = [lw for d in wdays if (lw := lit(d)) is not None]
            if not ws:
                continue
            if len(ws) == 1:
                wk_lits.append(ws[0])
                continue
            wk = m.new_bool_var(f"weekend_{emp.id}_{wdays[0] // 7}")
            for w in ws:
                m.add_implication(w, wk)
            m.add_bool_or([wk.Not(), *ws])
            wk_lits.append(wk)
        if len(wk_lits) > emp.max_weekends:
            m.add(sum(wk_lits) <= emp.max_weekends)

    # objective
    terms: list[Any] = []
    constant = 0
    for r in instance.on_requests:
        key = (instance.staff_index(r.employee), r.day, shift_idx[r.shift])
        constant += r.weight
        if key in x:
            terms.append(-r.weight * x[key])
    for r in instance.off_requests:
        key = (instance.staff_index(r.employee), r.day, shift_idx[r.shift])
        if key in x:
            terms.append(r.weight * x[key])
    under: dict[tuple[int, int], cp_model.IntVar] = {}
    over: dict[tuple[int, int], cp_model.IntVar] = {}
    n_staff = len(instance.staff)
    for c in instance.cover:
        s = shift_idx[c.shift]
        vs = [x[e, c.day, s] for e in range(n_staff) if (e, c.day, s) in x]
        u = m.new_int_var(0, c.requirement, f"under_{c.day}_{c.shift}")
        o = m.new_int_var(0, max(0, len(vs) - c.requirement), f"over_{c.day}_{c.shift}")
        m.add(sum(vs) + u - o == c.requirement)
        if c.requirement > 0 and len(vs) > c.requirement:
            # complementarity: never both under and over, so u = max(0, req - n) and o = max(0, n - req) exactly
            # and every feasible solution's objective is its benchmark penalty (not only optimal ones)
            short = m.new_bool_var(f"short_{c.day}_{c.shift}")
            m.add(o == 0).only_enforce_if(short)
            m.add(u == 0).only_enforce_if(short.Not())
        under[c.day, s] = u
        over[c.day, s] = o
        terms.append(c.weight_under * u)
        terms.append(c.weight_over * o)
    m.minimize(sum(terms) + constant)

    rm = RosterModel(instance, m, x, work, under, over)
    if use_hint:
        rm.hint = greedy_roster(instance)
        _add_hint(rm, rm.hint)
    return rm


def _forbid_short_runs(
    m: cp_model.CpModel,
    lit: Callable[[int], cp_model.IntVar | None],
    horizon: int,
    minimum: int,
    working: bool,
) -> None:
    """Forbid the pattern ``other, same^j, other`` for 1 <= j < minimum, all inside the horizon.

    ``same`` is "works" when ``working`` else "is off"; a day without a work literal is a fixed day off.
    """
    for j in range(1, minimum):
        for start in range(0, horizon - j - 1):
            clause: list[Any] = []
            satisfied = False
            for d in range(start, start + j + 2):
                inner = start < d < start + j + 1
                want_work = working if inner else not working
                w = lit(d)
                if w is None:  # fixed off: the pattern needs want_work False here
                    if want_work:
                        satisfied = True
                        break
                    continue
                clause.append(w.Not() if want_work else w)
            if satisfied:
                continue
            if not clause:
                raise ValueError("fixed days off alone violate a minimum-run rule; instance is infeasible")
            m.add_bool_or(clause)


# What a run costs after CP-SAT's clock has stopped, as a share of the model's build time: reading the roster
# out and releasing the model. The last full run on Instance23 (model built in 5.8 s) ran 0.6 s past its limit
# and its solve returned 1.2 s after that (1.8 s, 0.31 of the build); on Instance24 (built in 19-20 s) 2.2 s and
# 0.7 s (0.15). Half leaves a margin over both.
RELEASE_SHARE = 0.5


def final_run_seconds(deadline: float, now: float, overrun: float, built: float) -> float:
    """The time limit of a last full CP-SAT run that is to end by ``deadline``, when the full runs before it
    ended up to ``overrun`` seconds past their limits and the model took ``built`` seconds to build
    (:data:`RELEASE_SHARE` of it is kept for what follows the run). CP-SAT's clock leaves out part of loading a
    model: Instance24's (1.1 million constraints) ran 11.3 s for a limit of 8 s in phase 1, and its last run, given
    the time left, 9.0 s for 7 s. Below a second the run is not worth starting."""
    return deadline - now - max(0.0, overrun) - RELEASE_SHARE * built


def _add_hint(rm: RosterModel, roster: Mapping[str, list[str | None]]) -> None:
    inst = rm.instance
    for (e, d, s), v in rm.x.items():
        rm.model.add_hint(v, roster[inst.staff[e].id][d] == inst.shifts[s].id)
    for (e, d), w in rm.work.items():
        rm.model.add_hint(w, roster[inst.staff[e].id][d] is not None)


def make_solver(options: SolveOptions) -> cp_model.CpSolver:
    """A solver whose ``parameters`` carry the requested workers, seed and time limit (and any extras)."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = options.num_workers
    p.random_seed = options.random_seed
    p.max_time_in_seconds = options.max_time_in_seconds
    p.log_search_progress = options.log_search_progress
    for name, value in options.extra_parameters.items():
        if isinstance(value, list | tuple):
            getattr(p, name).extend(value)
        else:
            setattr(p, name, value)
    return solver


def extract_roster(rm: RosterModel, solver: cp_model.CpSolver) -> dict[str, list[str | None]]:
    inst = rm.instance
    rows: dict[str, list[str | None]] = {emp.id: [None] * inst.horizon for emp in inst.staff}
    for (e, d, s), v in rm.x.items():
        if solver.boolean_value(v):
            rows[inst.staff[e].id][d] = inst.shifts[s].id
    return rows


# Neighbourhood kinds of the LNS and how often each is drawn: whole employees, a day window for everyone,
# employees x a window of one to three weeks.
KINDS: tuple[tuple[str, float], ...] = (("employees", 0.4), ("window", 0.3), ("block", 0.3))


def _neighbourhood(rng: random.Random, size: float, n_staff: int, horizon: int, kind: str
                   ) -> set[tuple[int, int]]:
    """Cells (employee, day) to set free, ``size`` of the roster, shaped by ``kind`` (see :data:`KINDS`)."""
    free: set[tuple[int, int]] = set()
    target = max(1, int(size * n_staff * horizon))
    if kind == "employees":
        k = max(2, min(n_staff, round(target / horizon)))
        for e in rng.sample(range(n_staff), k):
            free.update((e, d) for d in range(horizon))
    elif kind == "window":
        length = max(2, min(horizon, round(target / n_staff)))
        start = rng.randrange(0, horizon - length + 1)
        free.update((e, d) for e in range(n_staff) for d in range(start, start + length))
    else:
        length = max(2, min(horizon, rng.choice((7, 14, 21))))
        k = max(2, min(n_staff, round(target / length)))
        start = rng.randrange(0, horizon - length + 1)
        for e in rng.sample(range(n_staff), k):
            free.update((e, d) for d in range(start, start + length))
    return free


def lp_agreement(instance: Instance, roster: Mapping[str, Sequence[str | None]],
                 guide: Mapping[tuple[int, int, int], float]) -> dict[tuple[int, int], float]:
    """Per (employee, day), employees and days in order: the LP weight ``guide`` (per employee, day and shift)
    gives ``roster``'s choice there -- a shift, or the day off, which weighs what the day's shifts leave."""
    index = {sh.id: s for s, sh in enumerate(instance.shifts)}
    worked: dict[tuple[int, int], float] = {}
    for (e, d, _), w in guide.items():
        worked[e, d] = worked.get((e, d), 0.0) + w
    return {(e, d): guide.get((e, d, index[sid]), 0.0) if sid is not None else 1.0 - worked.get((e, d), 0.0)
            for e, emp in enumerate(instance.staff) for d, sid in enumerate(roster[emp.id])}


def _guided_neighbourhood(rng: random.Random, size: float, guide: Mapping[tuple[int, int, int], float],
                          roster: Mapping[str, Sequence[str | None]], instance: Instance) -> set[tuple[int, int]]:
    """Cells (employee, day) where the incumbent departs from the LP solution ``guide``, the most departing first
    (ties at random), with their neighbouring days, up to ``size`` of the roster (RINS-like)."""
    n_staff, horizon = len(instance.staff), instance.horizon
    target = max(1, int(size * n_staff * horizon))
    scored = [(agree + 0.3 * rng.random(), e, d) for (e, d), agree in lp_agreement(instance, roster, guide).items()
              if agree < 1.0 - 1e-6]
    scored.sort()
    free: set[tuple[int, int]] = set()
    for _, e, d in scored:
        if len(free) >= target:
            break
        free.update((e, x) for x in range(max(0, d - 1), min(horizon, d + 2)))
    return free


# Sub-problem solver: one thread, LP with clauses (linearization level 2). On a few free employees this proves
# optimality in well under a second where the default multi-thread portfolio is still searching after seconds.
SUB_PARAMETERS: Mapping[str, Any] = {"linearization_level": 2}
# Time of one LNS sub-solve, unguided and guided by an LP. Unguided, from Instance21's 28,556 roster, 120 s of
# LNS: 1 s sub-solves reached 22,725 and 23,099 (seeds 0, 1), 2 s ones 24,506 and 24,181, 4 s 26,082, 0.5 s
# 23,889 (from its 22,895 roster 1 s and 2 s did alike, 22,037 and 22,023): a descent from a poor roster gains
# most from many short sub-solves (CP-SAT's presolve, ~0.3 s of each, is needed: without it a 1 s sub-solve of
# 21 found nothing). Guided, the polish of a dive's roster near its bound needs sub-problems proven: with 1 s,
# Instance12 ended at 4,047 at 60 s instead of its optimum 4,040 proven in 55 s.
SUB_SECONDS = 1.0
GUIDED_SUB_SECONDS = 2.0


def full_assignment(rm: RosterModel, roster: Mapping[str, Sequence[str | None]], seconds: float = 10.0,
                    fixed: FixedModel | None = None) -> list[int] | None:
    """A value for every variable of the model -- cover slacks and weekend indicators too -- that matches
    ``roster`` (CP-SAT with every cell fixed, which propagation alone settles; ``fixed``: the model fixed to
    ``roster`` already); None when ``roster`` breaks a rule or time runs out."""
    solver = make_solver(SolveOptions(num_workers=1, max_time_in_seconds=seconds))
    if solver.solve((fixed or FixedModel(rm, roster)).sub_model((), hint=False)) != cp_model.OPTIMAL:
        return None
    return list(solver.response_proto.solution)


class SubSolve(NamedTuple):
    """What :func:`sub_solve` found: CP-SAT's status, the objective (None without a roster), the shift worked per
    free cell that is worked (empty without a roster), and a value for every variable of the model (the next
    sub-solve's hint; None without a roster)."""

    status: Any
    objective: int | None
    chosen: dict[tuple[int, int], str]
    assignment: list[int] | None


def sub_solve(rm: RosterModel, free: set[tuple[int, int]], roster: Mapping[str, Sequence[str | None]], seed: int,
              seconds: float, workers: int = 1, hint: Sequence[int] | None = None,
              fixed: FixedModel | None = None) -> SubSolve:
    """CP-SAT on the full model with every (employee, day) outside ``free`` fixed to ``roster`` (``fixed``: the
    model fixed to ``roster`` already, which the LNS keeps from one sub-problem to the next).

    ``hint`` is ``roster``'s value for every variable (:func:`full_assignment`, or the ``assignment`` of the
    sub-solve that found ``roster``), so CP-SAT starts from ``roster`` itself; without it the free cells alone are
    hinted, and where thousands of them are free CP-SAT can lose the start: Instance20's LP-enforced search
    (4,218 cells free, 36 s, 2 workers) ended at 27,208 from a start of 24,767 at seed 3, and at 6,185-6,789 over
    seeds 0-3 with the complete hint (6,484-7,600 at seeds 0-2 without)."""
    fixed = fixed or FixedModel(rm, roster)
    sub = fixed.sub_model(free, hint=hint is None)
    if hint is not None:
        sub.proto.solution_hint.vars.extend(range(len(hint)))
        sub.proto.solution_hint.values.extend(hint)
    solver = make_solver(SolveOptions(num_workers=workers, random_seed=seed, max_time_in_seconds=max(0.05, seconds),
                                      extra_parameters=SUB_PARAMETERS if workers == 1 else {}))
    status = solver.solve(sub)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SubSolve(status, None, {}, None)
    solution = list(solver.response_proto.solution)
    return SubSolve(status, round(solver.objective_value), fixed.chosen(free, solution), solution)


def with_cells(instance: Instance, roster: Mapping[str, Sequence[str | None]], free: set[tuple[int, int]],
               chosen: Mapping[tuple[int, int], str]) -> dict[str, list[str | None]]:
    """``roster`` with each free (employee, day) set to its ``chosen`` shift (a day off when none)."""
    out = {emp.id: list(roster[emp.id]) for emp in instance.staff}
    for e, d in free:
        out[instance.staff[e].id][d] = chosen.get((e, d))
    return out


# (roster, its (employee, day) cells set free, the roster's objective, deadline) -> a better roster and its
# objective, or None (column generation's dive and LP-enforced search finish their rosters with one)
Complete = Callable[[dict[str, list[str | None]], set[tuple[int, int]], int, float],
                      tuple[dict[str, list[str | None]], int] | None]


def completion(rm: RosterModel, seed: int, workers: int) -> Complete:
    """Column generation's ``complete``: CP-SAT chooses the free (employee, day) cells of a start roster, the
    others fixed, starting from the start's value for every variable; (roster, objective), or None without
    one."""

    def complete(start: dict[str, list[str | None]], free: set[tuple[int, int]], value: int, until: float
                 ) -> tuple[dict[str, list[str | None]], int] | None:
        hint = full_assignment(rm, start, max(0.05, until - time.perf_counter()))
        found = sub_solve(rm, free, start, seed, until - time.perf_counter(), workers=workers, hint=hint)
        if found.objective is None:
            return None
        return with_cells(rm.instance, start, free, found.chosen), found.objective

    return complete


def _adapted_size(size: float, optimal: bool, improved: bool) -> float:
    """A neighbourhood kind's next size: larger after a sub-problem solved to optimality, smaller after one that
    timed out without improving the incumbent, unchanged after one that timed out with a better roster."""
    if optimal:
        return min(1.0, size * 1.2)
    if not improved:
        return max(0.02, size / 1.2)
    return size


def large_neighbourhood_search(
    rm: RosterModel,
    roster: dict[str, list[str | None]],
    objective: int,
    deadline: float,
    options: SolveOptions,
    seed: int = 0,
    on_improve: Callable[[int, float], None] | None = None,
    bound: float | None = None,
    guide: Mapping[tuple[int, int, int], float] | None = None,
) -> tuple[dict[str, list[str | None]], int, int]:
    """Roster-aware LNS around CP-SAT (stops early once the incumbent reaches ``bound``).

    Each round draws ``options.num_workers`` neighbourhoods (whole employees, a day window for all employees, or
    employees x window; with a ``guide``, the LP solution of column generation, the first neighbourhood holds the
    cells where the incumbent departs from the LP, topped up at random when they are few), fixes every other cell
    to the incumbent, and solves the sub-problems in parallel threads with single-thread CP-SAT for
    :data:`SUB_SECONDS` (:data:`GUIDED_SUB_SECONDS` with a guide), hinted with the incumbent's value for every
    variable. The best result replaces the incumbent when it is not worse, so the
    search can drift across plateaus. Each kind of neighbourhood has its own size, which grows when its
    sub-problem is solved to optimality and shrinks when it times out without improving. A round is started only
    while the last round's wall time still fits before ``deadline``. Returns (roster, objective, number of
    sub-solves).
    """
    inst = rm.instance
    rng = random.Random(seed)
    horizon, n_staff = inst.horizon, len(inst.staff)
    threads = max(1, options.num_workers)
    sub_seconds = GUIDED_SUB_SECONDS if guide else SUB_SECONDS
    # share of the roster's cells set free, one per kind: a kind's size settles where its sub-problems are just
    # solved in time (on Instance20, 182 days, whole employees settle near 7 % while employee blocks grow to their
    # cap of all employees over three weeks)
    sizes = {"guided": 0.1, **{kind: 0.1 for kind, _ in KINDS}}
    names, weights = [kind for kind, _ in KINDS], [weight for _, weight in KINDS]
    solves = 0
    # the incumbent's value for every variable: each sub-solve starts from the incumbent itself
    fixed = FixedModel(rm, roster)
    assignment = full_assignment(rm, roster, max(0.05, 0.1 * (deadline - time.perf_counter())), fixed=fixed)

    last_round = 0.0  # wall time of the last round: a round is started only when one that long still fits
    with ThreadPoolExecutor(max_workers=threads) as pool:
        while True:
            started = time.perf_counter()
            remaining = deadline - started
            if remaining < max(0.2, last_round) or (bound is not None and objective <= bound + 1e-6):
                break
            jobs = []
            for i in range(threads):
                kind = "guided" if guide and i == 0 else rng.choices(names, weights)[0]
                free = _guided_neighbourhood(rng, sizes[kind], guide, roster, inst) if guide and i == 0 else set()
                if len(free) < 0.5 * sizes[kind] * n_staff * horizon:  # the incumbent mostly agrees with the LP
                    top_up = kind if kind != "guided" else rng.choices(names, weights)[0]
                    free |= _neighbourhood(rng, sizes[kind], n_staff, horizon, top_up)
                jobs.append((kind, free, pool.submit(sub_solve, rm, free, roster, rng.randrange(1 << 30),
                                                       min(remaining, sub_seconds), hint=assignment, fixed=fixed)))
            solves += len(jobs)
            results = [(kind, free, job.result()) for kind, free, job in jobs]
            solved = [(found.objective, free, found) for _, free, found in results if found.objective is not None]
            best = min(solved, key=lambda r: r[0], default=None)
            for kind, _, found in results:
                sizes[kind] = _adapted_size(sizes[kind], found.status == cp_model.OPTIMAL,
                                            found.objective is not None and found.objective < objective)
            improved = False
            if best is not None and best[0] <= objective:
                value, free, found = best
                improved = value < objective
                roster = with_cells(inst, roster, free, found.chosen)
                fixed.update(roster, free)
                objective, assignment = value, found.assignment
                if improved and on_improve is not None:
                    on_improve(objective, time.perf_counter())
            last_round = time.perf_counter() - started
            if _DEBUG:
                print(f"lns solves={solves} " + " ".join(f"{k}={v:.3f}" for k, v in sizes.items())
                      + f" inc={objective}")
    return roster, objective, solves


def solve(instance: Instance, options: SolveOptions | None = None) -> SolveResult:
    """Build and solve within ``options.max_time_in_seconds`` (model building included).

    ``strategy="cpsat"``: one CP-SAT run on the full model. ``strategy="colgen"`` (default):
    1. CP-SAT on the full model for ``phase1_share`` of the time (greedy roster as hint); proves small
       instances outright;
    2. column generation for ``colgen_share`` of the rest: a valid lower bound (its ceiling, the objective
       being integer) and a roster from its dive, or from the sequential construction when phase 1 found none;
       where every employee is priced exactly, the LNS (guided by the LP) polishes the dive's roster before
       branch and price, which prunes against it;
    3. :func:`large_neighbourhood_search` for ``lns_share`` of the remaining time (all of it when column generation
       cut its LP phase for its pace), stopping at the bound;
    4. CP-SAT on the full model again for the rest, hinted with the LNS incumbent: it proves the bound (and can
       still improve or prove optimality); its limit leaves room for what the full runs before it ran past
       their own and for reading the model out (:func:`final_run_seconds`); skipped when under a second is left.
    ``strategy="lns"`` is the same without step 2 (a first-solution CP-SAT run instead when phase 1 found none).
    The roster is the best one found (None if none was found in time).
    """
    from staffplan.roster.shifts.colgen import (  # colgen builds on this module
        column_generation,
        integer_bound,
        lp_is_informative,
    )

    opts = options or SolveOptions()
    t0 = time.perf_counter()
    deadline = t0 + opts.max_time_in_seconds
    rm = build_model(instance, use_hint=opts.use_hint)
    built = time.perf_counter() - t0
    extra = {**DEFAULT_EXTRA_PARAMETERS, **opts.extra_parameters}
    overrun = 0.0  # the most a full run has ended past its time limit so far

    def full_solve(seconds: float, first_only: bool) -> tuple[cp_model.CpSolver, Any]:
        nonlocal overrun
        solver = make_solver(
            SolveOptions(
                num_workers=opts.num_workers,
                random_seed=opts.random_seed,
                max_time_in_seconds=max(0.1, seconds),
                log_search_progress=opts.log_search_progress,
                extra_parameters=extra,
            )
        )
        if first_only:
            solver.parameters.stop_after_first_solution = True
        limit = solver.parameters.max_time_in_seconds
        start = time.perf_counter()
        status = solver.solve(rm.model)
        took = time.perf_counter() - start
        overrun = max(overrun, took - limit)
        if _DEBUG:
            print(f"full run at {start - t0:.1f}s: limit {limit:.1f}s, took {took:.1f}s")
        return solver, status

    roster: dict[str, list[str | None]] | None = None
    objective: int | None = None
    bound: float | None = None
    guide: dict[tuple[int, int, int], float] | None = None

    def result(status_name: str) -> SolveResult:
        # a roster's penalty is never negative: 0 bounds it when no run gave a bound (Instance24 when its last full
        # run is skipped)
        stated = bound if bound is not None or objective is None else 0.0
        return SolveResult(instance.name, status_name, objective, stated, roster, time.perf_counter() - t0, built,
                           str(solver.parameters))

    def proven() -> bool:
        return objective is not None and bound is not None and objective <= bound + 1e-6

    lns_share = opts.lns_share
    if opts.strategy in ("lns", "colgen"):
        solver, status = full_solve(opts.phase1_share * (deadline - time.perf_counter()), first_only=False)
        if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
            return result(solver.status_name(status))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            roster, objective = extract_roster(rm, solver), round(solver.objective_value)
            bound = solver.best_objective_bound
            if status == cp_model.OPTIMAL:
                return result("OPTIMAL")
        if opts.strategy == "colgen":

            def polish(start: dict[str, list[str | None]], value: int, lp: Mapping[tuple[int, int, int], float],
                       floor: float, until: float) -> tuple[dict[str, list[str | None]], int]:
                better, found, _ = large_neighbourhood_search(rm, start, value, until, opts, seed=opts.random_seed,
                                                              bound=floor, guide=lp)
                return better, found

            long_run = opts.max_time_in_seconds >= opts.backtrack_from
            cg = column_generation(instance, time.perf_counter() + opts.colgen_share * (deadline - time.perf_counter()),
                                   seed=opts.random_seed, workers=opts.num_workers, incumbent=roster,
                                   progress=print if _DEBUG else None, polish=polish,
                                   complete=completion(rm, opts.random_seed, opts.num_workers),
                                   backtrack=long_run, judge_pace=long_run, adaptive=True)
            if math.isfinite(cg.bound):  # penalties are never negative: an LP phase cut early bounds below 0
                bound = max(bound if bound is not None else 0.0, integer_bound(cg.bound), 0.0)
            if objective is None or cg.objective < objective:
                roster, objective = cg.roster, cg.objective
            if lp_is_informative(cg.converged, cg.lp_value, cg.bound):
                guide = cg.lp_cells
            # an LP phase cut for its pace leaves no bound for a full run to prove: the LNS gets all the time
            # (Instance21's final full run, ~100 s, found nothing after it)
            lns_share = 1.0 if cg.lp_cut else lns_share
        elif roster is None:
            solver, status = full_solve(0.5 * (deadline - time.perf_counter()), first_only=True)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                roster, objective = extract_roster(rm, solver), round(solver.objective_value)
                bound = solver.best_objective_bound
        if roster is not None and objective is not None:
            if proven():
                return result("OPTIMAL")
            lns_deadline = time.perf_counter() + lns_share * max(0.0, deadline - time.perf_counter())
            roster, objective, _ = large_neighbourhood_search(rm, roster, objective, lns_deadline, opts,
                                                              seed=opts.random_seed, bound=bound, guide=guide)
            if proven():
                return result("OPTIMAL")
            if final_run_seconds(deadline, time.perf_counter(), overrun, built) < 1.0:
                return result("FEASIBLE")
            rm.model.clear_hints()
            _add_hint(rm, roster)  # 2.4 s on Instance24's model
            if final_run_seconds(deadline, time.perf_counter(), overrun, built) < 1.0:
                return result("FEASIBLE")
    solver, status = full_solve(final_run_seconds(deadline, time.perf_counter(), overrun, built), first_only=False)
    status_name = solver.status_name(status)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = round(solver.objective_value)
        if objective is None or value <= objective:
            roster, objective = extract_roster(rm, solver), value
    if status not in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        # both full runs prove valid lower bounds; keep the better one
        bound = solver.best_objective_bound if bound is None else max(bound, solver.best_objective_bound)
    if objective is not None:
        status_name = "OPTIMAL" if proven() else "FEASIBLE"
    return result(status_name)
