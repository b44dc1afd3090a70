"""Independent checker for Curtois & Qu benchmark solutions.

Reads an instance and a solution file (``EmployeeID,s_0,...,s_{H-1}``, empty field = day off) and recomputes,
straight from the benchmark rules and without any code from the CP-SAT model, the list of hard-constraint
violations and the soft penalty. Deliberately written as plain loops over the roster so that it can serve as an
oracle for the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from staffplan.roster.shifts.instance import Instance, load_instance

Roster = Mapping[str, Sequence[str | None]]


@dataclass(frozen=True)
class CheckResult:
    violations: tuple[str, ...]
    penalty: int
    on_request_penalty: int
    off_request_penalty: int
    under_cover_penalty: int
    over_cover_penalty: int

    @property
    def feasible(self) -> bool:
        return not self.violations


def parse_roster(text: str, instance: Instance, source: str = "<solution>") -> dict[str, list[str | None]]:
    """Parse solution text into ``{employee: [shift or None per day]}``; ValueError (with line) on bad rows."""
    valid = set(instance.shift_ids)
    roster: dict[str, list[str | None]] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split(",")
        employee = fields[0].strip()
        if employee not in instance.staff_ids:
            raise ValueError(f"{source}:{number}: unknown employee {employee!r}")
        if employee in roster:
            raise ValueError(f"{source}:{number}: employee {employee!r} appears twice")
        if len(fields) != instance.horizon + 1:
            raise ValueError(
                f"{source}:{number}: expected {instance.horizon + 1} fields (ID + {instance.horizon} days), "
                f"got {len(fields)}"
            )
        row: list[str | None] = []
        for day, cell in enumerate(fields[1:]):
            cell = cell.strip()
            if cell and cell not in valid:
                raise ValueError(f"{source}:{number}: unknown shift {cell!r} on day {day}")
            row.append(cell or None)
        roster[employee] = row
    missing = [e for e in instance.staff_ids if e not in roster]
    if missing:
        raise ValueError(f"{source}: no row for employee(s) {', '.join(missing)}")
    return roster


def read_roster(path: str | Path, instance: Instance) -> dict[str, list[str | None]]:
    p = Path(path)
    return parse_roster(p.read_text(encoding="utf-8"), instance, source=str(p))


def _runs(row: Sequence[str | None]) -> list[tuple[int, int, bool]]:
    """Maximal runs as (first day, last day, working)."""
    runs: list[tuple[int, int, bool]] = []
    start = 0
    for day in range(1, len(row) + 1):
        if day == len(row) or (row[day] is not None) != (row[start] is not None):
            runs.append((start, day - 1, row[start] is not None))
            start = day
    return runs


def check_roster(instance: Instance, roster: Roster) -> CheckResult:
    """Recompute hard-rule violations and the benchmark penalty of a complete roster."""
    horizon = instance.horizon
    length = {s.id: s.length for s in instance.shifts}
    cannot_follow = {s.id: set(s.cannot_follow) for s in instance.shifts}
    violations: list[str] = []

    for emp in instance.staff:
        row = list(roster[emp.id])
        if len(row) != horizon:
            violations.append(f"{emp.id}: roster has {len(row)} days, horizon is {horizon}")
            continue
        # 2. forbidden successions (nothing crosses the horizon border)
        for day in range(horizon - 1):
            a, b = row[day], row[day + 1]
            if a is not None and b is not None and b in cannot_follow[a]:
                violations.append(f"{emp.id}: shift {b} on day {day + 1} may not follow {a} on day {day}")
        # 3. maximum shifts per type
        for sid, limit in emp.max_shifts.items():
            count = sum(1 for cell in row if cell == sid)
            if count > limit:
                violations.append(f"{emp.id}: {count} shifts of type {sid}, maximum {limit}")
        # 4-5. total minutes
        minutes = sum(length[cell] for cell in row if cell is not None)
        if minutes > emp.max_total_minutes:
            violations.append(f"{emp.id}: {minutes} minutes worked, maximum {emp.max_total_minutes}")
        if minutes < emp.min_total_minutes:
            violations.append(f"{emp.id}: {minutes} minutes worked, minimum {emp.min_total_minutes}")
        # 6-8. consecutive runs; runs touching the horizon border are exempt from the two minimum rules
        for first, last, working in _runs(row):
            size = last - first + 1
            interior = first > 0 and last < horizon - 1
            if working and size > emp.max_consecutive_shifts:
                violations.append(
                    f"{emp.id}: {size} consecutive shifts on days {first}-{last}, maximum {emp.max_consecutive_shifts}"
                )
            if working and interior and size < emp.min_consecutive_shifts:
                violations.append(
                    f"{emp.id}: {size} consecutive shifts on days {first}-{last}, minimum {emp.min_consecutive_shifts}"
                )
            if not working and interior and size < emp.min_consecutive_days_off:
                violations.append(
                    f"{emp.id}: {size} consecutive days off on days {first}-{last}, "
                    f"minimum {emp.min_consecutive_days_off}"
                )
        # 9. weekends: worked if Saturday or Sunday is worked
        worked_weekends = 0
        week = 0
        while 7 * week + 5 < horizon:
            days = [d for d in (7 * week + 5, 7 * week + 6) if d < horizon]
            if any(row[d] is not None for d in days):
                worked_weekends += 1
            week += 1
        if worked_weekends > emp.max_weekends:
            violations.append(f"{emp.id}: {worked_weekends} weekends worked, maximum {emp.max_weekends}")
        # 10. fixed days off
        for day in sorted(instance.days_off.get(emp.id, ())):
            if row[day] is not None:
                violations.append(f"{emp.id}: works {row[day]} on day {day}, which is a fixed day off")

    on_pen = 0
    for req in instance.on_requests:
        if roster[req.employee][req.day] != req.shift:
            on_pen += req.weight
    off_pen = 0
    for req in instance.off_requests:
        if roster[req.employee][req.day] == req.shift:
            off_pen += req.weight
    under = over = 0
    for cov in instance.cover:
        n = sum(1 for emp in instance.staff if roster[emp.id][cov.day] == cov.shift)
        if n < cov.requirement:
            under += cov.weight_under * (cov.requirement - n)
        elif n > cov.requirement:
            over += cov.weight_over * (n - cov.requirement)
    return CheckResult(
        violations=tuple(violations),
        penalty=on_pen + off_pen + under + over,
        on_request_penalty=on_pen,
        off_request_penalty=off_pen,
        under_cover_penalty=under,
        over_cover_penalty=over,
    )


def check_solution_file(instance: Instance | str | Path, solution: str | Path) -> CheckResult:
    """Read ``solution`` (and ``instance`` if given as a path) and check it."""
    inst = instance if isinstance(instance, Instance) else load_instance(instance)
    return check_roster(inst, read_roster(solution, inst))
