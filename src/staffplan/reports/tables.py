"""Results → pandas tables; the one place where report columns are defined."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from staffplan.check.recompute import Gap
from staffplan.plan.result import Plan
from staffplan.requirements.build import Requirements
from staffplan.roster.run import RosterOutcome
from staffplan.scenario.schema import Scenario
from staffplan.scenario.timegrid import TimeGrid

REQUIREMENT_COLUMNS = ["interval_start", "queue", "language", "volume", "workload_hours", "required_net",
                       "required_gross", "target_kind"]


def _stamps(requirements: Requirements) -> list[str]:
    grid = requirements.grid
    return [grid.slot_start(t).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for t in range(grid.num_slots)]


def requirements_table(requirements: Requirements) -> pd.DataFrame:
    """One row per interval and stream, long format."""
    stamps = _stamps(requirements)
    frames = [
        pd.DataFrame({
            "interval_start": stamps, "queue": need.queue, "language": need.language,
            "volume": need.volume.round(3), "workload_hours": need.workload_hours.round(4),
            "required_net": need.required_net.round(3), "required_gross": need.required_gross.round(3),
            "target_kind": need.kind,
        })
        for need in requirements.needs
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=REQUIREMENT_COLUMNS)


def requirements_summary(requirements: Requirements) -> pd.DataFrame:
    """Per queue: kind, streams, weekly volume, peak net and gross agents, productive agent-hours."""
    table = requirements_table(requirements)
    slot_hours = requirements.grid.interval_minutes / 60.0
    per_slot = table.groupby(["queue", "interval_start"], sort=False)[["required_net", "required_gross"]].sum()
    peaks = per_slot.groupby(level="queue", sort=False).max()
    per_queue = table.groupby("queue", sort=False).agg(
        kind=("target_kind", "first"), streams=("language", "nunique"), weekly_volume=("volume", "sum"),
        agent_hours_net=("required_net", "sum"),
    )
    per_queue["agent_hours_net"] *= slot_hours
    per_queue["peak_net"] = peaks["required_net"]
    per_queue["peak_gross"] = peaks["required_gross"]
    return per_queue.reset_index()[["queue", "kind", "streams", "weekly_volume", "peak_net", "peak_gross",
                                    "agent_hours_net"]]


def shifts_table(scenario: Scenario, plan: Plan, grid: TimeGrid) -> pd.DataFrame:
    """Headcount per site, pool, local day and shift start: what a site has to staff, in its local time."""
    rows: dict[tuple[str, str, str, str, str], dict[str, Any]] = {}
    pools = {p.id: p for _, p in scenario.pools()}
    for planned in plan.tours:
        site = scenario.site(planned.site)
        for shift in planned.tour.shifts:
            start = shift.local_start
            end = start + shift.slots * grid.interval
            key = (planned.site, planned.pool, start.date().isoformat(), start.strftime("%H:%M"), planned.tour.template)
            row = rows.setdefault(key, {
                "site": planned.site, "vendor": planned.vendor, "pool": planned.pool,
                "languages": " ".join(pools[planned.pool].languages),
                "local_date": start.date().isoformat(), "local_day": start.strftime("%a"),
                "local_start": start.strftime("%H:%M"), "local_end": end.astimezone(site.zone).strftime("%H:%M"),
                "utc_start": start.astimezone(dt.UTC).strftime("%a %H:%M"),
                "utc_end": end.astimezone(dt.UTC).strftime("%a %H:%M"),
                "template": planned.tour.template, "headcount": 0, "night": shift.night,
            })
            row["headcount"] += planned.headcount
    frame = pd.DataFrame(list(rows.values()))
    if frame.empty:
        return frame
    return frame.sort_values(["vendor", "site", "pool", "local_date", "local_start"], ignore_index=True)


def coverage_table(requirements: Requirements, plan: Plan) -> pd.DataFrame:
    """Required vs scheduled productive agents per interval and stream."""
    stamps = _stamps(requirements)
    frames = []
    for need in requirements.needs:
        outcome = plan.outcomes[need.stream]
        frames.append(pd.DataFrame({
            "interval_start": stamps, "queue": need.queue, "language": need.language, "severity": need.severity.value,
            "kind": need.kind, "required": need.required_net.round(3), "scheduled": outcome.scheduled.round(3),
            "short": outcome.shortfall.round(3),
        }))
    return pd.concat(frames, ignore_index=True)


def gaps_table(gaps: Sequence[Gap], scenario: Scenario, requirements: Requirements) -> pd.DataFrame:
    """Every under-staffed interval × stream, worst first, with the local time at the sites that could fill it."""
    columns = ["interval_start", "queue", "language", "severity", "kind", "required", "scheduled", "short",
               "local_time_at_sites_that_could_fill"]
    rows = []
    for gap in gaps:
        sites = [s for s, p in scenario.pools()
                 if gap.language in p.languages and scenario.may_work(s, p, gap.queue)]
        local = sorted({f"{s.id} {gap.interval_start.astimezone(s.zone):%a %H:%M}" for s in sites})
        rows.append([gap.interval_start.strftime("%Y-%m-%dT%H:%MZ"), gap.queue, gap.language, gap.severity.value,
                     gap.kind, round(gap.required, 3), round(gap.scheduled, 3), round(gap.short, 3),
                     "; ".join(local) or "no site may serve it"])
    return pd.DataFrame(rows, columns=columns)


def tours_table(plan: Plan, grid: TimeGrid) -> pd.DataFrame:
    """One row per planned tour: the sheet `staffplan check` reads back (edit `headcount`, delete rows)."""
    rows = []
    for planned in plan.tours:
        first = min(planned.tour.shifts, key=lambda s: s.day)
        rows.append({
            "tour_id": f"{planned.pool}.{planned.tour.id}", "site": planned.site, "vendor": planned.vendor,
            "pool": planned.pool, "template": planned.tour.template,
            "local_start": first.local_start.strftime("%H:%M"),
            "local_days": " ".join(s.local_start.strftime("%a") for s in sorted(planned.tour.shifts,
                                                                                 key=lambda s: s.day)),
            "paid_hours": planned.tour.paid_hours, "headcount": planned.headcount,
        })
    return pd.DataFrame(rows, columns=["tour_id", "site", "vendor", "pool", "template", "local_start", "local_days",
                                       "paid_hours", "headcount"])


def roster_table(outcome: RosterOutcome, grid: TimeGrid) -> pd.DataFrame:
    """One row per agent with a tour: local days and times, UTC beside; then every unfilled place."""
    rows = []
    for a in sorted(outcome.result.assignments, key=lambda a: (a.site, a.pool, a.agent_id)):
        shifts = sorted(a.tour.tour.shifts, key=lambda s: s.day)
        first = shifts[0].local_start
        end = first + shifts[0].slots * grid.interval
        rows.append({"agent_id": a.agent_id, "site": a.site, "pool": a.pool, "tour_id": a.tour_id,
                     "local_days": " ".join(s.local_start.strftime("%a") for s in shifts),
                     "local_start": first.strftime("%H:%M"), "local_end": end.strftime("%H:%M"),
                     "utc_start": first.astimezone(dt.UTC).strftime("%H:%M"), "nights": a.tour.tour.nights,
                     "weekend": "yes" if a.tour.tour.works_weekend else "no", "status": "assigned"})
    for u in outcome.result.unfilled:
        rows.append({"agent_id": "", "site": "", "pool": u.pool, "tour_id": u.tour_id, "local_days": "",
                     "local_start": "", "local_end": "", "utc_start": "", "nights": "", "weekend": "",
                     "status": f"{u.places} place(s) unfilled: {u.reason}"})
    for agent_id, reason in outcome.result.idle_agents:
        rows.append({"agent_id": agent_id, "site": "", "pool": "", "tour_id": "", "local_days": "",
                     "local_start": "", "local_end": "", "utc_start": "", "nights": "", "weekend": "",
                     "status": f"no tour: {reason}"})
    return pd.DataFrame(rows, columns=["agent_id", "site", "pool", "tour_id", "local_days", "local_start", "local_end",
                                       "utc_start", "nights", "weekend", "status"])


def wellbeing_table(outcome: RosterOutcome) -> pd.DataFrame:
    return pd.DataFrame([vars(row) for row in outcome.ledger],
                        columns=["agent_id", "local_date", "egregious_hours", "sensitive_hours", "standard_hours",
                                 "wellness_hours", "max_egregious_hours_in_a_shift"])


def service_table(scenario: Scenario, requirements: Requirements, plan: Plan) -> pd.DataFrame:
    """Projected service per queue over the week: realtime service level and ASA (volume-weighted), deferred
    share done in time and the oldest report's worst age — from the plan's scheduled agents."""
    from staffplan.requirements.projection import project_stream

    minutes = requirements.grid.interval_minutes
    acc: dict[str, dict[str, float]] = {}
    for need in requirements.needs:
        with np.errstate(divide="ignore", invalid="ignore"):
            aht = np.where(need.volume > 0, need.workload_hours * 3600 / need.volume, 0.0)
        proj = project_stream(scenario, need, aht, plan.outcomes[need.stream].scheduled, minutes)
        row = acc.setdefault(need.queue, {"volume": 0.0, "sl": 0.0, "asa": 0.0, "on_time": 0.0, "age": 0.0})
        volume = float(need.volume.sum())
        row["volume"] += volume
        if proj.service_level is not None and proj.asa_seconds is not None:
            row["sl"] += float(np.dot(need.volume, proj.service_level))
            finite = np.where(np.isfinite(proj.asa_seconds), proj.asa_seconds, 3600.0)
            row["asa"] += float(np.dot(need.volume, finite))
        if proj.share_within_target is not None and proj.oldest_age_hours is not None:
            row["on_time"] += volume * proj.share_within_target
            row["age"] = max(row["age"], float(proj.oldest_age_hours.max(initial=0.0)))
    rows = []
    for queue in scenario.queues:
        if queue.id not in acc:
            continue
        row = acc[queue.id]
        v = row["volume"] or 1.0
        realtime = queue.target.kind == "realtime"
        rows.append({"queue": queue.id, "severity": queue.severity.value, "target": queue.target.kind,
                     "weekly_volume": round(row["volume"], 1),
                     "projected_service_level": round(row["sl"] / v, 4) if realtime else None,
                     "projected_asa_seconds": round(row["asa"] / v, 1) if realtime else None,
                     "share_done_in_time": None if realtime else round(row["on_time"] / v, 4),
                     "oldest_report_hours": None if realtime else round(row["age"], 2)})
    return pd.DataFrame(rows, columns=["queue", "severity", "target", "weekly_volume", "projected_service_level",
                                       "projected_asa_seconds", "share_done_in_time", "oldest_report_hours"])
