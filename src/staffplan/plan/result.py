"""A solved plan read back from the model: tours with headcounts, allocation per stream, KPIs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from staffplan.plan.model import PlanModel
from staffplan.plan.tours import STANDARD_WEEK_HOURS, Tour
from staffplan.requirements.build import Requirements
from staffplan.requirements.deferred import simulate_fifo
from staffplan.scenario.forecast_file import Stream
from staffplan.scenario.schema import Scenario


@dataclass(frozen=True)
class PlannedTour:
    pool: str
    site: str
    vendor: str
    headcount: int
    tour: Tour


@dataclass(frozen=True)
class StreamOutcome:
    """What the plan delivers to one stream."""

    scheduled: np.ndarray  # productive agents allocated per slot
    shortfall: np.ndarray  # realtime: agents short of the requirement per slot
    late_share: float  # deferred: share of the week's work not done within the window (FIFO)
    oldest_age_hours: float  # deferred: the oldest report's age at its worst moment


@dataclass(frozen=True, eq=False)
class Plan:
    status: str
    objective: float
    lower_bound: float
    gap: float
    seconds: float
    tours: tuple[PlannedTour, ...]
    outcomes: dict[Stream, StreamOutcome]
    allocation: dict[tuple[str, int, Stream], float]  # (pool, slot, stream) → productive agents
    on_duty: dict[str, np.ndarray]  # pool → agents on duty per slot (meal excluded)
    cost_per_week: float

    def fte(self, key: str) -> dict[str, float]:
        """FTE (40 paid hours) per site or vendor."""
        out: dict[str, float] = {}
        for t in self.tours:
            name = t.site if key == "site" else t.vendor
            out[name] = out.get(name, 0.0) + t.headcount * t.tour.paid_hours / STANDARD_WEEK_HOURS
        return dict(sorted(out.items()))


def read_plan(scenario: Scenario, requirements: Requirements, model: PlanModel, values: np.ndarray, *,
              status: str, objective: float, lower_bound: float, gap: float, seconds: float) -> Plan:
    grid = requirements.grid
    T = grid.num_slots
    site_vendor = {s.id: s.vendor for s in scenario.sites}
    tours = tuple(
        PlannedTour(pool, tour.site, site_vendor[tour.site], round(values[var]), tour)
        for pool, tour, var in model.tours if round(values[var]) > 0
    )
    allocation = {key: float(values[var]) for key, var in model.alloc.items() if values[var] > 1e-6}
    per_stream = {need.stream: np.zeros(T) for need in requirements.needs}
    for (_, t, stream), amount in allocation.items():
        per_stream[stream][t] += amount
    outcomes: dict[Stream, StreamOutcome] = {}
    for need in requirements.needs:
        scheduled = per_stream[need.stream]
        shortfall = np.maximum(need.required_net - scheduled, 0.0) if need.kind == "realtime" else np.zeros(T)
        late, age = 0.0, 0.0
        if need.kind == "deferred":
            assert need.work is not None and need.window_slots is not None
            fifo = simulate_fifo(need.work.tolist(), scheduled.tolist(), need.window_slots)
            late = 1.0 - fifo.share_within_target
            age = fifo.max_age * grid.interval_minutes / 60.0
        outcomes[need.stream] = StreamOutcome(scheduled, shortfall, late, age)
    on_duty = {pool: np.array([values[model.on_duty[pool, t]] for t in range(T)])
               for pool in {p for p, _ in model.on_duty}}
    cost = sum(t.headcount * t.tour.cost for t in tours)
    return Plan(status, objective, lower_bound, gap, seconds, tours, outcomes, allocation, on_duty, cost)
