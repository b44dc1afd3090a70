"""Tours: a week of shifts one real person can work under the site's labor pack and wellbeing limits.

A tour is a shift template, a site-local start time and a pattern of working days (Monday = 0, site-local
week). Each working day's shift is placed on the UTC grid through the site's time zone, so a DST change
inside the week moves the UTC slots, not the local start. Every tour generated here satisfies, by
construction: the start window, rest between consecutive shifts (cyclically), days off per week, maximum
consecutive days, weekly and daily hours, the night-shift length cap, consecutive nights, Sunday work.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property

from staffplan.scenario.schema import LaborRules, Scenario, ShiftTemplate, Site, minutes_of
from staffplan.scenario.timegrid import TimeGrid

STANDARD_WEEK_HOURS = 40.0
NIGHT_HOURS_THRESHOLD = 3.0  # a shift with at least 3 h in the night window is a night shift (EU definition)


@dataclass(frozen=True)
class Shift:
    day: int  # site-local weekday, Monday = 0
    start_slot: int  # UTC slot where the shift starts (cyclic week)
    slots: int  # length in slots, meal included
    meal_offset: int  # slots from the start to the unpaid meal
    meal_slots: int
    local_start: dt.datetime  # aware, site-local, the real instant (may precede the UTC week)
    night: bool

    def working_slots(self, num_slots: int) -> list[int]:
        """UTC slots on duty (not at the meal), wrapped into the cyclic week."""
        meal = range(self.meal_offset, self.meal_offset + self.meal_slots)
        return [(self.start_slot + k) % num_slots for k in range(self.slots) if k not in meal]


@dataclass(frozen=True)
class Tour:
    id: str
    site: str
    template: str
    local_start_minute: int
    pattern: tuple[int, ...]  # working local weekdays
    shifts: tuple[Shift, ...]
    paid_hours: float  # for the week
    cost: float  # for the week, premiums and overtime included

    @cached_property
    def nights(self) -> int:
        return sum(s.night for s in self.shifts)

    @property
    def works_weekend(self) -> bool:
        return any(day in (5, 6) for day in self.pattern)  # local weekdays, Monday = 0


def _night_minutes(local_start: dt.datetime, minutes: int, rules: LaborRules) -> int:
    """Minutes of a shift inside the site's night window (which may wrap past midnight)."""
    lo, hi = minutes_of(rules.night_start), minutes_of(rules.night_end)
    first = local_start.hour * 60 + local_start.minute
    count = 0
    for m in range(first, first + minutes, 15):
        clock = m % 1440
        inside = (clock >= lo or clock < hi) if lo > hi else lo <= clock < hi
        count += 15 if inside else 0
    return count


def day_patterns(working_days: int, max_consecutive: int, night: bool, max_nights: int,
                 sunday_work: bool) -> list[tuple[int, ...]]:
    """Weekly patterns of working days (cyclic week), each a real person's week.

    Day shifts: the days off form one block. Night shifts: when the block pattern would exceed the
    consecutive-nights limit, the days off are spread so no run is longer than the limit.
    """
    longest = min(max_consecutive, max_nights) if night else max_consecutive
    found: set[tuple[int, ...]] = set()
    for mask in range(1 << 7):
        days = tuple(d for d in range(7) if mask >> d & 1)
        if len(days) != working_days or (not sunday_work and 6 in days):
            continue
        runs = _cyclic_runs(mask)
        if max(runs, default=0) > longest:
            continue
        if not night and len(runs) > 1:  # day tours: one block of days off
            continue
        if night and len(runs) > 2:  # night tours: at most one extra break
            continue
        found.add(days)
    return sorted(found)


def _cyclic_runs(mask: int) -> list[int]:
    if mask == (1 << 7) - 1:
        return [7 * 2]  # works every day: an unbounded run
    bits = [mask >> d & 1 for d in range(7)]
    start = bits.index(0)
    runs, current = [], 0
    for k in range(1, 8):
        if bits[(start + k) % 7]:
            current += 1
        elif current:
            runs.append(current)
            current = 0
    return runs


def start_minutes(template: ShiftTemplate) -> list[int]:
    lo, hi = minutes_of(template.earliest_start), minutes_of(template.latest_start)
    span = (hi - lo) % 1440
    return [(lo + k) % 1440 for k in range(0, span + 1, template.start_step_minutes)]


def tours_for_site(scenario: Scenario, site: Site, grid: TimeGrid) -> list[Tour]:
    """Every tour the site's labor pack and the wellbeing limits allow."""
    rules = scenario.pack(site.labor_rules)
    tours: list[Tour] = []
    for template in scenario.templates_for(site):
        if template.paid_hours > rules.max_daily_hours:
            continue
        working_days = min(7 - rules.min_days_off_per_week, int(STANDARD_WEEK_HOURS // template.paid_hours))
        if working_days * template.paid_hours > rules.max_weekly_hours or working_days < 1:
            continue
        length = template.length_minutes
        if 24 * 60 - length < rules.min_rest_hours * 60:
            continue  # same start next day would break the daily rest
        for minute in start_minutes(template):
            shifts = _shifts(grid, site, rules, template, minute)
            night = any(s.night for s in shifts)
            if night and rules.max_night_shift_hours is not None and template.paid_hours > rules.max_night_shift_hours:
                continue
            patterns = day_patterns(working_days, rules.max_consecutive_days, night,
                                    scenario.wellbeing.max_consecutive_nights, rules.sunday_work)
            for pattern in patterns:
                chosen = tuple(shifts[d] for d in pattern)
                paid = template.paid_hours * len(chosen)
                tours.append(Tour(
                    id=f"{site.id}.{template.id}.{minute // 60:02d}{minute % 60:02d}.{''.join(map(str, pattern))}",
                    site=site.id, template=template.id, local_start_minute=minute, pattern=pattern,
                    shifts=chosen, paid_hours=paid, cost=_cost(site, rules, template, chosen, grid),
                ))
    return tours


def _shifts(grid: TimeGrid, site: Site, rules: LaborRules, template: ShiftTemplate, minute: int
            ) -> list[Shift]:
    """The seven daily shifts of a site-local start time, one per local weekday."""
    zone = site.zone
    monday = grid.week_start  # the site-local week starts on the same calendar Monday
    length = template.length_minutes
    interval = grid.interval_minutes
    meal_slots = -(-template.unpaid_meal_minutes // interval) if template.unpaid_meal_minutes else 0
    paid_slots = length // interval - meal_slots
    meal_offset = min(paid_slots // 2, round(4 * 60 / interval))  # the meal within the first 4-5 hours
    if rules.meal_before_hour is not None:
        meal_offset = min(meal_offset, int(rules.meal_before_hour * 60 // interval) - 1)
    shifts = []
    for day in range(7):
        date = monday + dt.timedelta(days=day)
        # A half-hour zone on a coarser grid (or a skipped DST hour) starts at the next UTC slot.
        local = (dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minute)).replace(tzinfo=zone)
        offset_s = (local.astimezone(dt.UTC) - grid.start).total_seconds()
        unwrapped = math.ceil(offset_s / (interval * 60))
        slot = unwrapped % grid.num_slots
        local_start = (grid.start + unwrapped * grid.interval).astimezone(zone)  # the real instant
        night = _night_minutes(local_start, length, rules) >= NIGHT_HOURS_THRESHOLD * 60
        shifts.append(Shift(day, slot, length // interval, meal_offset, meal_slots, local_start, night))
    return shifts


def _cost(site: Site, rules: LaborRules, template: ShiftTemplate, shifts: tuple[Shift, ...], grid: TimeGrid) -> float:
    """Weekly wage cost: paid hours at the site rate, plus night, weekend and overtime premiums."""
    rate, paid = site.hourly_cost, template.paid_hours
    total = 0.0
    for shift in shifts:
        base = rate * paid
        night_share = _night_minutes(shift.local_start, template.length_minutes, rules) / template.length_minutes
        total += base * (1 + rules.night_premium * night_share)
        if shift.local_start.weekday() >= 5:
            total += base * rules.weekend_premium
        if rules.overtime_daily_after_hours is not None and paid > rules.overtime_daily_after_hours:
            total += rate * (paid - rules.overtime_daily_after_hours) * (rules.overtime_multiplier - 1)
    weekly = paid * len(shifts)
    if rules.overtime_weekly_after_hours is not None and weekly > rules.overtime_weekly_after_hours:
        total += rate * (weekly - rules.overtime_weekly_after_hours) * (rules.overtime_multiplier - 1)
    return round(total, 2)
