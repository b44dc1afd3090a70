"""The roster model with every cell fixed to a roster, kept in step as the roster changes.

A sub-problem of the LNS is a copy of it with the free cells' domains restored: a few thousand domain writes
instead of one per cell variable of the whole roster (Instance21: 107,092 writes, 0.31 s in Python for each
sub-problem, and the LNS's threads take turns at them).

Given a value for every variable (the roster's, cover slacks and weekend indicators included), a sub-problem can
also be *reduced* (:meth:`FixedModel.reduced`): only the constraints that read a free cell's variables, and the
auxiliary variables those read in turn, are kept; every other constraint reads fixed variables alone, which the
given values satisfy, and every other auxiliary variable is fixed to its value. CP-SAT then loads and presolves
a model the size of the neighbourhood, not of the roster.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from staffplan.roster.shifts.model import RosterModel

EmployeeDay = tuple[int, int]


def _gather(indptr: np.ndarray, data: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The entries of ``rows`` in the compressed rows ``(indptr, data)``, one after another."""
    starts, lengths = indptr[rows], indptr[rows + 1] - indptr[rows]
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return data[offsets + np.arange(int(lengths.sum()))]


class Incidence:
    """Which variables each constraint of ``model`` reads, and which constraints read each variable (compressed
    rows both ways). Reads the constraint kinds the roster model writes; any other kind is an error.

    The model is read as a protobuf message parsed from its exported bytes: walking the solver's own proto wrapper
    constraint by constraint took 15.9 s on Instance24's 1.1 million constraints, the parsed message 5 s."""

    def __init__(self, model: cp_model.CpModel) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.pb"
            model.export_to_file(str(path))
            proto = cp_model_pb2.CpModelProto.FromString(path.read_bytes())
        counts, flat = [], []
        for c in proto.constraints:
            kind = c.WhichOneof("constraint")
            if kind == "linear":
                refs = list(c.linear.vars)
            elif kind in ("at_most_one", "bool_or", "bool_and", "exactly_one"):
                refs = list(getattr(c, kind).literals)
            else:
                raise ValueError(f"constraint kind not read by the reduced model: {kind}")
            refs.extend(c.enforcement_literal)
            counts.append(len(refs))
            flat.extend(refs)
        refs_array = np.array(flat, dtype=np.int64)
        self.variables = np.where(refs_array >= 0, refs_array, -refs_array - 1)  # a negated literal reads its var
        self.by_constraint = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        order = np.argsort(self.variables, kind="stable")
        self.constraints = owner[order]
        self.by_variable = np.searchsorted(self.variables[order], np.arange(len(proto.variables) + 1))

    def closure(self, start: np.ndarray, auxiliary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(constraints, auxiliary variables): the constraints reading a variable of ``start`` or an auxiliary
        variable (``auxiliary`` is a mask over the variables) that such a constraint reads, and those variables;
        both sorted."""
        opened = np.zeros(len(auxiliary), dtype=bool)
        kept = np.zeros(len(self.by_constraint) - 1, dtype=bool)
        frontier = np.unique(start)
        while frontier.size:
            cons = _gather(self.by_variable, self.constraints, frontier)
            cons = np.unique(cons[~kept[cons]])
            kept[cons] = True
            read = _gather(self.by_constraint, self.variables, cons)
            frontier = np.unique(read[auxiliary[read] & ~opened[read]])
            opened[frontier] = True
        return np.flatnonzero(kept), np.flatnonzero(opened)


class FixedModel:
    """``rm``'s model without its hint, each cell variable fixed to ``roster`` (:meth:`update` follows changes)."""

    def __init__(self, rm: RosterModel, roster: Mapping[str, Sequence[str | None]]) -> None:
        self.rm = rm
        inst = rm.instance
        # per (employee, day): (variable index, shift index or -1 for the day's work variable)
        self.cells: dict[EmployeeDay, list[tuple[int, int]]] = {}
        for e, d, index, s in rm.cell_variables:
            self.cells.setdefault((e, d), []).append((index, s))
        self.model = cp_model.CpModel()
        self.model.proto.copy_from(rm.model.proto)
        self.model.proto.solution_hint.vars.clear()
        self.model.proto.solution_hint.values.clear()
        self.roster = {emp.id: list(roster[emp.id]) for emp in inst.staff}
        # for reduced sub-problems (built on first use): the model's incidence, which variables are auxiliary,
        # and a copy without constraints whose auxiliary variables are fixed to the values of ``_values_of``
        self._lock = threading.Lock()
        self._incidence: Incidence | None = None
        self._auxiliary = np.zeros(0, dtype=bool)
        self._bare: cp_model.CpModel | None = None
        self._values_of: Sequence[int] | None = None
        self._fix(self.cells)

    def _values(self, e: int, d: int) -> list[tuple[int, int]]:
        """(variable index, its value in the roster) for each variable of employee ``e``'s day ``d``."""
        inst = self.rm.instance
        shift = self.roster[inst.staff[e].id][d]
        return [(index, int(shift is not None) if s < 0 else int(shift == inst.shifts[s].id))
                for index, s in self.cells.get((e, d), ())]

    def _fix(self, cells: Collection[EmployeeDay]) -> None:
        protos = [self.model.proto] + ([self._bare.proto] if self._bare is not None else [])
        for proto in protos:
            variables = proto.variables
            for e, d in cells:
                for index, value in self._values(e, d):
                    domain = variables[index].domain
                    domain.clear()
                    domain.extend([value, value])

    def update(self, roster: Mapping[str, Sequence[str | None]], cells: Collection[EmployeeDay],
               values: Sequence[int] | None = None) -> None:
        """The roster is now ``roster``, which differs from the last one in ``cells`` at most; ``values``, when
        given, is its value for every variable (the next reduced sub-problems' start)."""
        staff = self.rm.instance.staff
        for e, d in cells:
            self.roster[staff[e].id][d] = roster[staff[e].id][d]
        self._fix(cells)
        if values is not None and self._incidence is not None:
            _, auxiliary = self._incidence.closure(self._cell_indices(cells), self._auxiliary)
            self._fix_auxiliary(auxiliary, values)

    def _cell_indices(self, cells: Collection[EmployeeDay]) -> np.ndarray:
        return np.array([index for cell in cells for index, _ in self.cells.get(cell, ())], dtype=np.int64)

    def _fix_auxiliary(self, auxiliary: Collection[int], values: Sequence[int]) -> None:
        assert self._bare is not None
        variables = self._bare.proto.variables
        for index in auxiliary:
            domain = variables[index].domain
            domain.clear()
            domain.extend([values[index], values[index]])
        self._values_of = values

    def _prepare(self, values: Sequence[int]) -> None:
        """Build the incidence and the bare copy on first use; fix its auxiliary variables to ``values`` unless
        they hold them already."""
        with self._lock:
            if self._incidence is None:
                self._incidence = Incidence(self.rm.model)
                self._auxiliary = np.ones(len(self.rm.model.proto.variables), dtype=bool)
                self._auxiliary[[index for cells in self.cells.values() for index, _ in cells]] = False
                self._bare = cp_model.CpModel()
                self._bare.proto.copy_from(self.model.proto)
                self._bare.proto.constraints.clear()
            if values is not self._values_of:
                self._fix_auxiliary(np.flatnonzero(self._auxiliary).tolist(), values)

    def reduced(self, free: Collection[EmployeeDay], values: Sequence[int]) -> cp_model.CpModel:
        """The sub-problem of ``free`` with only the constraints it needs (module docstring), hinted with
        ``values``, the roster's value for every variable; variables keep their indices."""
        self._prepare(values)
        assert self._incidence is not None and self._bare is not None
        cells = self._cell_indices(free)
        kept, auxiliary = self._incidence.closure(cells, self._auxiliary)
        sub = cp_model.CpModel()
        sub.proto.copy_from(self._bare.proto)
        original, variables = self.rm.model.proto.variables, sub.proto.variables
        for index in [*cells.tolist(), *auxiliary.tolist()]:
            variables[index].copy_from(original[index])  # its own domain back (one call: 6 us, not 2 x 3)
        constraints, source = sub.proto.constraints, self.rm.model.proto.constraints
        for index in kept.tolist():
            constraints.add().copy_from(source[index])
        sub.proto.solution_hint.vars.extend(range(len(values)))
        sub.proto.solution_hint.values.extend(values)
        return sub

    def sub_model(self, free: Collection[EmployeeDay], hint: bool) -> cp_model.CpModel:
        """A copy whose ``free`` cells take their own domains again, hinted with the roster's values when
        ``hint``."""
        sub = cp_model.CpModel()
        sub.proto.copy_from(self.model.proto)
        original = self.rm.model.proto.variables
        variables = sub.proto.variables
        for e, d in free:
            for index, _ in self.cells.get((e, d), ()):
                domain = variables[index].domain
                domain.clear()
                domain.extend(list(original[index].domain))
            if hint:
                for index, value in self._values(e, d):
                    sub.proto.solution_hint.vars.append(index)
                    sub.proto.solution_hint.values.append(value)
        return sub

    def chosen(self, free: Collection[EmployeeDay], solution: Sequence[int]) -> dict[EmployeeDay, str]:
        """The shift worked on each worked ``free`` cell in ``solution`` (a value per variable)."""
        shifts = self.rm.instance.shifts
        return {(e, d): shifts[s].id for e, d in free for index, s in self.cells.get((e, d), ())
                if s >= 0 and solution[index]}
