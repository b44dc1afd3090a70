"""Recompute a plan from its tour headcounts alone: allocation, coverage, gaps and rule violations.

The headcounts fix the tour counts of the plan model; the best allocation of those agents to streams is
an LP. Caps (seats, pool and vendor limits) are lifted for that LP so an edited plan that breaks them is
still measured — and each broken cap is reported as a violation instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from staffplan.plan.model import PlanModel, build_model, exposure_ratio, pool_limits
from staffplan.plan.result import Plan, read_plan
from staffplan.plan.solve import SolveSettings, solve_lp
from staffplan.plan.tours import STANDARD_WEEK_HOURS
from staffplan.requirements.build import Requirements, build_requirements, productive_share
from staffplan.requirements.deferred import simulate_fifo
from staffplan.scenario.issues import InputError, InputIssue
from staffplan.scenario.load import Inputs
from staffplan.scenario.schema import Severity

CAP_ROWS = ("seats[", "pool_headcount[", "vendor_fte[")
SEVERITY_RANK = {Severity.EGREGIOUS: 3, Severity.SENSITIVE: 2, Severity.STANDARD: 1}


@dataclass(frozen=True)
class Gap:
    interval_start: dt.datetime
    queue: str
    language: str
    severity: Severity
    kind: str  # realtime, deferred or floor
    required: float
    scheduled: float
    short: float  # productive agents short (deferred: agent-intervals of work not done in time)

    @property
    def weight(self) -> float:
        return SEVERITY_RANK[self.severity] * self.short


@dataclass(frozen=True)
class Violation:
    rule: str
    where: str
    detail: str


@dataclass(frozen=True, eq=False)
class CheckResult:
    requirements: Requirements
    plan: Plan
    gaps: tuple[Gap, ...]
    violations: tuple[Violation, ...]


def tour_index(model: PlanModel) -> dict[str, int]:
    """The plan.json / workbook tour id → the model's tour variable."""
    return {f"{pool}.{tour.id}": var for pool, tour, var in model.tours}


def check_plan(inputs: Inputs, headcounts: dict[str, int], source: str, *, tolerance: float = 0.05,
               settings: SolveSettings | None = None) -> CheckResult:
    requirements = build_requirements(inputs)
    # Every pool's tours exist whatever the roster holds; the roster's limits are checked as violations.
    model = build_model(dataclasses.replace(inputs, roster=None), requirements)
    index = tour_index(model)
    unknown = sorted(set(headcounts) - set(index))
    if unknown:
        raise InputError([InputIssue(source, None, "tour_id", t, "no such tour in this model (site, pool, template, "
                                     "start and days must match a tour the labor rules allow)") for t in unknown])
    lp = model.lp
    relaxed = dataclasses.replace(lp, row_lo=list(lp.row_lo), row_hi=list(lp.row_hi))
    for i, name in enumerate(relaxed.row_names):
        if name.startswith(CAP_ROWS):
            relaxed.row_lo[i], relaxed.row_hi[i] = -math.inf, math.inf
    lb, ub = np.asarray(lp.lb, dtype=float), np.asarray(lp.ub, dtype=float)
    tour_vars = np.array([var for _, _, var in model.tours], dtype=np.int64)
    lb[tour_vars] = 0.0
    ub[tour_vars] = 0.0
    for tour, count in headcounts.items():  # the fixed count may exceed a cap: that is reported, not refused
        lb[index[tour]] = ub[index[tour]] = float(count)
    values = solve_lp(relaxed, settings or SolveSettings(time_limit_s=600), lb=lb, ub=ub)
    if values is None:
        raise RuntimeError("the allocation LP of a fixed plan did not solve")
    objective = lp.objective(values)
    plan = read_plan(inputs.scenario, requirements, model, values, status="checked", objective=objective,
                     lower_bound=math.nan, gap=math.nan, seconds=0.0)
    gaps = find_gaps(requirements, plan, tolerance)
    violations = _violations(inputs, requirements, model, plan)
    return CheckResult(requirements, plan, tuple(gaps), tuple(violations))


def find_gaps(requirements: Requirements, plan: Plan, tolerance: float) -> list[Gap]:
    grid = requirements.grid
    gaps: list[Gap] = []
    for need in requirements.needs:
        scheduled = plan.outcomes[need.stream].scheduled
        for t in range(grid.num_slots):
            required, have = float(need.required_net[t]), float(scheduled[t])
            if need.kind == "realtime" and required - have > tolerance:
                gaps.append(Gap(grid.slot_start(t), need.queue, need.language, need.severity, "realtime",
                                required, have, required - have))
            elif float(need.floor[t]) - have > tolerance:
                gaps.append(Gap(grid.slot_start(t), need.queue, need.language, need.severity, "floor",
                                float(need.floor[t]), have, float(need.floor[t]) - have))
        if need.kind == "deferred":
            assert need.work is not None and need.window_slots is not None and need.share is not None
            fifo = simulate_fifo(need.work.tolist(), scheduled.tolist(), need.window_slots)
            for c, share in enumerate(fifo.on_time):
                late = (need.share - share) * float(need.work[c])
                if late > tolerance:
                    gaps.append(Gap(grid.slot_start(c), need.queue, need.language, need.severity, "deferred",
                                    float(need.work[c]), float(need.work[c]) * share, late))
    return sorted(gaps, key=lambda g: (-g.weight, g.interval_start, g.queue, g.language))


def _violations(inputs: Inputs, requirements: Requirements, model: PlanModel, plan: Plan) -> list[Violation]:
    scenario, grid = inputs.scenario, requirements.grid
    out: list[Violation] = []
    seat_use: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(grid.num_slots))
    pool_count: dict[str, int] = defaultdict(int)
    vendor_fte: dict[str, float] = defaultdict(float)
    for planned in plan.tours:
        pool_count[planned.pool] += planned.headcount
        vendor_fte[planned.vendor] += planned.headcount * planned.tour.paid_hours / STANDARD_WEEK_HOURS
        rules = scenario.pack(scenario.site(planned.site).labor_rules)
        shifts = sorted(planned.tour.shifts, key=lambda s: s.local_start)
        for shift in shifts:
            seat_use[planned.site][shift.working_slots(grid.num_slots)] += planned.headcount
        ends = [(s.local_start, s.local_start + s.slots * grid.interval) for s in shifts]
        cyclic = [*ends, (ends[0][0] + dt.timedelta(days=7), ends[0][1] + dt.timedelta(days=7))]
        rest = min((b[0] - a[1] for a, b in itertools.pairwise(cyclic)), default=dt.timedelta(days=7))
        tour = f"{planned.pool}.{planned.tour.id}"
        if rest < dt.timedelta(hours=rules.min_rest_hours):
            out.append(Violation("rest", tour, f"{rest.total_seconds() / 3600:.1f} h < {rules.min_rest_hours} h"))
        if 7 - len({s.day for s in shifts}) < rules.min_days_off_per_week:
            out.append(Violation("days off", tour, f"fewer than {rules.min_days_off_per_week} days off"))
        if planned.tour.paid_hours > rules.max_weekly_hours:
            out.append(Violation("weekly hours", tour, f"{planned.tour.paid_hours:g} h > {rules.max_weekly_hours} h"))
    for site in scenario.sites:
        use = seat_use[site.id]
        for t in np.flatnonzero(use > site.seats + 1e-6).tolist():
            out.append(Violation("seats", f"{site.id} {grid.slot_start(t):%a %H:%M} UTC",
                                 f"{use[t]:.0f} on duty > {site.seats} seats"))
    for pool, limit in pool_limits(inputs).items():
        if pool_count[pool] > limit:
            out.append(Violation("pool headcount", pool, f"{pool_count[pool]} agents > {limit} available"))
    for vendor in scenario.vendors:
        fte = vendor_fte[vendor.id]
        if fte < vendor.min_fte - 1e-6 or (vendor.max_fte is not None and fte > vendor.max_fte + 1e-6):
            out.append(Violation("vendor FTE", vendor.id, f"{fte:.1f} FTE outside [{vendor.min_fte}, "
                                 f"{vendor.max_fte if vendor.max_fte is not None else '∞'}]"))
    out += _exposure(inputs, requirements, plan)
    return out


def _exposure(inputs: Inputs, requirements: Requirements, plan: Plan) -> list[Violation]:
    """Egregious work per pool and interval within the share that keeps every person under the shift cap."""
    scenario, grid = inputs.scenario, requirements.grid
    egregious = {n.stream for n in requirements.needs if n.severity is Severity.EGREGIOUS}
    load: dict[tuple[str, int], float] = defaultdict(float)
    for (pool, t, stream), agents in plan.allocation.items():
        if stream in egregious:
            load[pool, t] += agents
    allowed: dict[str, float] = {}  # per pool: share of on-duty agents that may do egregious work
    for site, trained in scenario.pools():
        paid = max(tpl.paid_hours for tpl in scenario.templates_for(site))
        ratio = exposure_ratio(scenario, paid, grid.interval_minutes)
        allowed[trained.id] = ratio * productive_share(scenario, site, trained)
    out = []
    for (pool_id, t), agents in sorted(load.items()):
        limit = allowed[pool_id] * float(plan.on_duty[pool_id][t])
        if agents > limit + 1e-3:
            out.append(Violation("egregious exposure", f"{pool_id} {grid.slot_start(t):%a %H:%M} UTC",
                                 f"{agents:.1f} agents on egregious queues > {limit:.1f} allowed"))
    return out
