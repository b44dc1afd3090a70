"""Solve a `LinearModel`: the LP bound by HiGHS interior point, then an LP-guided rounding dive.

Only the tour counts are integer; once they are fixed, the best allocation, backlog and shortfall are an
LP. So the strategy is:

1. **Bound.** Solve the LP relaxation with HiGHS's interior-point method (the plan LP is highly degenerate;
   dual simplex stalls on it). Its value is the lower bound every plan is measured against.
2. **Dive.** Repeatedly raise the lower bound of the most fractional-upward tour counts to their ceiling
   and re-solve the LP, until the LP optimum is integral. The final LP is then an exact plan: its
   continuous part is optimal for its tour counts. If raising a batch makes the LP infeasible (seats,
   headcount or vendor caps) the batch is halved; a single culprit is rounded down instead.
   Before the dive, a **systematic rounding** of each pool's tour counts in start-time order (prefix sums
   kept within one agent of the LP) gives a first plan with one LP; the better of the two is returned.
3. Everything runs under one time limit and seed; a SIGINT stops the dive at the next LP and returns the
   best plan found. The LP bound and the first plan are always completed, even past the time limit (a
   plan with its bound beats none); on the largest weeks that is where the time goes.

Solver settings go to HiGHS through the request's `solver_specific_parameters`, which HiGHS rejects when
unknown (see `highs_options`; the tests read them back from the request).
"""

from __future__ import annotations

import enum
import math
import multiprocessing as mp
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection

import numpy as np
from ortools.linear_solver import linear_solver_pb2 as pb
from ortools.linear_solver import pywraplp

from staffplan.plan.linear import LinearModel

_EPS = 1e-6
HEARTBEAT_SECONDS = 10.0  # progress lines while one long LP runs
ROOT_LP_SECONDS = 3600.0  # the root LP may run past the time limit, up to this: no bound, no plan


class SolveStatus(enum.Enum):
    OPTIMAL = "optimal"  # gap within tolerance
    FEASIBLE = "feasible"  # a plan, gap reported
    INTERRUPTED = "interrupted"  # stopped by the user; best plan so far
    NO_PLAN = "no_plan"  # time ran out before any plan
    INFEASIBLE = "infeasible"  # hard rules contradict each other


@dataclass(frozen=True)
class SolveSettings:
    time_limit_s: float = 60.0
    seed: int = 0
    threads: int = 2
    lp_algorithm: str = "ipm"  # HiGHS `solver` option: ipm, simplex, pdlp
    gap_tolerance: float = 1e-4
    batch_share: float | None = None  # share of fractional tour counts rounded up per dive step; None: fit the time
    verbose: bool = False


@dataclass(frozen=True)
class Progress:
    incumbent: float | None
    bound: float
    gap: float | None
    elapsed: float
    phase: str


@dataclass(frozen=True, eq=False)
class Solution:
    status: SolveStatus
    values: np.ndarray | None
    objective: float
    lower_bound: float
    gap: float
    seconds: float
    lp_solves: int = 0


def solve_lp(model: LinearModel, settings: SolveSettings, *, lb: np.ndarray | None = None,
             ub: np.ndarray | None = None) -> np.ndarray | None:
    """One LP relaxation with the given bounds (e.g. tour counts fixed): its optimal values, or None."""
    result = _Relaxation(model, settings, lb=lb, ub=ub).solve(settings.time_limit_s)
    return result.values if result.ok else None


def relative_gap(objective: float, bound: float) -> float:
    """(objective − bound) / |objective|, 0 when both are 0."""
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-9 else math.inf
    return max(0.0, (objective - bound) / abs(objective))


def highs_options(settings: SolveSettings) -> str:
    """The HiGHS options string for one LP solve (`key=value` lines)."""
    return (f"solver={settings.lp_algorithm}\n"
            f"random_seed={settings.seed}\n"
            f"threads={settings.threads}\n"
            "run_crossover=on\n"
            f"output_flag={'true' if settings.verbose else 'false'}\n")


def lp_request(model: LinearModel, settings: SolveSettings, time_left: float, *,
               lb: np.ndarray | None = None, ub: np.ndarray | None = None) -> pb.MPModelRequest:
    """An LP-relaxation request with the given bounds, settings and remaining time."""
    request = pb.MPModelRequest()
    request.model.CopyFrom(model.to_proto(relax=True, lb=lb, ub=ub))
    request.solver_type = pb.MPModelRequest.HIGHS_LINEAR_PROGRAMMING
    request.solver_time_limit_seconds = max(0.1, time_left)
    request.solver_specific_parameters = highs_options(settings)
    request.enable_internal_solver_output = settings.verbose
    return request


@dataclass
class _LP:
    ok: bool
    infeasible: bool
    objective: float
    values: np.ndarray


class _Stop:
    """Set by SIGINT (Ctrl-C) while a solve runs; the dive checks it between LPs."""

    def __init__(self) -> None:
        self.requested = False


def _solve_in_child(request: bytes, conn: Connection) -> None:
    response = pb.MPSolutionResponse()
    pywraplp.Solver.SolveWithProto(pb.MPModelRequest.FromString(request), response)
    conn.send_bytes(response.SerializeToString())
    conn.close()


def solve_request(request: pb.MPModelRequest, stop: _Stop | None = None,
                  tick: Callable[[], None] | None = None) -> pb.MPSolutionResponse | None:
    """Solve in a forked child process so that Ctrl-C (or `stop`) abandons a long LP at once.

    The OR-Tools call holds the GIL for the whole solve, so in-process a SIGINT would wait for it.
    Returns None when stopped. Where fork is unavailable the solve runs in-process.
    """
    if "fork" not in mp.get_all_start_methods():
        response = pb.MPSolutionResponse()
        pywraplp.Solver.SolveWithProto(request, response)
        return response
    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_solve_in_child, args=(request.SerializeToString(), sender), daemon=True)
    child.start()
    sender.close()
    last_tick = time.perf_counter()
    try:
        while True:
            if tick is not None and time.perf_counter() - last_tick >= HEARTBEAT_SECONDS:
                tick()
                last_tick = time.perf_counter()
            if receiver.poll(0.1):
                try:
                    return pb.MPSolutionResponse.FromString(receiver.recv_bytes())
                except EOFError:  # the child died without an answer (e.g. out of memory)
                    return pb.MPSolutionResponse(status=pb.MPSOLVER_ABNORMAL)
            if stop is not None and stop.requested:
                return None
            if not child.is_alive() and not receiver.poll(0):
                return pb.MPSolutionResponse(status=pb.MPSOLVER_ABNORMAL)
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        receiver.close()


class _Relaxation:
    """The LP relaxation with mutable variable bounds; the model proto is built once and patched."""

    def __init__(self, model: LinearModel, settings: SolveSettings, stop: _Stop | None = None, *,
                 lb: np.ndarray | None = None, ub: np.ndarray | None = None) -> None:
        self.settings = settings
        self.stop = stop
        self.request = lp_request(model, settings, settings.time_limit_s, lb=lb, ub=ub)
        self.lb = np.array(model.lb if lb is None else lb, dtype=float)
        self.ub = np.array(model.ub if ub is None else ub, dtype=float)
        self.solves = 0
        self.last_status = ""

    def set_bounds(self, indices: np.ndarray, lb: np.ndarray | None = None, ub: np.ndarray | None = None) -> None:
        variables = self.request.model.variable
        for k, j in enumerate(indices.tolist()):
            if lb is not None:
                self.lb[j] = lb[k]
                variables[j].lower_bound = float(lb[k])
            if ub is not None:
                self.ub[j] = ub[k]
                variables[j].upper_bound = float(ub[k])

    def solve(self, time_left: float, tick: Callable[[], None] | None = None) -> _LP:
        self.request.solver_time_limit_seconds = max(0.1, time_left)
        response = solve_request(self.request, self.stop, tick)
        if response is not None and response.status == pb.MPSOLVER_ABNORMAL and not (self.stop and self.stop.requested):
            # The child process died without an answer: solve in this process instead (no Ctrl-C for it).
            response = pb.MPSolutionResponse()
            pywraplp.Solver.SolveWithProto(self.request, response)
        self.solves += 1
        if response is None:
            return _LP(False, False, math.inf, np.zeros(0))
        self.last_status = pb.MPSolverResponseStatus.Name(response.status)
        status = response.status
        ok = status in (pb.MPSOLVER_OPTIMAL, pb.MPSOLVER_FEASIBLE) and len(response.variable_value) > 0
        infeasible = status == pb.MPSOLVER_INFEASIBLE
        values = np.asarray(response.variable_value, dtype=float)
        return _LP(ok, infeasible, response.objective_value if ok else math.inf, values)


@contextmanager
def _interruptible(stop: _Stop) -> Iterator[None]:
    def handler(signum: int, frame: object) -> None:
        stop.requested = True

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread: no Ctrl-C handling
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


Rounder = Callable[[np.ndarray, float], np.ndarray]


def prefix_rounding(integer: np.ndarray) -> Rounder:
    """Round the prefix sums of the integer variables in index order (a model without caps to respect)."""
    def rounder(values: np.ndarray, threshold: float) -> np.ndarray:
        out = values.copy()
        prefix = np.floor(np.cumsum(values[integer]) + 1 - threshold)
        out[integer] = np.maximum(np.diff(np.concatenate([[0.0], prefix])), 0.0)
        return out
    return rounder


def solve(model: LinearModel, settings: SolveSettings, progress: Callable[[Progress], None] | None = None,
          rounding: Rounder | None = None) -> Solution:
    """Bound, round, dive, and report; see the module docstring.

    `rounding(lp_values, threshold)` turns the LP optimum into integer tour counts that respect the hard
    caps (the plan model supplies one that knows seats and headcount limits).
    """
    started = time.perf_counter()
    stop = _Stop()
    rounder = rounding or prefix_rounding(model.integer_indices())
    with _interruptible(stop):
        return _solve(model, settings, progress or (lambda p: None), started, stop, rounder)


@dataclass
class _Best:
    values: np.ndarray | None = None
    objective: float = math.inf

    def offer(self, model: LinearModel, values: np.ndarray, integer: np.ndarray) -> bool:
        candidate = _clean(values, integer)
        objective = model.objective(candidate)
        if objective < self.objective - 1e-9:
            self.values, self.objective = candidate, objective
            return True
        return False


def _solve(model: LinearModel, settings: SolveSettings, report: Callable[[Progress], None],
           started: float, stop: _Stop, rounder: Rounder) -> Solution:
    def elapsed() -> float:
        return time.perf_counter() - started

    def left() -> float:
        return settings.time_limit_s - elapsed()

    relaxation = _Relaxation(model, settings, stop)
    # The bound and a first plan always complete (Ctrl-C still stops them); the limit governs the rest.
    root = relaxation.solve(max(left(), ROOT_LP_SECONDS),
                            tick=lambda: report(Progress(None, -math.inf, None, elapsed(), "lp bound...")))
    if not root.ok:
        status = SolveStatus.INFEASIBLE if root.infeasible else SolveStatus.NO_PLAN
        return Solution(status, None, math.inf, -math.inf, math.inf, elapsed(), relaxation.solves)
    bound = root.objective
    report(Progress(None, bound, None, elapsed(), "lp bound"))
    integer = model.integer_indices()
    best = _Best()

    def reported(phase: str) -> None:
        gap = relative_gap(best.objective, bound) if best.values is not None else None
        report(Progress(best.objective if best.values is not None else None, bound, gap, elapsed(), phase))

    if np.any(np.abs(root.values[integer] - np.round(root.values[integer])) > _EPS):
        rounded = _first_rounding(relaxation, integer, root.values, rounder, left)
        if rounded is not None and best.offer(model, rounded.values, integer):
            reported("rounding")
        elif rounded is None:
            reported(f"rounding failed ({relaxation.last_status})")
    # Dive again with half the batch while time remains: smaller steps give better plans (module docstring).
    share = settings.batch_share or _batch_share(left(), settings.time_limit_s - left())
    while True:
        dive = _dive(model, relaxation, root, integer, share, stop, left, reported)
        if dive is not None and best.offer(model, dive.values, integer):
            reported("dive done")
        if settings.batch_share or stop.requested or left() <= 0 or share <= 0.005:
            break
        share /= 2
    if best.values is None:
        status = SolveStatus.INTERRUPTED if stop.requested else SolveStatus.NO_PLAN
        return Solution(status, None, math.inf, bound, math.inf, elapsed(), relaxation.solves)
    gap = relative_gap(best.objective, bound)
    if stop.requested:
        status = SolveStatus.INTERRUPTED
    else:
        status = SolveStatus.OPTIMAL if gap <= settings.gap_tolerance else SolveStatus.FEASIBLE
    report(Progress(best.objective, bound, gap, elapsed(), "plan"))
    return Solution(status, best.values, best.objective, bound, gap, elapsed(), relaxation.solves)


def _dive(model: LinearModel, relaxation: _Relaxation, root: _LP, integer: np.ndarray, batch_share: float,
          stop: _Stop, left: Callable[[], float], reported: Callable[[str], None]) -> _LP | None:
    """Raise the most fractional-upward tour counts in batches until the LP optimum is integral."""
    saved_lb, saved_ub = relaxation.lb[integer].copy(), relaxation.ub[integer].copy()
    current = root
    try:
        while True:
            x = current.values[integer]
            frac = x - np.floor(x + _EPS)
            fractional = frac > _EPS
            if not fractional.any():
                return current
            if stop.requested or left() <= 0:
                return None
            order = np.flatnonzero(fractional)
            order = order[np.argsort(-frac[order], kind="stable")]
            size = max(1, math.ceil(batch_share * len(order)))
            batch = integer[order[:size]]
            old_lb = relaxation.lb[batch].copy()
            relaxation.set_bounds(batch, lb=np.ceil(current.values[batch] - _EPS))
            trial = relaxation.solve(left())
            if trial.ok:
                current = trial
                reported(f"dive {int(fractional.sum())}")
                continue
            relaxation.set_bounds(batch, lb=old_lb)
            if len(batch) > 1:
                batch_share /= 2
            else:
                relaxation.set_bounds(batch, ub=np.floor(current.values[batch] + _EPS))
    finally:
        relaxation.set_bounds(integer, lb=saved_lb, ub=saved_ub)


def _first_rounding(relaxation: _Relaxation, integer: np.ndarray, values: np.ndarray, rounder: Rounder,
                    left: Callable[[], float]) -> _LP | None:
    """Fix the tour counts to a rounding of the LP and solve the LP for everything else.

    Thresholds 0.3 then 0.5 (a prefix rounds up from .3, then from .5): the first is fuller, the second
    cheaper; the better feasible plan wins. On the M demo the first rounding is within 15-17 % of the bound.
    """
    saved_lb, saved_ub = relaxation.lb[integer].copy(), relaxation.ub[integer].copy()
    best: _LP | None = None
    try:
        for threshold in (0.3, 0.5):
            rounded = rounder(values, threshold)[integer]
            relaxation.set_bounds(integer, lb=rounded, ub=rounded)
            # The first plan is always finished, even past the time limit: a plan beats none.
            result = relaxation.solve(left() if best is not None else max(left(), ROOT_LP_SECONDS))
            if result.ok and (best is None or result.objective < best.objective):
                best = result
            if left() <= 0 and best is not None:
                break
    finally:
        relaxation.set_bounds(integer, lb=saved_lb, ub=saved_ub)
    return best


def _batch_share(time_left: float, lp_seconds: float) -> float:
    """Round up a smaller share per step when there is time for more LPs: smaller steps, better plans.

    On the tour_probe week a dive needs about 0.7 / share LP solves; shares 0.25 / 0.1 / 0.03 / 0.01 gave
    1.20 / 1.15 / 1.09 / 1.08 times the LP bound. Plan for the dive to use about 70 % of the time left.
    """
    steps = 0.7 * time_left / max(lp_seconds, 0.05)
    return min(0.25, max(0.01, 0.7 / max(steps, 1.0)))


def _clean(values: np.ndarray, integer: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[integer] = np.round(out[integer])
    return out
