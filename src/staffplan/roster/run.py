"""Stage 2 end to end: assign named agents, rotate them through the queues, ledger, and re-check coverage."""

from __future__ import annotations

from dataclasses import dataclass

from staffplan.check.recompute import CheckResult, Violation, check_plan
from staffplan.plan.result import Plan
from staffplan.roster.assign import RosterResult, RosterSettings, assign_roster
from staffplan.roster.rotation import LedgerRow, Rotation, exposure_ledger, rotate
from staffplan.roster.rules import roster_violations
from staffplan.scenario.load import Inputs


@dataclass(frozen=True, eq=False)
class RosterOutcome:
    result: RosterResult
    rotation: Rotation
    ledger: list[LedgerRow]
    violations: list[Violation]
    staffed: CheckResult  # coverage and gaps with only the places that named agents fill


def make_roster(inputs: Inputs, plan: Plan, settings: RosterSettings | None = None) -> RosterOutcome:
    assert inputs.roster is not None
    grid = inputs.grid
    result = assign_roster(inputs.scenario, plan, inputs.roster, settings)
    staffed = check_plan(inputs, result.staffed_headcounts(), "roster")
    rotation = rotate(inputs.scenario, staffed.plan, grid, result.assignments)
    ledger = exposure_ledger(rotation, result.assignments, grid)
    violations = roster_violations(inputs.scenario, inputs.roster, result.assignments, grid, rotation)
    return RosterOutcome(result, rotation, ledger, violations, staffed)
