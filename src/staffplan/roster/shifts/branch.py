"""Branch and price: the column-generation LP made integral by branching on (employee, day, shift) cells.

Each node is a list of decisions "employee ``e`` works cell ``c``" or "does not". A node's LP is the master over
the rows that agree with its decisions, with pricers that fix or forbid the cells, solved by column generation
to optimality; its value is a lower bound for every roster under those decisions. Nodes are taken best bound
first, and pruned when the LP's ceiling reaches the incumbent (objectives are integer). Every node also offers
a roster: each employee's heaviest row in its LP (Instance6's optimum, 1950, came so at node 66, where the tree
had only found 1951 by node 74 without it). When no node is left the
incumbent is optimal; at the deadline the least open bound is a valid lower bound.

Only exact pricing keeps the node bounds valid, so this runs when every employee is priced by the row programme.
Branching on cells keeps the pricers' structure: a fixed cell is a fixed state, a forbidden one an infinite cost.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from staffplan.roster.shifts.colgen import (
    Cell,
    Column,
    Generator,
    cell_weights,
    heaviest_rows,
    integer_bound,
    objective_of,
)

Decision = tuple[int, Cell, bool]  # (employee, cell, worked)


@dataclass
class BranchResult:
    columns: list[Column]
    objective: int
    bound: float  # valid lower bound: the optimum when ``proven``
    proven: bool
    nodes: int


def _apply(gen: Generator, decisions: Sequence[Decision]) -> None:
    """Pricers and master rows follow ``decisions`` (and nothing else)."""
    for p in gen.pricers:
        p.unfix_all()
    worked: dict[int, set[Cell]] = {}
    banned: dict[int, set[Cell]] = {}
    for e, cell, on in decisions:
        (worked if on else banned).setdefault(e, set()).add(cell)
        if on:
            gen.pricers[e].fix(cell)
        else:
            gen.pricers[e].forbid(cell)
    for i, col in enumerate(gen.master.columns):
        cells = set(col.cells)
        ok = worked.get(col.employee, set()) <= cells and not (banned.get(col.employee, set()) & cells)
        gen.master.allow(i, ok)


def _seed_rows(gen: Generator, decisions: Sequence[Decision]) -> bool:
    """Give every employee without an allowed row one feasible row under the decisions; False if one has none."""
    has = {col.employee for col, up in zip(gen.master.columns, gen.master.upper, strict=True) if up > 0}
    for p in gen.pricers:
        if p.e in has:
            continue
        rows, _, _ = p.price({}, 1.0, gen.seed)
        if not rows:
            return False
        cells = rows[0][1]
        gen.master.add(Column(p.e, cells, p.cost(cells)))
    return True


def _solve_node(gen: Generator, deadline: float, incumbent: int) -> float | None:
    """Column generation to the node's LP optimum, or until its Lagrangian bound prunes the node against the
    ``incumbent``; the node's bound, or None when the deadline came first."""
    everyone = list(range(len(gen.pricers)))
    while time.perf_counter() < deadline:
        lp_value, added, lagrange = gen.round(everyone, deadline)
        if added == 0 and lagrange is not None and lagrange >= lp_value - 1e-6:
            return lp_value
        if lagrange is not None and integer_bound(lagrange) >= incumbent:
            return lagrange
    return None


def _branch_cell(gen: Generator) -> tuple[int, Cell] | None:
    """The (employee, cell) whose LP weight is nearest one half; None when the LP solution is integral."""
    values = gen.master.values()
    if all(v <= 1e-9 or v >= 1.0 - 1e-6 for v in values):
        return None
    weight = cell_weights(gen.master, values)
    _, (e, d, s) = min((abs(w - 0.5), key) for key, w in weight.items() if 1e-6 < w < 1.0 - 1e-6)
    return e, (d, s)


def branch_and_price(gen: Generator, incumbent: list[Column], deadline: float,
                     note: Callable[[str], object] | None = None) -> BranchResult:
    """Best-bound branch and price from the root (the master as it stands), improving ``incumbent``."""
    instance = gen.master.instance
    best_cols, best = list(incumbent), objective_of(instance, incumbent)
    counter = itertools.count()
    heap: list[tuple[float, int, list[Decision]]] = [(-math.inf, next(counter), [])]
    nodes = 0
    bound = -math.inf
    gen.master.warm(True)
    try:
        while heap:
            if time.perf_counter() >= deadline:
                break
            parent_bound, _, decisions = heapq.heappop(heap)
            if integer_bound(parent_bound) >= best:
                continue
            nodes += 1
            _apply(gen, decisions)
            if not _seed_rows(gen, decisions):
                continue  # an employee has no row under these decisions
            lp_value = _solve_node(gen, deadline, best)
            if lp_value is None:
                heapq.heappush(heap, (parent_bound, next(counter), decisions))  # unfinished: still open
                break
            if integer_bound(lp_value) >= best:
                continue
            picked = _branch_cell(gen)
            # a roster at every node: each employee's heaviest row (the LP's rows when it is integral)
            cols = heaviest_rows(gen.master)
            value = objective_of(instance, cols)
            if value < best:
                best_cols, best = cols, value
                if note is not None:
                    note(f"branch node {nodes} roster {best}")
            if picked is None:
                continue
            e, cell = picked
            for on in (True, False):
                heapq.heappush(heap, (lp_value, next(counter), [*decisions, (e, cell, on)]))
        open_bounds = [b for b, _, _ in heap if integer_bound(b) < best]
        bound = min(open_bounds, default=float(best))
        proven = not open_bounds
    finally:
        gen.master.warm(False)
        _apply(gen, [])
    if note is not None:
        note(f"branch {nodes} nodes, roster {best}, bound {bound:.2f}{' proven' if proven else ''}")
    return BranchResult(best_cols, best, bound, proven, nodes)
