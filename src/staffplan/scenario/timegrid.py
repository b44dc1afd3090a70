"""One UTC slot grid for the plan week, and conversions to each site's local time.

Slot `t` covers `[week_start + t·interval, week_start + (t+1)·interval)` in UTC. The week is cyclic:
slot `T` is slot 0 again (Sunday night's shift covers Monday morning). Local times are computed with
`zoneinfo`, so a DST change inside the week, half-hour zones and sites across the date line are right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.UTC
DAYS = 7


@dataclass(frozen=True)
class TimeGrid:
    week_start: dt.date
    interval_minutes: int

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.week_start, dt.time(0, 0), tzinfo=UTC)

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(days=DAYS)

    @property
    def interval(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.interval_minutes)

    @property
    def slots_per_day(self) -> int:
        return 24 * 60 // self.interval_minutes

    @property
    def num_slots(self) -> int:
        return DAYS * self.slots_per_day

    def slot_start(self, slot: int) -> dt.datetime:
        """UTC start of a slot; indices outside the week wrap around (cyclic week)."""
        return self.start + (slot % self.num_slots) * self.interval

    def slot_of(self, moment: dt.datetime) -> int:
        """Slot index of an aware datetime inside the week.

        Raises ValueError when the moment is naive, outside the week or not on the grid.
        """
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("timestamp has no UTC offset")
        offset = moment.astimezone(UTC) - self.start
        if not dt.timedelta(0) <= offset < dt.timedelta(days=DAYS):
            raise ValueError(f"outside the plan week {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d} (UTC)")
        slot, remainder = divmod(offset, self.interval)
        if remainder:
            raise ValueError(f"not on the {self.interval_minutes}-minute grid")
        return int(slot)

    def slots_for(self, minutes: float) -> int:
        """Whole slots in a duration, rounded up (a 4 h 10 min window on 30-min slots is 9 slots)."""
        return -(-round(minutes) // self.interval_minutes)

    def local(self, slot: int, zone: ZoneInfo) -> dt.datetime:
        return self.slot_start(slot).astimezone(zone)

    def local_days(self, zone: ZoneInfo) -> list[dt.date]:
        """Site-local dates that overlap the UTC week (8 for any zone not at UTC+0)."""
        first = self.start.astimezone(zone).date()
        last = (self.end - dt.timedelta(microseconds=1)).astimezone(zone).date()
        return [first + dt.timedelta(days=d) for d in range((last - first).days + 1)]

    def utc_slot_of_local(self, day: dt.date, minute: int, zone: ZoneInfo) -> int | None:
        """UTC slot where a site-local wall-clock time starts, wrapped into the cyclic week.

        Returns None when the wall time does not exist (skipped by a spring-forward change) or is not on
        the UTC grid (a half-hour zone on a 60-minute grid).
        """
        naive = dt.datetime.combine(day, dt.time(0, 0)) + dt.timedelta(minutes=minute)
        aware = naive.replace(tzinfo=zone)
        round_trip = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            return None
        offset = aware.astimezone(UTC) - self.start
        slot, remainder = divmod(offset, self.interval)
        if remainder:
            return None
        return int(slot) % self.num_slots
