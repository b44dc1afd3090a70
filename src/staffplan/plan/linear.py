"""A solver-neutral sparse linear model: variables with bounds, cost and integrality, rows with ranges.

The plan model is built here once, then handed to whichever solver strategy `staffplan.plan.solve` picks;
the same structure can be read from any OR-Tools `MPModelProto` (used by the benchmark yardstick).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import linear_solver_pb2


@dataclass
class LinearModel:
    """Minimise Σ cost·x subject to lo ≤ Σ a·x ≤ hi per row and lb ≤ x ≤ ub."""

    var_names: list[str] = field(default_factory=list)
    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)
    row_start: list[int] = field(default_factory=lambda: [0])
    col_index: list[int] = field(default_factory=list)
    coef: list[float] = field(default_factory=list)
    objective_offset: float = 0.0

    def add_var(self, name: str, *, lb: float = 0.0, ub: float = math.inf, cost: float = 0.0,
                integer: bool = False) -> int:
        self.var_names.append(name)
        self.lb.append(lb)
        self.ub.append(ub)
        self.cost.append(cost)
        self.integer.append(integer)
        return len(self.var_names) - 1

    def add_row(self, name: str, terms: Iterable[tuple[int, float]], *, lo: float = -math.inf,
                hi: float = math.inf) -> int:
        for var, a in terms:
            self.col_index.append(var)
            self.coef.append(a)
        self.row_start.append(len(self.col_index))
        self.row_names.append(name)
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        return len(self.row_names) - 1

    @property
    def num_vars(self) -> int:
        return len(self.var_names)

    @property
    def num_rows(self) -> int:
        return len(self.row_names)

    @property
    def nonzeros(self) -> int:
        return len(self.col_index)

    def integer_indices(self) -> np.ndarray:
        return np.flatnonzero(np.asarray(self.integer, dtype=bool))

    def objective(self, values: np.ndarray) -> float:
        return float(np.dot(np.asarray(self.cost), values)) + self.objective_offset

    def row_activity(self, values: np.ndarray) -> np.ndarray:
        """Σ a·x per row, for checking a solution independently of any solver."""
        products = np.asarray(self.coef) * values[np.asarray(self.col_index, dtype=np.int64)]
        starts = np.asarray(self.row_start[:-1], dtype=np.int64)
        sums = np.add.reduceat(products, starts) if len(products) else np.zeros(self.num_rows)
        empty = np.diff(np.asarray(self.row_start)) == 0
        sums[empty] = 0.0
        return np.asarray(sums)

    def max_violation(self, values: np.ndarray) -> float:
        """The largest bound or row violation of a candidate solution (0 when feasible)."""
        x = np.asarray(values)
        worst = max(0.0, float(np.max(np.asarray(self.lb) - x, initial=0.0)),
                    float(np.max(x - np.asarray(self.ub), initial=0.0)))
        if self.num_rows:
            act = self.row_activity(x)
            worst = max(worst, float(np.max(np.asarray(self.row_lo) - act)),
                        float(np.max(act - np.asarray(self.row_hi))))
        return worst

    def to_proto(self, *, relax: bool = False, lb: np.ndarray | None = None,
                 ub: np.ndarray | None = None) -> linear_solver_pb2.MPModelProto:
        """The model as an `MPModelProto`, optionally relaxed and with overridden variable bounds."""
        proto = linear_solver_pb2.MPModelProto()
        lbs = self.lb if lb is None else lb
        ubs = self.ub if ub is None else ub
        for j in range(self.num_vars):
            v = proto.variable.add()
            v.lower_bound = float(lbs[j])
            v.upper_bound = float(ubs[j])
            v.objective_coefficient = self.cost[j]
            v.is_integer = self.integer[j] and not relax
        for i in range(self.num_rows):
            c = proto.constraint.add()
            c.lower_bound = self.row_lo[i]
            c.upper_bound = self.row_hi[i]
            lo, hi = self.row_start[i], self.row_start[i + 1]
            c.var_index.extend(self.col_index[lo:hi])
            c.coefficient.extend(self.coef[lo:hi])
        proto.objective_offset = self.objective_offset
        return proto

    @classmethod
    def from_proto(cls, proto: linear_solver_pb2.MPModelProto) -> LinearModel:
        """Read a minimisation model written with any OR-Tools front end."""
        sign = -1.0 if proto.maximize else 1.0
        model = cls(objective_offset=sign * proto.objective_offset)
        for j, v in enumerate(proto.variable):
            model.add_var(v.name or f"v{j}", lb=v.lower_bound, ub=v.upper_bound,
                          cost=sign * v.objective_coefficient, integer=v.is_integer)
        for i, c in enumerate(proto.constraint):
            terms = zip(c.var_index, c.coefficient, strict=True)
            model.add_row(c.name or f"r{i}", terms, lo=c.lower_bound, hi=c.upper_bound)
        return model
