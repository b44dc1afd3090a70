"""`plan.xlsx` for planners: Summary, Requirements, Coverage, Heatmap, Gaps, Shifts, Tours, Assumptions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl.chart import LineChart, Reference
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.utils import get_column_letter

from staffplan.check.recompute import find_gaps
from staffplan.plan.result import Plan
from staffplan.reports import excel, tables
from staffplan.reports.plan_json import kpis
from staffplan.requirements.build import Requirements
from staffplan.roster.run import RosterOutcome
from staffplan.scenario.schema import Scenario

KPI_LABELS = [
    ("status", "Solver status", None),
    ("objective", "Objective (cost + penalties)", "money"),
    ("lower_bound", "Lower bound (no plan can cost less)", "money"),
    ("gap", "Gap to the lower bound", "pct"),
    ("cost_per_week", "Wage cost per week", "money"),
    ("headcount", "Agents (headcount)", "int"),
    ("coverage_pct", "Coverage", "pct"),
    ("understaffed_agent_hours", "Understaffed agent-hours", "hours"),
    ("solve_seconds", "Solve time, seconds", "hours"),
]


def _summary(wb: Any, scenario: Scenario, requirements: Requirements, plan: Plan) -> None:
    ws = wb.create_sheet("Summary")
    values = {"status": plan.status, **kpis(plan, requirements)}
    values["coverage_pct"] = values["coverage_pct"] / 100.0
    excel.set_cell(ws, 1, 1, f"{scenario.name}: plan for the week of {scenario.week_start} (UTC)")
    ws.cell(row=1, column=1).font = excel.TITLE_FONT
    row = 3
    for key, label, fmt in KPI_LABELS:
        excel.set_cell(ws, row, 1, label)
        ws.cell(row=row, column=1).font = excel.LABEL_FONT
        excel.set_cell(ws, row, 2, values[key], excel.FORMATS.get(fmt or "", None))
        row += 1
    for title, key in (("FTE by site", "fte_by_site"), ("FTE by vendor", "fte_by_vendor")):
        row += 1
        excel.header_row(ws, row, [title, "FTE"])
        for name, fte in values[key].items():
            row += 1
            excel.set_cell(ws, row, 1, name)
            excel.set_cell(ws, row, 2, fte, excel.FORMATS["agents"])
    row += 2
    service = tables.service_table(scenario, requirements, plan)
    excel.header_row(ws, row, ["Projected service per queue"])
    excel.header_row(ws, row + 1, [str(c) for c in service.columns])
    formats = [None, None, None, "agents", "pct", "hours", "pct", "hours"]
    for r, line in enumerate(service.itertuples(index=False, name=None), start=row + 2):
        for c, value in enumerate(line, start=1):
            fmt = formats[c - 1]
            excel.set_cell(ws, r, c, value, excel.FORMATS[fmt] if fmt else None)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 18
    _chart(wb, ws, requirements, plan, anchor="E3")


def _chart(wb: Any, ws: Any, requirements: Requirements, plan: Plan, anchor: str) -> None:
    """Required vs scheduled productive agents per interval, all streams together (a native line chart)."""
    data = wb.create_sheet("ChartData")
    data.sheet_state = "hidden"
    excel.header_row(data, 1, ["interval", "required", "scheduled"])
    grid = requirements.grid
    for t in range(grid.num_slots):
        required = sum(float(n.required_net[t]) for n in requirements.needs)
        scheduled = sum(float(plan.outcomes[n.stream].scheduled[t]) for n in requirements.needs)
        excel.set_cell(data, t + 2, 1, grid.slot_start(t).strftime("%a %H:%M"))
        excel.set_cell(data, t + 2, 2, round(required, 2))
        excel.set_cell(data, t + 2, 3, round(scheduled, 2))
    chart = LineChart()
    chart.title = "Required vs scheduled productive agents (UTC)"
    chart.y_axis.title = "agents"
    chart.height, chart.width = 9, 22
    chart.add_data(Reference(data, min_col=2, max_col=3, min_row=1, max_row=grid.num_slots + 1), titles_from_data=True)
    chart.set_categories(Reference(data, min_col=1, min_row=2, max_row=grid.num_slots + 1))
    ws.add_chart(chart, anchor)


def _heatmap(wb: Any, requirements: Requirements, plan: Plan) -> None:
    """Stream × interval, the share of the requirement scheduled: red where short, green where covered."""
    ws = wb.create_sheet("Heatmap")
    grid = requirements.grid
    excel.header_row(ws, 1, ["queue", "language"] + [grid.slot_start(t).strftime("%a %H:%M")
                                                      for t in range(grid.num_slots)])
    row = 1
    for need in requirements.needs:
        row += 1
        excel.set_cell(ws, row, 1, need.queue)
        excel.set_cell(ws, row, 2, need.language)
        scheduled = plan.outcomes[need.stream].scheduled
        for t in range(grid.num_slots):
            required = float(need.required_net[t])
            value = min(float(scheduled[t]) / required, 1.5) if required > 1e-9 else None
            excel.set_cell(ws, row, t + 3, None if value is None else round(value, 3), excel.FORMATS["pct"])
    last = f"{get_column_letter(grid.num_slots + 2)}{max(row, 2)}"
    ws.conditional_formatting.add(f"C2:{last}", ColorScaleRule(
        start_type="num", start_value=0.5, start_color="F8696B", mid_type="num", mid_value=0.95,
        mid_color="FFEB84", end_type="num", end_value=1.0, end_color="63BE7B"))
    ws.freeze_panes = "C2"
    ws.column_dimensions["A"].width = 14
    for col in range(3, grid.num_slots + 3):
        ws.column_dimensions[get_column_letter(col)].width = 7


def _assumptions(wb: Any, scenario: Scenario, settings: dict[str, Any]) -> None:
    """Every parameter the plan used, flattened from the model and the solver settings."""
    ws = wb.create_sheet("Assumptions")
    excel.header_row(ws, 1, ["parameter", "value"])
    rows = sorted(_flatten("", scenario.model_dump(mode="json"))) + sorted(_flatten("solver", settings))
    for r, (key, value) in enumerate(rows, start=2):
        excel.set_cell(ws, r, 1, key)
        excel.set_cell(ws, r, 2, value)
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 40
    ws.freeze_panes = "A2"


def _flatten(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in _flatten(f"{prefix}.{k}" if prefix else str(k), v)]
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return [(prefix, ", ".join(str(v) for v in value))]
        out = []
        for i, v in enumerate(value):
            key = v.get("id", i) if isinstance(v, dict) else i
            out += _flatten(f"{prefix}[{key}]", v)
        return out
    return [(prefix, value)]


def _roster_sheets(wb: Any, outcome: RosterOutcome, requirements: Requirements, scenario: Scenario) -> None:
    ws = wb.create_sheet("Roster")
    excel.write_frame(ws, tables.roster_table(outcome, requirements.grid), freeze_cols=1)
    ws = wb.create_sheet("Wellbeing")
    excel.write_frame(ws, tables.wellbeing_table(outcome), freeze_cols=2,
                      formats={c: "hours" for c in ("egregious_hours", "sensitive_hours", "standard_hours",
                                                    "wellness_hours", "max_egregious_hours_in_a_shift")})
    cap = scenario.wellbeing.max_egregious_hours_per_shift
    rows = ws.max_row
    ws.conditional_formatting.add(f"G2:G{max(rows, 2)}", CellIsRule(operator="greaterThan", formula=[str(cap)],
                                                                    fill=excel.BAD_FILL))
    excel.write_frame(wb.create_sheet("Gaps after roster"),
                      tables.gaps_table(list(outcome.staffed.gaps), scenario, requirements),
                      formats={"required": "agents", "scheduled": "agents", "short": "agents"}, freeze_cols=3)


def write_plan_workbook(path: Path, scenario: Scenario, requirements: Requirements, plan: Plan,
                        settings: dict[str, Any] | None = None, roster: RosterOutcome | None = None) -> Path:
    wb = excel.new_workbook()
    _summary(wb, scenario, requirements, plan)
    excel.write_frame(wb.create_sheet("Requirements"), tables.requirements_table(requirements),
                      formats={"volume": "agents", "workload_hours": "hours", "required_net": "agents",
                               "required_gross": "agents"}, freeze_cols=3)
    excel.write_frame(wb.create_sheet("Coverage"), tables.coverage_table(requirements, plan),
                      formats={"required": "agents", "scheduled": "agents", "short": "agents"}, freeze_cols=3)
    _heatmap(wb, requirements, plan)
    excel.write_frame(wb.create_sheet("Gaps"), tables.gaps_table(find_gaps(requirements, plan, 0.05), scenario,
                                                                 requirements),
                      formats={"required": "agents", "scheduled": "agents", "short": "agents"}, freeze_cols=3)
    excel.write_frame(wb.create_sheet("Shifts"), tables.shifts_table(scenario, plan, requirements.grid),
                      formats={"headcount": "int"}, freeze_cols=3)
    excel.write_frame(wb.create_sheet("Tours"), tables.tours_table(plan, requirements.grid),
                      formats={"headcount": "int", "paid_hours": "hours"}, freeze_cols=1)
    if roster is not None:
        _roster_sheets(wb, roster, requirements, scenario)
    _assumptions(wb, scenario, settings or {})
    wb.move_sheet("ChartData", offset=len(wb.sheetnames))
    return excel.save_workbook(wb, path)
