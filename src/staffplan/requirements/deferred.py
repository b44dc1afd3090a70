"""Deadline model for deferred (back-office) queues over a cyclic week of slots.

Convention: work arriving in slot t is on time if it is finished by the end of slot t + W − 1, where
W = `window_slots` (so W = 1 means "within the arrival slot"). Quantities are floats in agent-slots of work;
capacity is agent-slots available per slot. Work is served first-in first-out, fractionally, and the week
wraps: Sunday's backlog is Monday's starting backlog.

The deadline target is made linear for the optimiser as a cap on the backlog left at the end of each slot
(`backlog_caps`), with the FIFO recursion backlog[t] = backlog[t−1] + arrivals[t] − served[t]. Because FIFO
leaves the newest work in the backlog, "backlog[t] ≤ cap[t]" fixes how much of each arrival slot may still be
waiting when its deadline passes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FifoResult:
    """FIFO service of a week of arrivals, in the steady state of the repeating week (or one pass if not cyclic).

    backlog[t]       work left at the end of slot t
    oldest_age[t]    age in slots of the oldest unfinished work at the end of slot t, measured from the start of
                     its arrival slot (so work from slot c is t − c + 1 slots old); 0 when nothing waits
    served[t]        work done in slot t
    on_time[c]       share of slot c's arrivals finished by the end of slot c + W − 1 (1.0 when nothing arrived)
    share_within_target  share of the week's arrivals finished within the window
    late_work        work of the week not finished within the window
    total_arrivals   the week's arrivals
    max_age          the largest oldest_age
    stable           total capacity ≥ total arrivals (otherwise the backlog grows every week; the figures are
                     then those of the second week run from an empty queue)
    """

    backlog: list[float]
    oldest_age: list[float]
    served: list[float]
    on_time: list[float]
    share_within_target: float
    late_work: float
    total_arrivals: float
    max_age: float
    stable: bool


# --------------------------------------------------------------------------------------------------------------
# validation and helpers


def _amounts(values: Sequence[float], name: str) -> list[float]:
    """Floats ≥ 0 (round-off negatives above −1e-9 become 0); at least one slot."""
    out = [float(v) for v in values]
    if not out:
        raise ValueError(f"{name} must have at least one slot")
    for v in out:
        if math.isnan(v) or math.isinf(v) or v < -1e-9:
            raise ValueError(f"{name} must be finite and non-negative, got {v!r}")
    return [max(0.0, v) for v in out]


def _window(window_slots: int) -> int:
    if int(window_slots) != window_slots or window_slots < 1:
        raise ValueError(f"window_slots must be a whole number ≥ 1, got {window_slots!r}")
    return int(window_slots)


def _share(share: float) -> float:
    share = float(share)
    if math.isnan(share) or not 0.0 < share <= 1.0:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    return share


def _trailing_sums(values: list[float], length: int) -> list[float]:
    """Cyclic sum of the `length` slots ending at each slot t (t − length + 1 .. t); length may exceed a week."""
    n = len(values)
    whole_weeks, rest = divmod(length, n)
    week = math.fsum(values)
    prefix = [0.0]
    for v in values + values:
        prefix.append(prefix[-1] + v)
    return [whole_weeks * week + (prefix[t + n + 1] - prefix[t + n + 1 - rest]) for t in range(n)]


# --------------------------------------------------------------------------------------------------------------
# caps and reference capacity


def backlog_caps(arrivals: Sequence[float], window_slots: int, share: float) -> list[float]:
    """Most work that may remain unserved at the end of each slot for the deadline target to hold.

    cap[t] = Σ arrivals[t−W+2 .. t] + (1 − share)·arrivals[t−W+1]   (cyclic)

    i.e. all work younger than the window may wait, plus (1 − share) of the arrival slot whose deadline is the
    end of slot t. With share = 1 everything older must be done. Guarantee: under FIFO, backlog[t] ≤ cap[t] for
    every t means *every arrival slot* has at least `share` of its work finished within the window, hence so
    does the week as a whole (share_within_target ≥ share). This is deliberately stronger than a bound on the
    week's total: a surrogate such as S(t) ≥ A(t − W) − (1 − share)·(weekly volume) only bounds the late work
    outstanding at any instant and can let every slot's work be a little late.
    """
    values = _amounts(arrivals, "arrivals")
    window, share = _window(window_slots), _share(share)
    n = len(values)
    younger = _trailing_sums(values, window - 1) if window > 1 else [0.0] * n
    return [younger[t] + (1.0 - share) * values[(t - window + 1) % n] for t in range(n)]


def reference_capacity(arrivals: Sequence[float], window_slots: int, share: float) -> list[float]:
    """A smooth capacity curve meeting the deadline target: the trailing W-slot average of arrivals (cyclic).

    Each slot's arrivals are spread evenly over their own window, so FIFO finishes every arrival slot's work in
    full by its deadline (so any share ≤ 1 is met), and its weekly total equals the week's arrivals, the least
    any capacity that keeps the cyclic backlog from growing can have. `share` is validated but does not change
    the curve. Used as the reported `required_net`.
    """
    values = _amounts(arrivals, "arrivals")
    window = _window(window_slots)
    _share(share)
    return [total / window for total in _trailing_sums(values, window)]


# --------------------------------------------------------------------------------------------------------------
# FIFO simulation


@dataclass
class _Run:
    """Cumulative arrivals and service over the simulated horizon (slot index g = week · n + t)."""

    arrived: list[float]  # cumulative arrivals through slot g
    served: list[float]  # cumulative service through slot g
    per_slot_served: list[float]


def _run(arrivals: list[float], capacity: list[float], slots: int, cyclic: bool) -> _Run:
    """Work-conserving FIFO (Lindley recursion) from an empty queue; no arrivals or capacity past the week
    unless cyclic."""
    n = len(arrivals)
    total_in = total_out = backlog = 0.0
    run = _Run([], [], [])
    for g in range(slots):
        inside = cyclic or g < n
        arrive = arrivals[g % n] if inside else 0.0
        serve = min(capacity[g % n] if inside else 0.0, backlog + arrive)
        backlog = backlog + arrive - serve
        total_in += arrive
        total_out += serve
        run.arrived.append(total_in)
        run.served.append(total_out)
        run.per_slot_served.append(serve)
    return run


def _ages(run: _Run, first: int, n: int, eps: float) -> list[float]:
    """Age of the oldest unfinished work at the end of each slot of the measured week."""
    ages, oldest = [], 0
    for g in range(first + n):
        while oldest <= g and run.arrived[oldest] <= run.served[g] + eps:
            oldest += 1
        if g >= first:
            ages.append(float(g - oldest + 1) if oldest <= g else 0.0)
    return ages


def _lateness(arrivals: list[float], run: _Run, first: int, window: int, eps: float) -> list[float]:
    """Work of each measured arrival slot c still unfinished at the end of slot c + W − 1 (FIFO order)."""
    late = []
    for t, amount in enumerate(arrivals):
        c = first + t
        ahead_and_self = run.arrived[c]
        remaining = min(amount, max(0.0, ahead_and_self - run.served[c + window - 1]))
        late.append(remaining if remaining > eps else 0.0)
    return late


def simulate_fifo(arrivals: Sequence[float], capacity: Sequence[float], window_slots: int,
                  cyclic: bool = True) -> FifoResult:
    """FIFO service of arrival cohorts with the given capacity per slot.

    cyclic=True: the week repeats. One warm-up week from an empty queue reaches the periodic steady state
    exactly whenever total capacity ≥ total arrivals (the backlog is then at most a week's arrivals), and the
    following week is measured, continuing past its end until its last deadline. If capacity falls short the
    result is flagged unstable and reports that second week (nothing loops). cyclic=False: one pass from an
    empty queue with no capacity after the week, so work unfinished at the end counts as late.
    """
    work, cap = _amounts(arrivals, "arrivals"), _amounts(capacity, "capacity")
    if len(work) != len(cap):
        raise ValueError(f"arrivals and capacity differ in length ({len(work)} vs {len(cap)})")
    window = _window(window_slots)
    n = len(work)
    eps = 1e-9 * max(1.0, max(work))
    first = n if cyclic else 0
    run = _run(work, cap, first + n + window - 1, cyclic)
    late = _lateness(work, run, first, window, eps)
    ages = _ages(run, first, n, eps)
    backlog = [max(0.0, run.arrived[g] - run.served[g]) for g in range(first, first + n)]
    total, late_work = math.fsum(work), math.fsum(late)
    return FifoResult(
        backlog=[b if b > eps else 0.0 for b in backlog],
        oldest_age=ages,
        served=run.per_slot_served[first:first + n],
        on_time=[1.0 - lt / a if a > 0.0 else 1.0 for a, lt in zip(work, late, strict=True)],
        share_within_target=min(1.0, max(0.0, 1.0 - late_work / total)) if total > 0.0 else 1.0,
        late_work=late_work,
        total_arrivals=total,
        max_age=max(ages),
        stable=math.fsum(cap) >= total - eps,
    )
