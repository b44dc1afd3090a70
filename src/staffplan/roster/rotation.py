"""Intraday rotation: per agent and interval, the queue they work — with egregious time per shift bounded.

Per pool and interval, the plan's allocation to streams (productive agents, fractional) is rounded by
largest remainders to whole agents, capped at the agents actually on duty. Egregious streams are handed
first to the on-duty agents with the least egregious time so far in their shift and room under the cap,
then sensitive and standard work, preferring agents who just did egregious work for standard queues
(rotation between tiers). Agents left over are off queue: the first such slot after egregious work in a
shift is wellness time, the rest shrinkage (coaching, training, breaks). The meal is the tour's unpaid meal.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from staffplan.check.recompute import SEVERITY_RANK
from staffplan.plan.result import Plan
from staffplan.roster.assign import Assignment
from staffplan.scenario.forecast_file import Stream
from staffplan.scenario.schema import Scenario, Severity
from staffplan.scenario.timegrid import TimeGrid

WELLNESS = "wellness"
OFF_QUEUE = "off-queue"
MEAL = "meal"


@dataclass(frozen=True)
class Activity:
    agent_id: str
    slot: int
    shift: int  # index of the agent's shift in the week (local day order)
    activity: str  # "queue/language", wellness, off-queue or meal
    severity: Severity | None


@dataclass(frozen=True, eq=False)
class Rotation:
    activities: tuple[Activity, ...]
    unstaffed: dict[tuple[int, Stream], int]  # whole agents the rotation could not place, per slot and stream


def _largest_remainder(amounts: dict[Stream, float], total: int) -> dict[Stream, int]:
    floors = {s: math.floor(v + 1e-9) for s, v in amounts.items()}
    left = total - sum(floors.values())
    order = sorted(amounts, key=lambda s: (-(amounts[s] - floors[s]), s))
    for s in order[: max(0, left)]:
        floors[s] += 1
    return floors


def rotate(scenario: Scenario, plan: Plan, grid: TimeGrid, assignments: tuple[Assignment, ...]) -> Rotation:
    severity = {q.id: q.severity for q in scenario.queues}
    cap_slots = int(scenario.wellbeing.max_egregious_hours_per_shift * 60 // grid.interval_minutes)
    T = grid.num_slots
    # Who is on duty (or at the meal) in every slot, per pool.
    on: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    meals: list[Activity] = []
    for a in sorted(assignments, key=lambda a: a.agent_id):
        for k, shift in enumerate(sorted(a.tour.tour.shifts, key=lambda s: s.day)):
            meal = range(shift.meal_offset, shift.meal_offset + shift.meal_slots)
            for offset in range(shift.slots):
                slot = (shift.start_slot + offset) % T
                if offset in meal:
                    meals.append(Activity(a.agent_id, slot, k, MEAL, None))
                else:
                    on[a.pool, slot].append((a.agent_id, k))
    allocation: dict[tuple[str, int], dict[Stream, float]] = defaultdict(dict)
    for (pool, t, stream), agents in plan.allocation.items():
        allocation[pool, t][stream] = agents
    exposure: dict[tuple[str, int], int] = defaultdict(int)  # (agent, shift) → egregious slots so far
    last_egregious: set[tuple[str, int]] = set()
    rested: set[tuple[str, int]] = set()
    out: list[Activity] = list(meals)
    unstaffed: dict[tuple[int, Stream], int] = {}
    pools = sorted({p for p, _ in on} | {p for p, _ in allocation})
    for t in _chronological(T, on):
        for pool in pools:
            present = on.get((pool, t), [])
            wanted = allocation.get((pool, t), {})
            total = min(len(present), round(sum(wanted.values())))
            counts = _largest_remainder(wanted, total) if wanted else {}
            free = list(present)
            streams = sorted(counts, key=lambda s: (-SEVERITY_RANK[severity[s[0]]], s))
            worked_egregious: set[tuple[str, int]] = set()
            for stream in streams:
                tier = severity[stream[0]]
                for _ in range(counts[stream]):
                    pick = _pick(free, tier, exposure, last_egregious, cap_slots)
                    if pick is None:
                        unstaffed[t, stream] = unstaffed.get((t, stream), 0) + 1
                        continue
                    free.remove(pick)
                    if tier is Severity.EGREGIOUS:
                        exposure[pick] += 1
                        worked_egregious.add(pick)
                    out.append(Activity(pick[0], t, pick[1], f"{stream[0]}/{stream[1]}", tier))
            for pick in sorted(free):
                label = OFF_QUEUE
                if exposure[pick] > 0 and pick not in rested:
                    label = WELLNESS
                    rested.add(pick)
                out.append(Activity(pick[0], t, pick[1], label, None))
            last_egregious = (last_egregious - {p for p in present}) | worked_egregious
    out.sort(key=lambda a: (a.agent_id, a.slot))
    return Rotation(tuple(out), unstaffed)


def _chronological(T: int, on: dict[tuple[str, int], list[tuple[str, int]]]) -> list[int]:
    """Slots in time order, starting where the fewest agents are on duty so that shifts rarely wrap."""
    load = np.zeros(T)
    for (_, t), people in on.items():
        load[t] += len(people)
    start = int(np.argmin(load)) if T else 0
    return [(start + k) % T for k in range(T)]


def _pick(free: list[tuple[str, int]], tier: Severity, exposure: dict[tuple[str, int], int],
          last_egregious: set[tuple[str, int]], cap_slots: int) -> tuple[str, int] | None:
    if not free:
        return None
    if tier is Severity.EGREGIOUS:
        room = [p for p in free if exposure[p] < cap_slots]
        return min(room, key=lambda p: (exposure[p], p)) if room else None
    if tier is Severity.STANDARD:  # a break from egregious work first
        return min(free, key=lambda p: (p not in last_egregious, -exposure[p], p))
    return min(free, key=lambda p: (p in last_egregious, exposure[p], p))


@dataclass(frozen=True)
class LedgerRow:
    agent_id: str
    local_date: str
    egregious_hours: float
    sensitive_hours: float
    standard_hours: float
    wellness_hours: float
    max_egregious_hours_in_a_shift: float


def exposure_ledger(rotation: Rotation, assignments: tuple[Assignment, ...], grid: TimeGrid) -> list[LedgerRow]:
    """Hours per severity tier per agent and local day (the shift's start day), and the worst shift."""
    hours = grid.interval_minutes / 60.0
    shift_day: dict[tuple[str, int], str] = {}
    for a in assignments:
        for k, shift in enumerate(sorted(a.tour.tour.shifts, key=lambda s: s.day)):
            shift_day[a.agent_id, k] = shift.local_start.date().isoformat()
    sums: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    per_shift: dict[tuple[str, int], float] = defaultdict(float)
    for act in rotation.activities:
        key = (act.agent_id, shift_day[act.agent_id, act.shift])
        if act.severity is not None:
            sums[key][act.severity.value] += hours
            if act.severity is Severity.EGREGIOUS:
                per_shift[act.agent_id, act.shift] += hours
        elif act.activity == WELLNESS:
            sums[key]["wellness"] += hours
    worst: dict[str, float] = defaultdict(float)
    for (agent, _), h in per_shift.items():
        worst[agent] = max(worst[agent], h)
    return [LedgerRow(agent, day, round(v["egregious"], 2), round(v["sensitive"], 2), round(v["standard"], 2),
                      round(v["wellness"], 2), round(worst[agent], 2))
            for (agent, day), v in sorted(sums.items())]
