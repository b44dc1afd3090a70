"""Exact dynamic programme over one employee's rows, for pricing in column generation.

Pricing asks for the employee's feasible row (a shift or a day off per day) of least linear cost. The rules split
in two kinds:

* **sequence rules** -- one shift a day, forbidden successions, fixed days off, maximum and minimum consecutive
  shifts, minimum consecutive days off (runs touching the horizon border exempt from the two minimum rules) --
  and the **minutes window** are the state of the programme: per day, the run the employee is in (last shift,
  run length, whether it began on day 0) and the minutes worked so far in units of the shifts' common divisor.
  Every path through the states is a row that keeps these rules, and every such row is a path.
* **counting rules** -- the maximum shifts per type and the maximum weekends -- are digits of a mixed-radix
  counter in the state while the programme's values (run states x the levels of every day's band x counter
  values) stay within a budget (on Instances 1-12 all of them fit).
  Column generation prices with :class:`GrowingPricer`, which adds counting rules to the state only as best
  rows break them, and leaves a call to CP-SAT when a broken rule does not fit; for such calls it can also
  repair the relaxation's row into a feasible one (:meth:`GrowingPricer.feasible_row`). (Pricing such rules
  through Lagrange multipliers instead was tried and dropped: its rows keep the rules only once the
  multipliers are high, and were poor.)

A weekend is worked when its Saturday or its Sunday is, which the state knows on Sunday: the run state of
Saturday says whether Saturday was worked.

The programme keeps every day's value arrays and walks back from the best end state to recover the row, so it
holds every day's values (the budget bounds them). Each day's arrays hold only the minute levels a row can be at
that day and still end within the window (:meth:`RowProgramme._bands`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import reduce

import numpy as np

from staffplan.roster.shifts.instance import Instance

Cell = tuple[int, int]  # (day, shift index)
State = tuple[str, int, int, int, int]  # (kind: w work / e early work / o off, run index, local shift, counter, level)
INF = math.inf
WEEKEND = -1  # the weekend rule among the counting rules (the others are local shift indices)


@dataclass(frozen=True)
class Path:
    value: float  # the programme's value, multipliers included
    cells: tuple[Cell, ...]


class RowProgramme:
    """One employee's sequence rules, minutes window and (within a size budget) counting rules as a forward
    dynamic programme.

    Counting rules kept exactly are digits of a mixed-radix counter in the state (the weekend rule first, then
    the per-type limits from the smallest), as long as its values (:attr:`states`) stay within ``budget``; the others
    are ``soft_types`` / ``soft_weekend``: :meth:`solve` ignores them, and the caller checks the row it returns
    (:class:`CountingRules`).
    """

    def __init__(self, instance: Instance, e: int, budget: int = 6_000_000,
                 keep: frozenset[int] | None = None) -> None:
        emp = instance.staff[e]
        self.instance = instance
        self.e = e
        self.horizon = h = instance.horizon
        self.allowed = [i for i, s in enumerate(instance.shifts) if emp.max_shifts.get(s.id, 0) > 0]
        a = len(self.allowed)
        lengths = [instance.shifts[i].length for i in self.allowed]
        unit = reduce(math.gcd, [x for x in lengths if x > 0], 0) or 1
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
        self._counters(emp.max_shifts, emp.max_weekends, len(instance.weekends()), budget, keep)

    def _counters(self, max_shifts: Mapping[str, int], max_weekends: int, weekends: int, budget: int,
                  keep: frozenset[int] | None) -> None:
        """Choose the counting rules kept in the state (those in ``keep`` -- local shift indices, ``WEEKEND``
        for the weekend rule -- or, without it, as many as fit from the smallest limit); the rest are soft."""
        ids = [self.instance.shifts[i].id for i in self.allowed]
        if max_weekends == 0:  # no weekend at all: Saturdays and Sundays are days off
            self.day_off |= np.array([d % 7 in (5, 6) for d in range(self.horizon)], dtype=bool)
            weekends = 0
        workable = int((~self.day_off).sum())
        binding = sorted((max_shifts[sid], t) for t, sid in enumerate(ids) if max_shifts[sid] < workable)
        rules: list[tuple[int, int]] = ([(max_weekends, WEEKEND)] if max_weekends < weekends else []) + binding
        self.bands = self._bands()
        # values per counter value: run states times the minute levels of every day's band
        per_counter = ((self.max_run + max(self.exempt, 1)) * len(self.allowed) + self.off_levels) * sum(
            hi - lo + 1 for lo, hi in self.bands)
        size = 1
        self.type_stride = np.zeros(len(self.allowed), dtype=np.int64)
        self.weekend_stride = 0
        strides: list[tuple[int, int]] = []  # (stride, limit) per exact rule
        self.soft_types: list[int] = []
        self.soft_limits: list[int] = []
        self.soft_weekend: int | None = None
        for limit, t in rules:
            wanted = keep is None or t in keep
            if wanted and per_counter * size * (limit + 1) <= budget:
                strides.append((size, limit))
                if t == WEEKEND:
                    self.weekend_stride = size
                else:
                    self.type_stride[t] = size
                size *= limit + 1
            elif t == WEEKEND:
                self.soft_weekend = limit
            else:
                self.soft_types.append(t)
                self.soft_limits.append(limit)
        self.size = size
        self.states = per_counter * size
        # the rules left soft, as GrowingPricer names them (local shift indices, WEEKEND)
        self.soft = frozenset(self.soft_types) | ({WEEKEND} if self.soft_weekend is not None else frozenset())
        index = np.arange(size)
        self.room = {stride: (index // stride) % (limit + 1) < limit for stride, limit in strides}
        self.limit_of = dict(strides)
        self._tables()

    # ------------------------------------------------------------------ forward pass
    def _tables(self) -> None:
        """Gather tables for the forward pass.

        The arrays carry one extra counter value that is always infinite (a sentinel), so that counting a shift
        up -- states past a limit dropped -- is one ``np.take`` over the counter axis. Shift types of one length
        and one counter step are worked together (``work_groups``, per Sunday or not: Sundays count weekends)."""
        a, size = len(self.allowed), self.size
        strides = {0, self.weekend_stride, *(int(x) for x in self.type_stride)}
        self.bump_index = {stride: self._bump_source(stride) for stride in strides}
        identity = np.arange(size + 1)
        self.work_groups: list[list[tuple[slice | np.ndarray, int, np.ndarray | None]]] = []
        for sunday in (False, True):
            grouped: dict[tuple[int, bytes], list[int]] = {}
            sources: dict[tuple[int, bytes], np.ndarray] = {}
            for t in range(a):
                src_c = self.bump_index[int(self.type_stride[t])]
                if sunday:
                    src_c = np.where(src_c < size, self.bump_index[self.weekend_stride][src_c], size)
                key = (int(self.length[t]), src_c.tobytes())
                grouped.setdefault(key, []).append(t)
                sources[key] = src_c
            groups: list[tuple[slice | np.ndarray, int, np.ndarray | None]] = []
            for key, ts in grouped.items():
                chosen: slice | np.ndarray = (slice(ts[0], ts[-1] + 1) if ts == list(range(ts[0], ts[-1] + 1))
                                              else np.array(ts, dtype=np.int64))
                bump = None if np.array_equal(sources[key], identity) else sources[key]
                groups.append((chosen, key[0], bump))
            self.work_groups.append(groups)

    def _bands(self) -> list[tuple[int, int]]:
        """Per day, the least and the most minute levels a row can have worked by the end of that day and still
        end within the minutes window: at most what the days so far can hold, at least the minimum less what the
        days left can hold. Both count the longest shift on every day that is not a day off, with the maximum run
        and the minimum days off kept (:func:`_most`), so every level of a row that ends in the window is inside
        its day's band; the forward pass works on the bands alone (on Instance20 a sixth of the levels). Empty
        when some day's band is: the days cannot hold the minimum minutes, and no row exists."""
        h = self.horizon
        longest = int(self.length.max()) if len(self.length) else 0  # an employee may work no shift at all
        gain = [0 if off else longest for off in self.day_off]
        ahead = _most(gain, self.max_run, self.off_levels)
        behind = _most(gain[::-1], self.max_run, self.off_levels)
        bands = [(max(0, self.min_level - behind[h - 1 - d]), min(self.levels - 1, ahead[d + 1])) for d in range(h)]
        return bands if all(lo <= hi for lo, hi in bands) else []

    def _bump_source(self, stride: int) -> np.ndarray:
        """Per counter value (sentinel included): the value one count of ``stride`` below it, or the sentinel
        when there is none (the digit is 0, or the state below was already at its limit)."""
        size = self.size
        index = np.arange(size + 1)
        if stride == 0:
            return index
        src = np.full(size + 1, size, dtype=np.int64)
        below = index[stride:size] - stride
        src[stride:size] = np.where(self.room[stride][below], below, size)
        return src

    def _bump(self, x: np.ndarray, stride: int) -> np.ndarray:
        """Counter digit of ``stride`` one up along axis -2 (states already at the limit drop)."""
        if stride == 0:
            return x
        return np.take(x, self.bump_index[stride], axis=-2)

    def _shifted(self, pre: np.ndarray, cost: np.ndarray, sunday: bool, src: tuple[int, int],
                 dst: tuple[int, int]) -> np.ndarray:
        """``pre[k, t, c, m]`` (levels of band ``src``) working shift ``t``: to level ``m + length[t]`` (of band
        ``dst``; levels outside it drop), its counters up, plus ``cost[t]``."""
        lo, hi = dst
        out = np.full((*pre.shape[:-1], hi - lo + 1), INF)
        for ts, step, bump in self.work_groups[sunday]:
            first, last = max(lo, src[0] + step), min(hi, src[1] + step)
            if first > last:
                continue
            block = pre[:, ts, :, first - step - src[0]:last - step - src[0] + 1]
            if bump is not None:
                block = np.take(block, bump, axis=2)
            out[:, ts, :, first - lo:last - lo + 1] = block + cost[ts][None, :, None, None]
        return out

    def solve(self, cost: np.ndarray, weekend: float = 0.0, fixed: Mapping[int, int] | None = None
              ) -> Path | None:
        """Least-value row for ``cost[d, t]`` (local shift ``t`` on day ``d``) plus ``weekend`` per weekend
        worked (for a soft weekend rule); ``fixed`` maps days to the local shift that must be worked. None when
        no row exists."""
        return next(iter(self.paths(cost, weekend, fixed)), None)

    def paths(self, cost: np.ndarray, weekend: float = 0.0, fixed: Mapping[int, int] | None = None, count: int = 1
              ) -> list[Path]:
        """The least-value rows (as :meth:`solve`) of up to ``count`` different end states, least first: the
        best row, then the best rows that end with other minutes worked, counters or runs. Empty when no row
        exists."""
        fixed = fixed or {}
        h, a = self.horizon, len(self.allowed)
        k_max, ex, j_max = self.max_run, self.exempt, self.off_levels
        if a == 0:
            return [] if fixed or self.min_level > 0 else [Path(0.0, ())]
        bands = self.bands
        if not bands:
            return []  # the days cannot hold the minimum minutes
        cs = self.size + 1
        cost = np.where(self.day_off[:, None], INF, cost)
        off_ok = np.ones(h, dtype=bool)
        for d, t in fixed.items():
            row = np.full(a, INF)
            row[t] = cost[d, t]
            cost[d] = row
            off_ok[d] = False
        width = bands[0][1] - bands[0][0] + 1
        work = np.full((k_max, a, cs, width), INF)
        early = np.full((max(ex, 1), a, cs, width), INF)
        off = np.full((j_max, cs, width), INF)
        if off_ok[0] and bands[0][0] == 0:
            off[j_max - 1, 0, 0] = 0.0
        start = np.full((1, a, cs, 1), INF)
        start[0, :, 0, 0] = 0.0
        first = self._shifted(start, cost[0], False, (0, 0), bands[0])[0]
        if ex > 0:
            early[0] = first
        else:
            work[0] = first
        history = [(work, early, off)]
        for d in range(1, h):
            src, dst = bands[d - 1], bands[d]
            sunday = bool(self.sunday[d])
            lw = weekend if sunday else 0.0
            ended = work[self.min_run - 1:].min(axis=(0, 1))
            if ex > 0:
                ended = np.minimum(ended, early[:ex].min(axis=(0, 1)))
            if sunday:
                ended = self._bump(ended, self.weekend_stride)
            new_off = np.full((j_max, cs, src[1] - src[0] + 1), INF)
            if off_ok[d]:
                if j_max == 1:
                    new_off[0] = np.minimum(ended + lw, off[0])
                else:
                    new_off[0] = ended + lw
                    new_off[1:j_max - 1] = off[0:j_max - 2]
                    new_off[j_max - 1] = np.minimum(off[j_max - 2], off[j_max - 1])
            parts = [off[j_max - 1][None, None].repeat(a, axis=1)]
            if k_max > 1:
                parts.append(self._after(work[: k_max - 1]))
            pre = np.concatenate(parts) if len(parts) > 1 else parts[0]
            new_early = early
            if ex > 0:
                ge = self._after(early)
                no_run = np.full((1, *ge.shape[1:]), INF)
                grown = np.concatenate([no_run, ge[: ex - 1]]) if ex > 1 else no_run
                new_early = self._shifted(grown, cost[d] + lw, sunday, src, dst)
                if ex < k_max:
                    pre[ex] = np.minimum(pre[ex], ge[ex - 1])
            work = self._shifted(pre, cost[d] + lw, sunday, src, dst)
            early, off = new_early, _moved(new_off, src, dst)
            history.append((work, early, off))
        return self._best_paths(history, weekend, count)

    def _after(self, values: np.ndarray) -> np.ndarray:
        """``values[k, p, c, m]`` -> per shift ``t``: the least over the shifts ``p`` allowed before ``t``."""
        least = [_least_over(values, g) for g in self.groups]
        if len(least) == 1:
            return least[0][:, None].repeat(len(self.allowed), axis=1)
        return np.stack(least, axis=1)[:, self.group_of]

    # ------------------------------------------------------------------ backward walk
    def _best_paths(self, history: list[tuple[np.ndarray, np.ndarray, np.ndarray]], weekend: float, count: int
                    ) -> list[Path]:
        work, early, off = history[-1]
        tail = weekend if self.ends_saturday else 0.0
        if self.ends_saturday and self.weekend_stride:  # a last Saturday worked counts one more weekend
            work = self._bump(work, self.weekend_stride)
            early = self._bump(early, self.weekend_stride)
        size = self.size  # the sentinel counter value is left out
        lo = self.bands[-1][0]  # the minimum level: the last band holds the levels a row may end at
        unbump = self.weekend_stride if self.ends_saturday else 0
        ends = [*_least(work[..., :size, :] + tail, "w", lo, unbump, count),
                *_least(off[:, None, :size, :], "o", lo, 0, count)]
        if self.exempt > 0:
            ends += _least(early[: self.exempt, ..., :size, :] + tail, "e", lo, unbump, count)
        ends.sort(key=lambda c: c[0])
        return [Path(value, self._walk(history, state, weekend)) for value, state in ends[:count]]

    def _walk(self, history: list[tuple[np.ndarray, np.ndarray, np.ndarray]], state: State, weekend: float
              ) -> tuple[Cell, ...]:
        """The row the forward pass took to end in ``state``."""
        cells: list[Cell] = []
        for d in range(self.horizon - 1, -1, -1):
            if state[0] != "o":
                cells.append((d, self.allowed[state[2]]))
            if d == 0:
                break
            state = self._predecessor(history[d - 1], state, d, weekend)
        return tuple(reversed(cells))

    def _before(self, c: int, t: int, sunday: bool) -> int | None:
        """The counter before a day on which local shift ``t`` is worked (-1: a run ended on this Sunday)."""
        for stride, counted in ((self.weekend_stride, sunday), (int(self.type_stride[t]) if t >= 0 else 0, True)):
            if stride and counted:
                if (c // stride) % (self.limit_of[stride] + 1) == 0:
                    return None
                c -= stride
        return c

    def _predecessor(self, prev: tuple[np.ndarray, np.ndarray, np.ndarray], state: State, d: int,
                     weekend: float) -> State:
        """The state of day ``d - 1`` that the forward pass took to reach ``state`` on day ``d``."""
        work, early, off = prev
        kind, k, t, c, m = state
        sunday = bool(self.sunday[d])
        lw = weekend if sunday else 0.0
        j_max, ex = self.off_levels, self.exempt
        lo, hi = self.bands[d - 1]  # the arrays of day d - 1 hold these levels; a row's levels are inside them
        options: list[tuple[float, State]] = []
        if kind == "o":
            cc = self._before(c, -1, sunday) if k == 0 else c
            j, inside = m - lo, lo <= m <= hi
            if inside and k == 0 and cc is not None:
                for kk in range(self.min_run - 1, self.max_run):
                    tt = int(np.argmin(work[kk, :, cc, j]))
                    options.append((work[kk, tt, cc, j] + lw, ("w", kk, tt, cc, m)))
                for kk in range(ex):
                    tt = int(np.argmin(early[kk, :, cc, j]))
                    options.append((early[kk, tt, cc, j] + lw, ("e", kk, tt, cc, m)))
            if inside and k >= 1:
                options.append((off[k - 1, c, j], ("o", k - 1, 0, c, m)))
            if inside and k == j_max - 1:
                options.append((off[k, c, j], ("o", k, 0, c, m)))
        else:
            m0 = m - int(self.length[t])
            j0 = m0 - lo
            cc = self._before(c, t, sunday)
            assert cc is not None and lo <= m0 <= hi  # the forward pass only reaches what it could count up to
            preds = self.preds[t]
            if kind == "w" and k == 0:
                options.append((off[j_max - 1, cc, j0], ("o", j_max - 1, 0, cc, m0)))
            elif kind == "w":
                tt = int(preds[np.argmin(work[k - 1, preds, cc, j0])])
                options.append((work[k - 1, tt, cc, j0], ("w", k - 1, tt, cc, m0)))
                if k == ex:
                    tt = int(preds[np.argmin(early[k - 1, preds, cc, j0])])
                    options.append((early[k - 1, tt, cc, j0], ("e", k - 1, tt, cc, m0)))
            else:
                tt = int(preds[np.argmin(early[k - 1, preds, cc, j0])])
                options.append((early[k - 1, tt, cc, j0], ("e", k - 1, tt, cc, m0)))
        return min(options, key=lambda o: o[0])[1]


def _moved(values: np.ndarray, src: tuple[int, int], dst: tuple[int, int]) -> np.ndarray:
    """``values[..., m]`` over the levels of band ``src`` re-cut to band ``dst`` (levels outside ``src``
    infinite)."""
    lo, hi = dst
    if (lo, hi) == src:
        return values
    out = np.full((*values.shape[:-1], hi - lo + 1), INF)
    first, last = max(lo, src[0]), min(hi, src[1])
    if first <= last:
        out[..., first - lo:last - lo + 1] = values[..., first - src[0]:last - src[0] + 1]
    return out


def _most(gain: Sequence[int], max_run: int, min_off: int) -> list[int]:
    """``most[i]``: the most of ``gain`` a row can collect over the first ``i`` days, working runs of at most
    ``max_run`` days apart by at least ``min_off`` days off, from any state (an upper bound for any start)."""
    none = -1
    run = [none] * (max_run + 1)  # run[k]: the most with a run of k days ending today
    rest = [none] * (min_off + 1)  # rest[j]: the most with j days off ending today (min_off: enough to work)
    rest[min_off] = 0
    most = [0]
    for g in gain:
        new_rest = [none] * (min_off + 1)
        new_rest[1] = max(run[1:])
        for j in range(1, min_off + 1):
            new_rest[min(j + 1, min_off)] = max(new_rest[min(j + 1, min_off)], rest[j])
        new_run = [none] * (max_run + 1)
        if g > 0:
            new_run[1] = rest[min_off] + g if rest[min_off] > none else none
            for k in range(1, max_run):
                new_run[k + 1] = run[k] + g if run[k] > none else none
        run, rest = new_run, new_rest
        most.append(max(max(run), max(rest)))
    return most


def _least_over(values: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """``values[k, t, c, m]`` minimised over the shifts ``t`` given (all infinite when none may precede)."""
    if len(shifts) == 0:
        return np.full(values.shape[:1] + values.shape[2:], INF)
    return values[:, shifts].min(axis=1)


def _least(values: np.ndarray, kind: str, lo: int, unbump: int, count: int = 1) -> list[tuple[float, State]]:
    """The ``count`` least finite values of ``values[k, t, c, level - lo]`` as (value, state), least first.
    ``unbump`` is taken off the counter (an end-of-horizon count that is not part of the state)."""
    flat = values.reshape(-1)
    if flat.size == 0:
        return []
    picked = {int(np.argmin(flat))}  # the first of tied least values, as a single row always was
    if count > 1:
        picked.update(np.argpartition(flat, count - 1)[:count].tolist() if count < flat.size else range(flat.size))
    out = []
    for i in sorted(picked, key=lambda i: (flat[i], i))[:count]:
        if not math.isfinite(flat[i]):
            break
        k, t, c, level = (int(x) for x in np.unravel_index(i, values.shape))
        out.append((float(flat[i]), (kind, k, t, c - unbump, level + lo)))
    return out


@dataclass
class CountingRules:
    """The counting rules left soft by the programme: per-type limits and the weekend limit."""

    types: list[int]  # local shift indices
    limits: np.ndarray
    weekend_limit: int | None  # None when the rule cannot bind or the programme keeps it exactly

    @classmethod
    def of(cls, programme: RowProgramme) -> CountingRules:
        return cls(list(programme.soft_types), np.array(programme.soft_limits, dtype=float), programme.soft_weekend)

    def broken(self, programme: RowProgramme, cells: Sequence[Cell], instance: Instance) -> set[int]:
        """The rules ``cells`` break: local shift indices, and ``WEEKEND`` for the weekend rule."""
        excess, weekend = self.excess(programme, cells, instance)
        return {self.types[i] for i in np.flatnonzero(excess > 0)} | ({WEEKEND} if weekend > 0 else set())

    def excess(self, programme: RowProgramme, cells: Sequence[Cell], instance: Instance
               ) -> tuple[np.ndarray, float]:
        """Per soft type and for a soft weekend rule: count minus limit (positive = broken)."""
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


class GrowingPricer:
    """Exact pricing by the row programme, counting rules entering its state only once a best row breaks them.

    This is decremental state-space relaxation (Righini and Salani, 2008): the programme without a counting rule
    is a relaxation, so its best row, when it keeps every rule, is the optimum. When it breaks some, those rules
    join the state (for this and every later call, rules that bound once tend to bind again) and the programme is
    solved again. Rules enter only while the values (``states``) stay within ``budget``; past it the call returns
    the relaxation's value as a lower bound, no row, and not optimal (the caller prices another way).

    Measured on Instance13 (28 days, 120 employees, five per-type limits beyond the budget of a full counter):
    with the levels of every day counted, 114 of 120 employees priced exactly, most with 2-4 rules in the state,
    6 left to CP-SAT by the budget, the LP solved in 54 rounds, 150-200 s on two cores; with only the bands'
    levels counted (and held), all 120, the LP solved in 36 rounds, 108 s.
    """

    def __init__(self, instance: Instance, e: int, request: Mapping[Cell, int], budget: int = 20_000_000) -> None:
        self.instance = instance
        self.e = e
        self.request = request
        self.budget = budget
        self.keep: frozenset[int] = frozenset()
        self._programmes: dict[frozenset[int], RowProgramme] = {}
        self.programme = self._programme(self.keep)
        self.fixed: dict[int, int] = {}
        self.forbidden: set[Cell] = set()  # (day, global shift index) no row may work
        self.stuck = False  # a broken rule did not fit the budget (in some call so far)

    def _programme(self, keep: frozenset[int]) -> RowProgramme:
        if keep not in self._programmes:
            self._programmes[keep] = RowProgramme(self.instance, self.e, self.budget, keep)
        return self._programmes[keep]

    def fix(self, cell: Cell) -> None:
        """From now on every row works ``cell`` (day, global shift index)."""
        self.fixed[cell[0]] = self.programme.local[cell[1]]

    def _cost(self, dual: Mapping[Cell, float]) -> np.ndarray:
        """``cost[d, t]``: request minus dual of local shift ``t`` on day ``d`` (infinite where forbidden)."""
        rp = self.programme
        h = rp.horizon
        cost = np.array([[self.request.get((d, g), 0) - dual.get((d, g), 0.0) for g in rp.allowed]
                         for d in range(h)]).reshape(h, len(rp.allowed))
        for d, s in self.forbidden:
            cost[d, rp.local[s]] = INF
        return cost

    def price(self, dual: Mapping[Cell, float], count: int = 1
              ) -> tuple[list[tuple[float, tuple[Cell, ...]]], float, bool]:
        """([(value, cells)] of the best row, then up to ``count - 1`` more rows that keep every rule (the best
        of other end states, :meth:`RowProgramme.paths`), the best value, True), or ([], a lower bound, False)
        when a broken rule does not fit the budget; ``([], inf, True)`` when no row exists."""
        rp = self.programme
        cost = self._cost(dual)
        while True:
            found = rp.paths(cost, 0.0, self.fixed, count)
            if not found:
                return [], INF, True
            path = found[0]
            rules = CountingRules.of(rp)
            broken = rules.broken(rp, path.cells, self.instance)
            if not broken:
                rows = [(p.value, p.cells) for p in found if p is path or not rules.broken(rp, p.cells, self.instance)]
                return rows, path.value, True
            grown = self.keep | broken
            bigger = self._programme(grown)
            if broken & bigger.soft:
                self.stuck = True
                return [], path.value, False
            self.keep, self.programme, rp = grown, bigger, bigger

    def feasible_row(self, dual: Mapping[Cell, float], tries: int = 60) -> tuple[float, tuple[Cell, ...]] | None:
        """A row keeping every rule, cheap for ``dual`` though not the best: the current programme's best row
        is repaired by forbidding, for each rule it breaks by ``k``, its ``k`` dearest shifts of that type (its
        ``k`` dearest weekends worked), and the programme runs again, until the row keeps every rule. When the
        forbidden cells leave no row, the last ones are taken back and half as many forbidden (down to one
        cell, or one weekend, which is then kept open). None after ``tries`` runs without such a row.

        For the employees whose counting rules do not fit the budget this gives a row in a fraction of a second
        where CP-SAT can take a minute to find any (Instance22: 364 days, a year's minutes within a 960-minute
        window). Lagrange penalties on the broken rules did worse: the rows' values tie closely, so the rows
        swing from one broken rule to another as the penalties move."""
        rp = self.programme
        rules = CountingRules.of(rp)
        cost = self._cost(dual)
        weekend_of = {w[0]: w for w in self.instance.weekends()}  # Saturday -> the weekend's days
        share = 1.0  # of each excess forbidden at once
        kept: set[tuple[int, int]] = set()  # (day, local shift, or -1 for a weekend's Saturday) kept open
        last: list[tuple[int, int]] = []  # the cells forbidden by the last step
        saved, previous = cost, None
        single = False
        dear: list[tuple[int, list[tuple[int, int]]]] = []  # per broken rule: (excess, candidates dearest first)
        for _ in range(tries):
            path = rp.solve(cost, 0.0, self.fixed)
            if path is None or not math.isfinite(path.value):
                if previous is None:
                    return None
                if len(last) == 1:
                    kept.add(last[0])
                single = len(last) <= len(dear)  # one cell per rule failed: one cell at a time
                share /= 2
                cost, path = saved, previous
            excess, weekend = rules.excess(rp, path.cells, self.instance)
            if (excess <= 0).all() and weekend <= 0:
                return path.value, path.cells
            worked = {d: rp.local[s] for d, s in path.cells if d not in self.fixed}
            dear = []  # the weekend rule first: it takes days away, the hardest to keep within the minutes
            if weekend > 0:
                ends = [w for w in self.instance.weekends() if any(d in worked for d in w) and (w[0], -1) not in kept]
                ends.sort(key=lambda w: -sum(cost[d, worked[d]] for d in w if d in worked))
                dear.append((int(weekend), [(w[0], -1) for w in ends]))
            for i in np.flatnonzero(excess > 0):
                t = rules.types[i]
                cells = sorted(((d, t) for d, u in worked.items() if u == t and (d, t) not in kept),
                               key=lambda c: -cost[c])
                dear.append((int(excess[i]), cells))
            last = [c for k, candidates in dear for c in candidates[: max(1, int(share * k))]]
            if single:
                last = last[:1]
            elif not last:
                return None
            single = False
            saved, previous, cost = cost, path, cost.copy()
            for d, t in last:
                if t >= 0:
                    cost[d, t] = INF
                    continue
                for day in weekend_of[d]:
                    if day not in self.fixed:
                        cost[day, :] = INF
        return None


def narrowed_pricer(instance: Instance, e: int, request: Mapping[Cell, int], worth: Mapping[int, float],
                    keep: frozenset[int] = frozenset(), budget: int = 20_000_000) -> GrowingPricer | None:
    """A :class:`GrowingPricer` for employee ``e`` restricted to the shift types (global indices) worth most,
    ``keep`` always among them, added in order of ``worth`` while the programme stays within ``budget``; None
    when even ``keep`` does not fit. Its rows keep every rule -- the other types are simply not worked -- so
    its repaired rows (:meth:`GrowingPricer.feasible_row`) are feasible, though the best row may use a type
    left out. For employees whose full programme is over the budget (35 of Instance24's 150: 26 types on a
    120-minute grid over a year's minutes): a few types of one length make the minute levels four times
    coarser as well."""
    emp = instance.staff[e]
    allowed = [s for s, sh in enumerate(instance.shifts) if emp.max_shifts.get(sh.id, 0) > 0]
    chosen = [s for s in allowed if s in keep]
    ranked = sorted((s for s in allowed if s not in keep), key=lambda s: -worth.get(s, 0.0))

    def single(types: Sequence[int]) -> Instance:
        ids = {instance.shifts[s].id for s in types}
        return instance.alone(replace(emp, max_shifts={sid: (n if sid in ids else 0)
                                                      for sid, n in emp.max_shifts.items()}))

    def fits(types: Sequence[int]) -> bool:
        return RowProgramme(single(types), 0, budget, frozenset()).states <= budget

    if chosen and not fits(chosen):
        return None
    for s in ranked:
        if fits([*chosen, s]):
            chosen.append(s)
    if not chosen:
        return None
    return GrowingPricer(single(chosen), 0, request, budget)
