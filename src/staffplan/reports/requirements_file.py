"""`staffplan requirements --out FILE`: the requirements table as CSV or a workbook."""

from __future__ import annotations

from pathlib import Path

from staffplan.atomic import write_atomic
from staffplan.reports import excel
from staffplan.reports.tables import requirements_summary, requirements_table
from staffplan.requirements.build import Requirements


def write_requirements(path: Path, requirements: Requirements) -> Path:
    table = requirements_table(requirements)
    if path.suffix.lower() == ".csv":
        return write_atomic(path, lambda temp: table.to_csv(temp, index=False, lineterminator="\n"))
    wb = excel.new_workbook()
    excel.write_frame(wb.create_sheet("Summary"), requirements_summary(requirements),
                      formats={"weekly_volume": "agents", "peak_net": "agents", "peak_gross": "agents",
                               "agent_hours_net": "hours"})
    excel.write_frame(wb.create_sheet("Requirements"), table,
                      formats={"volume": "agents", "workload_hours": "hours", "required_net": "agents",
                               "required_gross": "agents"}, freeze_cols=3)
    return excel.save_workbook(wb, path)
