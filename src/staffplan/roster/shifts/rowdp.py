"""Exact dynamic programme over one employee's rows, for pricing in column generation.

Pricing asks for the employee's feasible row (a shift or a day off per day) of least linear cost. The rules split
in two kinds:

* **sequence rules** -- one shift a day, forbidden successions, fixed days off, maximum and minimum consecutive
  shifts, minimum consecutive days off (runs touching the horizon border exempt from the two minimum rules) --
  and the **minutes window** are the state of the programme: per day, the run the employee is in (last shift,
  run length, whether it began on day 0) and the minutes worked so far in units of the shifts' common divisor.
  Every path through the states is a row that keeps these rules, and every such row is a path.
* **counting rules** -- the maximum shifts per type and the maximum weekends -- are priced in by Lagrange
  multipliers ``lam >= 0``: each shift of a type pays ``lam_s``, each weekend worked pays ``lam_w``. For any
  ``lam`` the programme's value minus ``sum lam * limit`` is a lower bound on the pricing optimum, and a path
  that keeps the counting rules is a feasible row; a subgradient loop moves ``lam`` toward rows that do.

A weekend is worked when its Saturday or its Sunday is, which the state knows on Sunday: the run state of
Saturday says whether Saturday was worked.

The programme keeps every day's value arrays and walks back from the best end state to recover the row, so it
holds ``horizon x states x minute levels`` floats (Instance22: 3.8 million; Instance24: about 50 million).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce

import numpy as np

from staffplan.roster.shifts.instance import Instance

Cell = tuple[int, int]  # (day, shift index)
INF = math.inf


@dataclass(frozen=True)
class Path:
    value: float  # the programme's value, multipliers included
    cells: tuple[Cell, ...]


class RowProgramme:
    """One employee's sequence rules and minutes window as a forward dynamic programme."""

    def __init__(self, instance: Instance, e: int) -> None:
        emp = instance.staff[e]
        self.instance = instance
        self.e = e
        self.horizon = h = instance.horizon
        self.allowed = [i for i, s in enumerate(instance.shifts) if emp.max_shifts.get(s.id, 0) > 0]
        a = len(self.allowed)
        lengths = [instance.shifts[i].length for i in self.allowed]
        self.unit = unit = reduce(math.gcd, [x for x in lengths if x > 0], 0) or 1
        self.length = np.array([x // unit for x in lengths], dtype=np.int64)
        self.levels = emp.max_total_minutes // unit + 1  # minute levels 0 .. max
        self.min_level = -(-emp.min_total_minutes // unit)
        self.max_run = max(1, min(emp.max_consecutive_shifts, h))
        self.min_run = max(1, emp.min_consecutive_shifts)
        self.exempt = min(self.min_run - 1, self.max_run)  # run lengths 1..exempt kept apart when begun on day 0
        self.off_levels = max(1, emp.min_consecutive_days_off)
        # predecessors allowed before each shift, grouped by identical sets
        ids = [instance.shifts[i].id for i in self.allowed]
        groups: dict[tuple[int, ...], int] = {}
        self.group_of = np.zeros(a, dtype=np.int64)
        for t, sid in enumerate(ids):
            pred = tuple(p for p in range(a) if sid not in instance.shifts[self.allowed[p]].cannot_follow)
            self.group_of[t] = groups.setdefault(pred, len(groups))
        self.groups = [np.array(p, dtype=np.int64) for p in groups]
        self.preds = [self.groups[g] for g in self.group_of]
        days_off = instance.days_off.get(emp.id, frozenset())
        self.day_off = np.array([d in days_off for d in range(h)], dtype=bool)
        self.sunday = np.array([d % 7 == 6 for d in range(h)], dtype=bool)
        self.ends_saturday = (h - 1) % 7 == 5
        self.local = {g: t for t, g in enumerate(self.allowed)}

    # ------------------------------------------------------------------ forward pass
    def _shifted(self, pre: np.ndarray, cost: np.ndarray) -> np.ndarray:
        """``pre[..., t, m]`` moved to level ``m + length[t]`` plus ``cost[t]`` (levels past the maximum drop)."""
        out = np.full(pre.shape, INF)
        for t, step in enumerate(self.length):
            if step < self.levels:
                out[..., t, step:] = pre[..., t, : self.levels - step] + cost[t]
        return out

    def solve(self, cost: np.ndarray, weekend: float = 0.0, fixed: Mapping[int, int] | None = None
              ) -> Path | None:
        """Least-value row for ``cost[d, t]`` (local shift ``t`` on day ``d``) plus ``weekend`` per weekend
        worked; ``fixed`` maps days to the local shift that must be worked. None when no row exists."""
        fixed = fixed or {}
        h, a, lv = self.horizon, len(self.allowed), self.levels
        k_max, ex, j_max = self.max_run, self.exempt, self.off_levels
        if a == 0:
            return None if fixed or self.min_level > 0 else Path(0.0, ())
        cost = np.where(self.day_off[:, None], INF, cost)
        off_ok = np.ones(h, dtype=bool)
        for d, t in fixed.items():
            row = np.full(a, INF)
            row[t] = cost[d, t]
            cost[d] = row
            off_ok[d] = False
        work = np.full((k_max, a, lv), INF)
        early = np.full((max(ex, 1), a, lv), INF)
        off = np.full((j_max, lv), INF)
        if off_ok[0]:
            off[j_max - 1, 0] = 0.0
        first = self._shifted(np.zeros((1, a, lv)) + np.where(np.arange(lv) == 0, 0.0, INF), cost[0])[0]
        if ex > 0:
            early[0] = first
        else:
            work[0] = first
        history = [(work, early, off)]
        for d in range(1, h):
            lw = weekend if self.sunday[d] else 0.0
            ended = work[self.min_run - 1:].min(axis=(0, 1))
            if ex > 0:
                ended = np.minimum(ended, early[:ex].min(axis=(0, 1)))
            new_off = np.full((j_max, lv), INF)
            if off_ok[d]:
                if j_max == 1:
                    new_off[0] = np.minimum(ended + lw, off[0])
                else:
                    new_off[0] = ended + lw
                    new_off[1:j_max - 1] = off[0:j_max - 2]
                    new_off[j_max - 1] = np.minimum(off[j_max - 2], off[j_max - 1])
            gw = np.stack([work[: k_max - 1][:, g, :].min(axis=1) for g in self.groups]) if k_max > 1 else None
            pre = np.empty((k_max, a, lv))
            pre[0] = off[j_max - 1][None, :]
            if gw is not None:
                pre[1:] = gw[self.group_of].transpose(1, 0, 2)
            new_early = early
            if ex > 0:
                ge = np.stack([early[:, g, :].min(axis=1) for g in self.groups])[self.group_of].transpose(1, 0, 2)
                grown = np.full(early.shape, INF)
                grown[1:] = ge[: ex - 1]
                new_early = self._shifted(grown, cost[d] + lw)
                if ex < k_max:
                    pre[ex] = np.minimum(pre[ex], ge[ex - 1])
            work = self._shifted(pre, cost[d] + lw)
            early, off = new_early, new_off
            history.append((work, early, off))
        return self._best_path(history, weekend, cost)

    # ------------------------------------------------------------------ backward walk
    def _best_path(self, history: list[tuple[np.ndarray, np.ndarray, np.ndarray]], weekend: float,
                   cost: np.ndarray) -> Path | None:
        work, early, off = history[-1]
        lo = self.min_level
        tail = weekend if self.ends_saturday else 0.0
        ends = [_least(work[:, :, lo:] + tail, "w", lo), _least(off[:, None, lo:], "o", lo)]
        if self.exempt > 0:
            ends.append(_least(early[: self.exempt, :, lo:] + tail, "e", lo))
        candidates = [c for c in ends if c is not None]
        if not candidates:
            return None
        value, state = min(candidates, key=lambda c: c[0])
        if not math.isfinite(value):
            return None
        cells: list[Cell] = []
        for d in range(self.horizon - 1, -1, -1):
            kind, _, t, _ = state
            if kind != "o":
                cells.append((d, self.allowed[t]))
            if d == 0:
                break
            state = self._predecessor(history[d - 1], state, d, weekend, cost)
        return Path(value, tuple(reversed(cells)))

    def _predecessor(self, prev: tuple[np.ndarray, np.ndarray, np.ndarray], state: tuple[str, int, int, int],
                     d: int, weekend: float, cost: np.ndarray) -> tuple[str, int, int, int]:
        """The state of day ``d - 1`` that the forward pass took to reach ``state`` on day ``d``."""
        work, early, off = prev
        kind, k, t, m = state
        lw = weekend if self.sunday[d] else 0.0
        j_max, ex = self.off_levels, self.exempt
        options: list[tuple[float, tuple[str, int, int, int]]] = []
        if kind == "o":
            if k == 0:
                for kk in range(self.min_run - 1, self.max_run):
                    tt = int(np.argmin(work[kk, :, m]))
                    options.append((work[kk, tt, m] + lw, ("w", kk, tt, m)))
                for kk in range(ex):
                    tt = int(np.argmin(early[kk, :, m]))
                    options.append((early[kk, tt, m] + lw, ("e", kk, tt, m)))
            if k >= 1:
                options.append((off[k - 1, m], ("o", k - 1, 0, m)))
            if k == j_max - 1:
                options.append((off[k, m], ("o", k, 0, m)))
        else:
            m0 = m - int(self.length[t])
            preds = self.preds[t]
            if kind == "w" and k == 0:
                options.append((off[j_max - 1, m0], ("o", j_max - 1, 0, m0)))
            elif kind == "w":
                tt = int(preds[np.argmin(work[k - 1, preds, m0])])
                options.append((work[k - 1, tt, m0], ("w", k - 1, tt, m0)))
                if k == ex:
                    tt = int(preds[np.argmin(early[k - 1, preds, m0])])
                    options.append((early[k - 1, tt, m0], ("e", k - 1, tt, m0)))
            else:
                tt = int(preds[np.argmin(early[k - 1, preds, m0])])
                options.append((early[k - 1, tt, m0], ("e", k - 1, tt, m0)))
        return min(options, key=lambda o: o[0])[1]


def _least(values: np.ndarray, kind: str, lo: int) -> tuple[float, tuple[str, int, int, int]] | None:
    """The least of ``values[k, t, level - lo]`` as (value, state); None when there are no levels."""
    if values.size == 0:
        return None
    k, t, level = (int(i) for i in np.unravel_index(int(np.argmin(values)), values.shape))
    return float(values[k, t, level]), (kind, k, t, level + lo)


@dataclass
class CountingRules:
    """The counting rules that the programme prices in: binding per-type limits and the weekend limit."""

    types: list[int]  # local shift indices whose limit can bind
    limits: np.ndarray
    weekend_limit: int | None  # None when it cannot bind

    @classmethod
    def of(cls, programme: RowProgramme) -> CountingRules:
        inst = programme.instance
        emp = inst.staff[programme.e]
        workable = int((~programme.day_off).sum())
        types = [t for t, i in enumerate(programme.allowed) if emp.max_shifts[inst.shifts[i].id] < workable]
        limits = np.array([emp.max_shifts[inst.shifts[programme.allowed[t]].id] for t in types], dtype=float)
        weekend_limit = emp.max_weekends if emp.max_weekends < len(inst.weekends()) else None
        return cls(types, limits, weekend_limit)

    def excess(self, programme: RowProgramme, cells: Sequence[Cell], instance: Instance
               ) -> tuple[np.ndarray, float]:
        """Per binding type and for weekends: count minus limit (positive = broken)."""
        counts = np.zeros(len(self.types))
        position = {t: i for i, t in enumerate(self.types)}
        days = set()
        for d, s in cells:
            days.add(d)
            i = position.get(programme.local[s])
            if i is not None:
                counts[i] += 1
        weekend = 0.0
        if self.weekend_limit is not None:
            worked = sum(1 for w in instance.weekends() if any(d in days for d in w))
            weekend = float(worked - self.weekend_limit)
        return counts - self.limits, weekend


class LagrangePricer:
    """Pricing by the row programme with the counting rules priced in, multipliers kept between calls."""

    def __init__(self, instance: Instance, e: int, request: Mapping[Cell, int], iterations: int = 30) -> None:
        self.instance = instance
        self.programme = RowProgramme(instance, e)
        self.rules = CountingRules.of(self.programme)
        self.request = request
        self.iterations = iterations
        self.lam = np.zeros(len(self.rules.types))
        self.lam_weekend = 0.0
        self.fixed: dict[int, int] = {}
        self.solves = 0  # programme runs so far, for progress reports

    def fix(self, cell: Cell) -> None:
        """From now on every row works ``cell`` (day, global shift index)."""
        self.fixed[cell[0]] = self.programme.local[cell[1]]

    def value(self, cells: Sequence[Cell], dual: Mapping[Cell, float]) -> float:
        return sum(self.request.get(c, 0) - dual.get(c, 0.0) for c in cells)

    def price(self, dual: Mapping[Cell, float], target: float = 0.0
              ) -> tuple[list[tuple[float, tuple[Cell, ...]]], float, bool]:
        """Feasible rows found (value, cells), a lower bound on the least value, and whether the best is proven.

        Stops early once a feasible row under ``target`` is found and the bound says nothing much better exists,
        or once the best feasible row meets the bound."""
        rp, rules = self.programme, self.rules
        h = rp.horizon
        base = np.array([[self.request.get((d, g), 0) - dual.get((d, g), 0.0) for g in rp.allowed]
                         for d in range(h)]).reshape(h, len(rp.allowed))
        rows: dict[tuple[Cell, ...], float] = {}
        bound = -INF
        best = INF
        theta = 1.0
        stall = 0
        for _ in range(self.iterations):
            cost = base.copy()
            cost[:, rules.types] += self.lam[None, :]
            path = rp.solve(cost, self.lam_weekend, self.fixed)
            self.solves += 1
            if path is None:
                return [], INF, True  # no row at all under the fixings
            lower = path.value - float(self.lam @ rules.limits)
            if rules.weekend_limit is not None:
                lower -= self.lam_weekend * rules.weekend_limit
            if lower > bound + 1e-9:
                bound, stall = lower, 0
            else:
                stall += 1
                if stall >= 3:
                    theta, stall = theta / 2, 0
            excess, weekend = rules.excess(rp, path.cells, self.instance)
            if (excess <= 0).all() and weekend <= 0:
                true = self.value(path.cells, dual)
                rows[path.cells] = true
                best = min(best, true)
            if best - bound <= 1e-6 * max(1.0, abs(bound)):
                break
            if best < target:
                break  # an improving row: the master will move, and these multipliers start the next call
            # subgradient step towards the counting rules (Polyak-like, aim a little above the bound)
            grad = np.where((excess > 0) | (self.lam > 0), excess, 0.0)
            gw = weekend if (weekend > 0 or self.lam_weekend > 0) and rules.weekend_limit is not None else 0.0
            norm = float(grad @ grad) + gw * gw
            if norm == 0.0:
                break  # the path keeps every counting rule and no multiplier is slack: it is optimal
            aim = best if math.isfinite(best) else bound + 0.05 * max(1.0, abs(bound))
            step = theta * max(aim - lower, 1e-3) / norm
            self.lam = np.maximum(0.0, self.lam + step * grad)
            self.lam_weekend = max(0.0, self.lam_weekend + step * gw)
        out = sorted(((v, c) for c, v in rows.items()), key=lambda r: r[0])
        return out, bound, bool(out) and out[0][0] - bound <= 1e-6 * max(1.0, abs(bound))
