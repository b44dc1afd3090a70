"""Everything `staffplan plan` writes into its output folder, each file atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from staffplan.atomic import write_text_atomic
from staffplan.plan.run import PlanRun
from staffplan.reports.plan_json import plan_document
from staffplan.reports.plan_workbook import write_plan_workbook
from staffplan.reports.vendor_workbook import write_vendor_workbooks
from staffplan.roster.run import RosterOutcome
from staffplan.scenario.load import Inputs


def write_plan_outputs(out: Path, inputs: Inputs, run: PlanRun, settings: dict[str, Any] | None = None,
                       roster: RosterOutcome | None = None) -> list[Path]:
    """plan.json, plan.xlsx (with Roster and Wellbeing when a roster was given), one workbook per vendor."""
    assert run.plan is not None
    document = plan_document(inputs.scenario, run.requirements, run.plan)
    return [
        write_text_atomic(out / "plan.json", json.dumps(document, indent=1) + "\n"),
        write_plan_workbook(out / "plan.xlsx", inputs.scenario, run.requirements, run.plan, settings, roster),
        *write_vendor_workbooks(out / "vendors", inputs.scenario, run.requirements, run.plan, inputs.roster, roster),
    ]
