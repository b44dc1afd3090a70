"""Inputs → requirements → stage-1 model → solve → Plan. The library entry point behind `staffplan plan`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from staffplan.plan.model import PlanModel, build_model
from staffplan.plan.result import Plan, read_plan
from staffplan.plan.rounding import TourRounding
from staffplan.plan.solve import Progress, Solution, SolveSettings, SolveStatus, solve
from staffplan.requirements.build import Requirements, build_requirements
from staffplan.scenario.load import Inputs


@dataclass(frozen=True, eq=False)
class PlanRun:
    requirements: Requirements
    model: PlanModel
    plan: Plan | None  # None when the solver found no plan (status says why)
    solution: Solution  # objective, bound, gap and LP count, also when there is no plan
    build_seconds: float  # requirements and model
    requirements_seconds: float

    @property
    def status(self) -> SolveStatus:
        return self.solution.status


def make_plan(inputs: Inputs, settings: SolveSettings,
              progress: Callable[[Progress], None] | None = None) -> PlanRun:
    started = time.perf_counter()
    requirements = build_requirements(inputs)
    requirements_seconds = time.perf_counter() - started
    model = build_model(inputs, requirements)
    built = time.perf_counter() - started
    rounding = TourRounding(inputs.scenario, model, requirements.grid.num_slots)
    solution = solve(model.lp, settings, progress=progress, rounding=rounding)
    plan = None
    if solution.values is not None and len(solution.values):
        plan = read_plan(inputs.scenario, requirements, model, np.asarray(solution.values),
                         status=solution.status.value, objective=solution.objective,
                         lower_bound=solution.lower_bound, gap=solution.gap, seconds=solution.seconds)
    return PlanRun(requirements, model, plan, solution, built, requirements_seconds)
