"""`vendors/<vendor>.xlsx`: one vendor's part of the plan, in its sites' local time, and nothing else.

Isolation is by construction: every table is built from the vendor's own tours, pools and agents only;
streams show the requirement (demand, not another vendor's data) beside what this vendor schedules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from staffplan.plan.result import Plan, PlannedTour
from staffplan.reports import excel
from staffplan.requirements.build import Requirements
from staffplan.roster.run import RosterOutcome
from staffplan.scenario.roster_file import Agent
from staffplan.scenario.schema import Scenario

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _shift_grid(scenario: Scenario, site_id: str, tours: list[PlannedTour], requirements: Requirements
                ) -> pd.DataFrame:
    """Rows = local shift start (with UTC beside), columns = local weekdays, cells = headcount by language."""
    site = scenario.site(site_id)
    pools = {p.id: p for p in site.pools}
    cells: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for planned in tours:
        languages = "+".join(pools[planned.pool].languages)
        for shift in planned.tour.shifts:
            local = shift.local_start
            utc = local.astimezone(requirements.grid.start.tzinfo)
            key = (local.strftime("%H:%M"), f"{utc:%H:%M} UTC", planned.tour.template)
            cells[key][f"{local:%a}|{languages}"] += planned.headcount
    rows = []
    for (start, utc_start, template), counts in sorted(cells.items()):
        row: dict[str, Any] = {"local_start": start, "utc_start": utc_start, "template": template}
        for day in DAYS:
            parts = [f"{lang} {n}" for key, n in sorted(counts.items()) for d_, lang in [key.split("|")] if d_ == day]
            row[day] = ", ".join(parts)
        row["agents_per_week"] = sum(counts.values())
        rows.append(row)
    return pd.DataFrame(rows, columns=["local_start", "utc_start", "template", *DAYS, "agents_per_week"])


def _patterns(tours: list[PlannedTour]) -> pd.DataFrame:
    rows = []
    for planned in sorted(tours, key=lambda p: (p.site, p.pool, p.tour.id)):
        worked = {s.local_start.strftime("%a") for s in planned.tour.shifts}
        rows.append({"site": planned.site, "pool": planned.pool, "template": planned.tour.template,
                     "local_start": min(planned.tour.shifts, key=lambda s: s.day).local_start.strftime("%H:%M"),
                     "days_worked": " ".join(d for d in DAYS if d in worked),
                     "days_off": " ".join(d for d in DAYS if d not in worked), "headcount": planned.headcount})
    return pd.DataFrame(rows, columns=["site", "pool", "template", "local_start", "days_worked", "days_off",
                                       "headcount"])


def _streams(requirements: Requirements, plan: Plan, pools: set[str], site_zone: Any) -> pd.DataFrame:
    """Streams this vendor serves: required (all sites together) and scheduled by this vendor, per interval."""
    grid = requirements.grid
    mine: dict[tuple[int, tuple[str, str]], float] = defaultdict(float)
    for (pool, t, stream), agents in plan.allocation.items():
        if pool in pools:
            mine[t, stream] += agents
    served = sorted({stream for _, stream in mine})
    rows = []
    for stream in served:
        need = requirements.need(stream)
        for t in range(grid.num_slots):
            start = grid.slot_start(t)
            rows.append({"interval_utc": start.strftime("%a %H:%M"),
                         "interval_local": start.astimezone(site_zone).strftime("%a %H:%M"),
                         "queue": stream[0], "language": stream[1],
                         "required_all_sites": round(float(need.required_net[t]), 2),
                         "scheduled_by_you": round(mine.get((t, stream), 0.0), 2)})
    return pd.DataFrame(rows, columns=["interval_utc", "interval_local", "queue", "language", "required_all_sites",
                                       "scheduled_by_you"])


def write_vendor_workbook(path: Path, vendor_id: str, scenario: Scenario, requirements: Requirements, plan: Plan,
                          roster: tuple[Agent, ...] | None, outcome: RosterOutcome | None = None) -> Path:
    sites = [s for s in scenario.sites if s.vendor == vendor_id]
    site_ids = {s.id for s in sites}
    pools = {p.id for s in sites for p in s.pools}
    tours = [t for t in plan.tours if t.site in site_ids]
    vendor = scenario.vendor(vendor_id)
    wb = excel.new_workbook()
    ws = wb.create_sheet("Overview")
    excel.set_cell(ws, 1, 1, f"{vendor.name}: staffing for the week of {scenario.week_start}")
    ws.cell(row=1, column=1).font = excel.TITLE_FONT
    excel.header_row(ws, 3, ["site", "time zone", "agents", "FTE (40 h)", "seats"])
    for r, site in enumerate(sites, start=4):
        mine = [t for t in tours if t.site == site.id]
        excel.set_cell(ws, r, 1, site.id)
        excel.set_cell(ws, r, 2, site.timezone)
        excel.set_cell(ws, r, 3, sum(t.headcount for t in mine))
        excel.set_cell(ws, r, 4, round(sum(t.headcount * t.tour.paid_hours / 40 for t in mine), 1))
        excel.set_cell(ws, r, 5, site.seats)
    excel.set_cell(ws, len(sites) + 5, 1, "Times are each site's local time, with UTC beside; the week is cyclic.")
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 22
    for site in sites:
        mine = [t for t in tours if t.site == site.id]
        excel.write_frame(wb.create_sheet(f"Shifts {site.id}"[:31]),
                          _shift_grid(scenario, site.id, mine, requirements), freeze_cols=2)
    excel.write_frame(wb.create_sheet("Days off"), _patterns(tours), formats={"headcount": "int"}, freeze_cols=2)
    zone = sites[0].zone if sites else requirements.grid.start.tzinfo
    excel.write_frame(wb.create_sheet("Streams"), _streams(requirements, plan, pools, zone),
                      formats={"required_all_sites": "agents", "scheduled_by_you": "agents"}, freeze_cols=2)
    if roster is not None:
        agents = [a for a in roster if a.site in site_ids]
        tour_of = {a.agent_id: a for a in outcome.result.assignments} if outcome is not None else {}
        rows = []
        for agent in agents:
            assigned = tour_of.get(agent.agent_id)
            shifts = sorted(assigned.tour.tour.shifts, key=lambda s: s.day) if assigned else []
            rows.append({"agent_id": agent.agent_id, "site": agent.site, "pool": agent.pool,
                         "languages": " ".join(agent.languages), "contract_hours": agent.contract_hours,
                         "local_days": " ".join(s.local_start.strftime("%a") for s in shifts),
                         "local_start": shifts[0].local_start.strftime("%H:%M") if shifts else "",
                         "utc_start": shifts[0].local_start.astimezone(dt.UTC).strftime("%H:%M") if shifts else ""})
        frame = pd.DataFrame(rows, columns=["agent_id", "site", "pool", "languages", "contract_hours", "local_days",
                                            "local_start", "utc_start"])
        excel.write_frame(wb.create_sheet("Roster"), frame, freeze_cols=1)
    return excel.save_workbook(wb, path)


def write_vendor_workbooks(folder: Path, scenario: Scenario, requirements: Requirements, plan: Plan,
                           roster: tuple[Agent, ...] | None, outcome: RosterOutcome | None = None) -> list[Path]:
    return [write_vendor_workbook(folder / f"{v.id}.xlsx", v.id, scenario, requirements, plan, roster, outcome)
            for v in scenario.vendors if any(s.vendor == v.id for s in scenario.sites)]
