"""The tour_probe yardstick (DESIGN.md): its fixed week, built by its own code, solved by staffplan's strategy."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from typing import Any

from ortools.linear_solver import linear_solver_pb2 as pb
from ortools.linear_solver import pywraplp

from staffplan.plan.linear import LinearModel
from staffplan.plan.solve import SolveSettings, solve

PUBLISHED_LP_BOUND = 218_989
PUBLISHED_BEST_RATIO = 1.41


def load_probe_model(path: Path) -> LinearModel:
    """Import tour_probe.py from where it lies and export its integer model."""
    spec = importlib.util.spec_from_file_location("tour_probe", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    builder = pywraplp.Solver.CreateSolver("HIGHS")
    module.build(builder, integer=True)
    proto = pb.MPModelProto()
    builder.ExportModelToProto(proto)
    return LinearModel.from_proto(proto)


def run_probe(path: Path, time_limit_s: float, seed: int) -> dict[str, Any]:
    model = load_probe_model(path)
    started = time.perf_counter()
    solution = solve(model, SolveSettings(time_limit_s=time_limit_s, seed=seed))
    return {
        "variables": model.num_vars, "rows": model.num_rows, "seconds": round(time.perf_counter() - started, 1),
        "lower_bound": round(solution.lower_bound), "objective": round(solution.objective),
        "ratio": round(solution.objective / solution.lower_bound, 3), "gap_pct": round(100 * solution.gap, 2),
        "published_best_ratio": PUBLISHED_BEST_RATIO,
    }
