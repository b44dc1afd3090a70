"""Parser for the Curtois & Qu shift-scheduling benchmark text format (Instance1..Instance24).

The format has seven sections, always in this order, each introduced by a line holding only its keyword::

    SECTION_HORIZON             one integer: number of days H (day 0 is a Monday)
    SECTION_SHIFTS              ShiftID,LengthInMinutes,CannotFollow(a|b|...)
    SECTION_STAFF               ID,MaxShifts(s=n|...),MaxTotalMinutes,MinTotalMinutes,MaxConsecutiveShifts,
                                MinConsecutiveShifts,MinConsecutiveDaysOff,MaxWeekends
    SECTION_DAYS_OFF            EmployeeID,day,day,...
    SECTION_SHIFT_ON_REQUESTS   EmployeeID,Day,ShiftID,Weight
    SECTION_SHIFT_OFF_REQUESTS  EmployeeID,Day,ShiftID,Weight
    SECTION_COVER               Day,ShiftID,Requirement,WeightUnder,WeightOver

Lines starting with ``#`` are comments wherever they occur, ``\\r`` is stripped, blank lines are ignored.
Every problem in the input raises :class:`InstanceFormatError` (a ``ValueError``) naming the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

SECTIONS: tuple[str, ...] = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)

_ID_RE = re.compile(r"^[A-Za-z0-9_\-]+$")


class InstanceFormatError(ValueError):
    """Bad instance text; ``line`` is the 1-based line number (0 when the problem is not tied to one line)."""

    def __init__(self, message: str, line: int, source: str = "<text>") -> None:
        self.line = line
        self.source = source
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class ShiftType:
    id: str
    length: int  # minutes
    cannot_follow: tuple[str, ...]  # shift types that may not be worked the day after this one


@dataclass(frozen=True)
class Staff:
    id: str
    max_shifts: Mapping[str, int]  # per shift type; 0 = never
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class ShiftRequest:
    employee: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True)
class Instance:
    name: str
    horizon: int
    shifts: tuple[ShiftType, ...]
    staff: tuple[Staff, ...]
    days_off: Mapping[str, frozenset[int]]  # employee -> days on which no shift may be worked (hard)
    on_requests: tuple[ShiftRequest, ...]
    off_requests: tuple[ShiftRequest, ...]
    cover: tuple[Cover, ...]
    _shift_index: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)
    _staff_index: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_shift_index", MappingProxyType({s.id: i for i, s in enumerate(self.shifts)}))
        object.__setattr__(self, "_staff_index", MappingProxyType({e.id: i for i, e in enumerate(self.staff)}))

    @property
    def shift_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.shifts)

    @property
    def staff_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.staff)

    def shift_index(self, shift_id: str) -> int:
        return self._shift_index[shift_id]

    def staff_index(self, employee_id: str) -> int:
        return self._staff_index[employee_id]

    def alone(self, emp: Staff) -> Instance:
        """``emp`` as the only employee, with its days off and no requests or cover: its own rules."""
        return Instance(name=f"{self.name}-{emp.id}", horizon=self.horizon, shifts=self.shifts, staff=(emp,),
                        days_off={emp.id: self.days_off.get(emp.id, frozenset())}, on_requests=(),
                        off_requests=(), cover=())

    def weekends(self) -> list[tuple[int, ...]]:
        """Days of each weekend (Saturday, Sunday) that fall inside the horizon; day 0 is a Monday."""
        out: list[tuple[int, ...]] = []
        w = 0
        while 7 * w + 5 < self.horizon:
            out.append(tuple(d for d in (7 * w + 5, 7 * w + 6) if d < self.horizon))
            w += 1
        return out


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.replace("\r", "").strip()
        if not line or line.startswith("#"):
            continue
        yield number, line


def _int(token: str, what: str, line: int, source: str, minimum: int | None = 0) -> int:
    try:
        value = int(token.strip())
    except ValueError:
        raise InstanceFormatError(f"{what} must be an integer, got {token!r}", line, source) from None
    if minimum is not None and value < minimum:
        raise InstanceFormatError(f"{what} must be >= {minimum}, got {value}", line, source)
    return value


def _ident(token: str, what: str, line: int, source: str) -> str:
    token = token.strip()
    if not _ID_RE.match(token):
        raise InstanceFormatError(f"{what} {token!r} is not a valid identifier", line, source)
    return token


def parse_instance(text: str, name: str = "instance", source: str | None = None) -> Instance:
    """Parse benchmark text into an :class:`Instance`. Raises :class:`InstanceFormatError` on bad input."""
    src = source if source is not None else name
    rows: dict[str, list[tuple[int, str]]] = {}
    header_line: dict[str, int] = {}
    current: str | None = None
    last_index = -1
    for number, line in _lines(text):
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise InstanceFormatError(f"unknown section {line!r}", number, src)
            if line in rows:
                raise InstanceFormatError(f"section {line} appears twice", number, src)
            index = SECTIONS.index(line)
            if index < last_index:
                raise InstanceFormatError(f"section {line} is out of order", number, src)
            last_index = index
            current = line
            rows[line] = []
            header_line[line] = number
            continue
        if current is None:
            raise InstanceFormatError(f"data before the first SECTION_ line: {line!r}", number, src)
        rows[current].append((number, line))
    for section in SECTIONS:
        if section not in rows:
            raise InstanceFormatError(f"missing section {section}", 0, src)

    # Horizon
    horizon_rows = rows["SECTION_HORIZON"]
    if len(horizon_rows) != 1:
        at = horizon_rows[1][0] if len(horizon_rows) > 1 else header_line["SECTION_HORIZON"]
        raise InstanceFormatError("SECTION_HORIZON must hold exactly one integer", at, src)
    horizon = _int(horizon_rows[0][1], "horizon", horizon_rows[0][0], src, minimum=1)

    # Shifts
    shifts: list[ShiftType] = []
    shift_lines: dict[str, int] = {}
    for number, line in rows["SECTION_SHIFTS"]:
        parts = line.split(",")
        if len(parts) != 3:
            raise InstanceFormatError(
                f"shift row needs 3 fields (ID,Length,CannotFollow), got {len(parts)}", number, src
            )
        sid = _ident(parts[0], "shift ID", number, src)
        if sid in shift_lines:
            raise InstanceFormatError(f"duplicate shift ID {sid!r}", number, src)
        length = _int(parts[1], "shift length", number, src, minimum=0)
        follow = tuple(_ident(t, "shift ID", number, src) for t in parts[2].split("|") if t.strip())
        shift_lines[sid] = number
        shifts.append(ShiftType(sid, length, follow))
    if not shifts:
        raise InstanceFormatError("SECTION_SHIFTS is empty", header_line["SECTION_SHIFTS"], src)
    for st in shifts:
        for other in st.cannot_follow:
            if other not in shift_lines:
                raise InstanceFormatError(
                    f"unknown shift {other!r} in CannotFollow of {st.id!r}", shift_lines[st.id], src
                )
    shift_set = set(shift_lines)

    # Staff
    staff: list[Staff] = []
    staff_set: set[str] = set()
    for number, line in rows["SECTION_STAFF"]:
        parts = line.split(",")
        if len(parts) != 8:
            raise InstanceFormatError(f"staff row needs 8 fields, got {len(parts)}", number, src)
        eid = _ident(parts[0], "employee ID", number, src)
        if eid in staff_set:
            raise InstanceFormatError(f"duplicate employee ID {eid!r}", number, src)
        limits: dict[str, int] = {}
        for item in (t for t in parts[1].split("|") if t.strip()):
            key, sep, value = item.partition("=")
            if not sep:
                raise InstanceFormatError(f"MaxShifts entry {item!r} is not ShiftID=limit", number, src)
            key = key.strip()
            if key not in shift_set:
                raise InstanceFormatError(f"unknown shift {key!r} in MaxShifts", number, src)
            if key in limits:
                raise InstanceFormatError(f"shift {key!r} listed twice in MaxShifts", number, src)
            limits[key] = _int(value, f"MaxShifts[{key}]", number, src)
        missing = [s.id for s in shifts if s.id not in limits]
        if missing:
            raise InstanceFormatError(f"MaxShifts has no limit for shift(s) {', '.join(missing)}", number, src)
        labels = ("MaxTotalMinutes", "MinTotalMinutes", "MaxConsecutiveShifts", "MinConsecutiveShifts",
                  "MinConsecutiveDaysOff", "MaxWeekends")
        v = [_int(token, label, number, src) for token, label in zip(parts[2:], labels, strict=True)]
        staff_set.add(eid)
        staff.append(Staff(eid, MappingProxyType(limits), v[0], v[1], v[2], v[3], v[4], v[5]))
    if not staff:
        raise InstanceFormatError("SECTION_STAFF is empty", header_line["SECTION_STAFF"], src)

    def check_employee(eid: str, number: int) -> str:
        eid = eid.strip()
        if eid not in staff_set:
            raise InstanceFormatError(f"unknown employee {eid!r}", number, src)
        return eid

    def check_day(token: str, number: int) -> int:
        day = _int(token, "day", number, src)
        if day >= horizon:
            raise InstanceFormatError(f"day {day} is outside the horizon 0..{horizon - 1}", number, src)
        return day

    def check_shift(token: str, number: int) -> str:
        sid = token.strip()
        if sid not in shift_set:
            raise InstanceFormatError(f"unknown shift {sid!r}", number, src)
        return sid

    # Days off
    days_off: dict[str, set[int]] = {}
    for number, line in rows["SECTION_DAYS_OFF"]:
        parts = line.split(",")
        eid = check_employee(parts[0], number)
        days = {check_day(t, number) for t in parts[1:] if t.strip()}
        days_off.setdefault(eid, set()).update(days)

    # Requests
    def requests(section: str) -> tuple[ShiftRequest, ...]:
        out: list[ShiftRequest] = []
        for number, line in rows[section]:
            parts = line.split(",")
            if len(parts) != 4:
                raise InstanceFormatError(f"request row needs 4 fields (Employee,Day,Shift,Weight), got {len(parts)}",
                                          number, src)
            out.append(ShiftRequest(check_employee(parts[0], number), check_day(parts[1], number),
                                    check_shift(parts[2], number), _int(parts[3], "weight", number, src)))
        return tuple(out)

    on_requests = requests("SECTION_SHIFT_ON_REQUESTS")
    off_requests = requests("SECTION_SHIFT_OFF_REQUESTS")

    # Cover
    cover: list[Cover] = []
    seen: set[tuple[int, str]] = set()
    for number, line in rows["SECTION_COVER"]:
        parts = line.split(",")
        if len(parts) != 5:
            raise InstanceFormatError(f"cover row needs 5 fields (Day,Shift,Requirement,Under,Over), got {len(parts)}",
                                      number, src)
        day = check_day(parts[0], number)
        sid = check_shift(parts[1], number)
        if (day, sid) in seen:
            raise InstanceFormatError(f"duplicate cover row for day {day}, shift {sid!r}", number, src)
        seen.add((day, sid))
        cover.append(Cover(day, sid, _int(parts[2], "requirement", number, src),
                           _int(parts[3], "under weight", number, src), _int(parts[4], "over weight", number, src)))

    return Instance(
        name=name,
        horizon=horizon,
        shifts=tuple(shifts),
        staff=tuple(staff),
        days_off=MappingProxyType({e: frozenset(days_off.get(e, ())) for e in (s.id for s in staff)}),
        on_requests=on_requests,
        off_requests=off_requests,
        cover=tuple(cover),
    )


def load_instance(path: str | Path) -> Instance:
    """Read and parse an instance file; the instance name is the file stem (e.g. ``Instance1``)."""
    p = Path(path)
    return parse_instance(p.read_text(encoding="utf-8"), name=p.stem, source=str(p))
