"""The roster model with every cell fixed to a roster, kept in step as the roster changes.

A sub-problem of the LNS is a copy of it with the free cells' domains restored: a few thousand domain writes
instead of one per cell variable of the whole roster (Instance21: 107,092 writes, 0.31 s in Python for each
sub-problem, and the LNS's threads take turns at them).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from staffplan.roster.shifts.model import RosterModel

EmployeeDay = tuple[int, int]


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
        self._fix(self.cells)

    def _values(self, e: int, d: int) -> list[tuple[int, int]]:
        """(variable index, its value in the roster) for each variable of employee ``e``'s day ``d``."""
        inst = self.rm.instance
        shift = self.roster[inst.staff[e].id][d]
        return [(index, int(shift is not None) if s < 0 else int(shift == inst.shifts[s].id))
                for index, s in self.cells.get((e, d), ())]

    def _fix(self, cells: Collection[EmployeeDay]) -> None:
        variables = self.model.proto.variables
        for e, d in cells:
            for index, value in self._values(e, d):
                domain = variables[index].domain
                domain.clear()
                domain.extend([value, value])

    def update(self, roster: Mapping[str, Sequence[str | None]], cells: Collection[EmployeeDay]) -> None:
        """The roster is now ``roster``, which differs from the last one in ``cells`` at most."""
        staff = self.rm.instance.staff
        for e, d in cells:
            self.roster[staff[e].id][d] = roster[staff[e].id][d]
        self._fix(cells)

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
