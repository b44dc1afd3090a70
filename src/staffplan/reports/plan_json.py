"""`plan.json`: the plan in a versioned, machine-readable form (documented in the README)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from staffplan.plan.result import Plan
from staffplan.requirements.build import Requirements
from staffplan.scenario.schema import Scenario

SCHEMA_VERSION = 1


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def kpis(plan: Plan, requirements: Requirements) -> dict[str, Any]:
    """Coverage: realtime agent-intervals met plus deferred work done on time, over all of it."""
    slot_hours = requirements.grid.interval_minutes / 60.0
    required = short = 0.0
    for need in requirements.needs:
        outcome = plan.outcomes[need.stream]
        if need.kind == "realtime":
            required += float(need.required_net.sum())
            short += float(outcome.shortfall.sum())
        else:
            assert need.work is not None
            required += float(need.work.sum())
            short += float(need.work.sum()) * outcome.late_share
    return {
        "objective": round(plan.objective, 2),
        "lower_bound": round(plan.lower_bound, 2),
        "gap": round(plan.gap, 6),
        "cost_per_week": round(plan.cost_per_week, 2),
        "coverage_pct": round(100.0 * (1 - short / required), 3) if required else 100.0,
        "understaffed_agent_hours": round(short * slot_hours, 2),
        "fte_by_site": {k: round(v, 2) for k, v in plan.fte("site").items()},
        "fte_by_vendor": {k: round(v, 2) for k, v in plan.fte("vendor").items()},
        "headcount": sum(t.headcount for t in plan.tours),
        "solve_seconds": round(plan.seconds, 2),
    }


def plan_document(scenario: Scenario, requirements: Requirements, plan: Plan) -> dict[str, Any]:
    grid = requirements.grid
    zones = {s.id: s.zone for s in scenario.sites}
    tours = []
    for planned in plan.tours:
        shifts = []
        for shift in planned.tour.shifts:
            start = shift.local_start.astimezone(dt.UTC)
            end = start + shift.slots * grid.interval
            meal_start = start + shift.meal_offset * grid.interval
            breaks = [{"start_utc": _iso(meal_start), "end_utc": _iso(meal_start + shift.meal_slots * grid.interval)}
                      ] if shift.meal_slots else []
            shifts.append({
                "start_utc": _iso(start), "end_utc": _iso(end),
                "start_local": start.astimezone(zones[planned.site]).isoformat(),
                "end_local": end.astimezone(zones[planned.site]).isoformat(),
                "breaks": breaks,
            })
        tours.append({"id": f"{planned.pool}.{planned.tour.id}", "site": planned.site, "vendor": planned.vendor,
                      "pool": planned.pool, "template": planned.tour.template, "headcount": planned.headcount,
                      "cost_per_agent": planned.tour.cost, "shifts": shifts})
    coverage = []
    for need in requirements.needs:
        outcome = plan.outcomes[need.stream]
        for t in range(grid.num_slots):
            coverage.append({"interval_start": _iso(grid.slot_start(t)), "queue": need.queue,
                             "language": need.language, "required": round(float(need.required_net[t]), 3),
                             "scheduled": round(float(outcome.scheduled[t]), 3)})
    allocation = [{"interval_start": _iso(grid.slot_start(t)), "pool": pool, "queue": stream[0],
                   "language": stream[1], "agents": round(amount, 3)}
                  for (pool, t, stream), amount in sorted(plan.allocation.items())]
    return {
        "schema_version": SCHEMA_VERSION,
        "scenario": scenario.name,
        "week_start": scenario.week_start.isoformat(),
        "interval_minutes": grid.interval_minutes,
        "status": plan.status,
        "kpis": kpis(plan, requirements),
        "deferred": [{"queue": n.queue, "language": n.language,
                      "late_share": round(plan.outcomes[n.stream].late_share, 6),
                      "oldest_age_hours": round(plan.outcomes[n.stream].oldest_age_hours, 2)}
                     for n in requirements.needs if n.kind == "deferred"],
        "tours": tours,
        "coverage": coverage,
        "allocation": allocation,
    }
