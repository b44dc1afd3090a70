"""One plan benchmark run in its own process, so peak memory is this size's alone. Prints one JSON line.

    python -m staffplan.benchmarks.plan_one M --time-limit 20 --seed 0 [--baseline]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ortools.linear_solver import linear_solver_pb2 as pb
from ortools.linear_solver import pywraplp

from staffplan.plan.linear import LinearModel
from staffplan.plan.run import make_plan
from staffplan.plan.solve import SolveSettings, relative_gap
from staffplan.reports.plan_json import kpis
from staffplan.scenario.load import load_inputs


def peak_memory_mb() -> float:
    """The larger of this process and its LP children (each LP runs in a forked child). Linux: KiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


def _finite(value: float, digits: int) -> float | None:
    """JSON has no infinity: a missing plan or bound is null."""
    return round(value, digits) if math.isfinite(value) else None


def naive_cp_sat(lp: LinearModel, time_limit_s: float, seed: int) -> dict[str, Any]:
    """The same plan model handed whole to CP-SAT (2 workers): the monolithic baseline."""
    request = pb.MPModelRequest()
    request.model.CopyFrom(lp.to_proto())
    request.solver_type = pb.MPModelRequest.SAT_INTEGER_PROGRAMMING
    request.solver_time_limit_seconds = time_limit_s
    request.solver_specific_parameters = f"num_workers:2 random_seed:{seed}"
    response = pb.MPSolutionResponse()
    started = time.perf_counter()
    pywraplp.Solver.SolveWithProto(request, response)
    found = response.status in (pb.MPSOLVER_OPTIMAL, pb.MPSOLVER_FEASIBLE)
    return {"seconds": round(time.perf_counter() - started, 1),
            "objective": round(response.objective_value, 1) if found else None,
            "own_bound": round(response.best_objective_bound, 1)}


def run(size: str, time_limit_s: float, seed: int, baseline: bool) -> dict[str, Any]:
    from staffplan.demo import write_demo

    with tempfile.TemporaryDirectory() as folder:
        write_demo(size, Path(folder), seed=7)
        inputs = load_inputs(Path(folder) / "model.yaml", Path(folder) / "forecast.csv")
    planned = make_plan(inputs, SolveSettings(time_limit_s=time_limit_s, seed=seed),
                     progress=lambda p: print(f"[{p.elapsed:7.1f}s] {p.phase}", file=sys.stderr, flush=True))
    model, solution = planned.model, planned.solution
    row: dict[str, Any] = {
        "size": size, "variables": model.lp.num_vars, "rows": model.lp.num_rows, "nonzeros": model.lp.nonzeros,
        "tours": len(model.tours), "requirements_s": round(planned.requirements_seconds, 2),
        "build_s": round(planned.build_seconds, 1), "solve_s": round(solution.seconds, 1),
        "status": solution.status.value, "objective": _finite(solution.objective, 1),
        "lower_bound": _finite(solution.lower_bound, 1), "gap_pct": _finite(100 * solution.gap, 2),
        "lp_solves": solution.lp_solves,
    }
    if planned.plan is not None:
        figures = kpis(planned.plan, planned.requirements)
        row["coverage_pct"] = figures["coverage_pct"]
        row["headcount"] = figures["headcount"]
    if baseline:
        naive = naive_cp_sat(model.lp, time_limit_s, seed)
        naive["gap_pct"] = (round(100 * relative_gap(naive["objective"], solution.lower_bound), 1)
                            if naive["objective"] is not None and math.isfinite(solution.lower_bound) else None)
        row["baseline"] = naive
    row["peak_mb"] = round(peak_memory_mb())
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("size")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.size, args.time_limit, args.seed, args.baseline)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
