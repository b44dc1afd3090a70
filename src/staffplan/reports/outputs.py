"""Everything `staffplan plan` writes into its output folder, each file atomically."""

from __future__ import annotations

import json
from pathlib import Path

from staffplan.atomic import write_text_atomic
from staffplan.plan.run import PlanRun
from staffplan.reports.plan_json import plan_document
from staffplan.reports.plan_workbook import write_plan_workbook
from staffplan.scenario.load import Inputs


def write_plan_outputs(out: Path, inputs: Inputs, run: PlanRun) -> list[Path]:
    assert run.plan is not None
    document = plan_document(inputs.scenario, run.requirements, run.plan)
    return [
        write_text_atomic(out / "plan.json", json.dumps(document, indent=1) + "\n"),
        write_plan_workbook(out / "plan.xlsx", inputs.scenario, run.requirements, run.plan),
    ]
