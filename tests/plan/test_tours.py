"""Tours obey the labor pack and wellbeing limits by construction; each rule has a clean and a violating case."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from staffplan.plan.tours import Tour, day_patterns, tours_for_site
from staffplan.scenario.model_file import load_model
from staffplan.scenario.schema import Scenario
from staffplan.scenario.timegrid import TimeGrid
from tests.conftest import DATA


def _scenario(tmp_path: Path, replace: dict[str, str] | None = None) -> Scenario:
    text = (DATA / "tiny.yaml").read_text()
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return load_model(path)


def _utc_shifts(tour: Tour, grid: TimeGrid) -> list[tuple[dt.datetime, dt.datetime]]:
    out = []
    for shift in tour.shifts:
        start = shift.local_start.astimezone(dt.UTC)
        out.append((start, start + shift.slots * grid.interval))
    return sorted(out)


def _min_rest_hours(tour: Tour, grid: TimeGrid) -> float:
    """Shortest gap between consecutive shifts, the week repeating (last shift to next week's first)."""
    shifts = _utc_shifts(tour, grid)
    week = dt.timedelta(days=7)
    gaps = [(b[0] - a[1]) for a, b in itertools.pairwise(shifts)]
    gaps.append(shifts[0][0] + week - shifts[-1][1])
    return min(gaps).total_seconds() / 3600


def _longest_run(pattern: tuple[int, ...]) -> int:
    days = set(pattern)
    return max(next(k for k in range(8) if (d + k) % 7 not in days) for d in days)


def test_every_tour_respects_rest_days_off_and_consecutive_days(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    grid = TimeGrid(scenario.week_start, scenario.interval_minutes)
    for site in scenario.sites:
        rules = scenario.pack(site.labor_rules)
        tours = tours_for_site(scenario, site, grid)
        assert len(tours) > 100
        for tour in tours:
            assert _min_rest_hours(tour, grid) >= rules.min_rest_hours
            assert 7 - len(tour.pattern) >= rules.min_days_off_per_week
            assert _longest_run(tour.pattern) <= rules.max_consecutive_days
            assert tour.paid_hours <= rules.max_weekly_hours
            if tour.nights:
                nights = tuple(s.day for s in tour.shifts if s.night)
                assert _longest_run(nights) <= scenario.wellbeing.max_consecutive_nights


def test_rest_rule_removes_templates_that_break_it(tmp_path: Path) -> None:
    # A 13-hour span leaves 11 h to the same start next day: fine under 11 h rest, not under 12 h.
    long_shift = "paid_hours: 12, unpaid_meal_minutes: 60"
    clean = _scenario(tmp_path, {"paid_hours: 8, unpaid_meal_minutes: 60": long_shift})
    grid = TimeGrid(clean.week_start, clean.interval_minutes)
    dublin = clean.site("DUB")
    assert clean.pack("ireland").max_daily_hours == 13
    assert tours_for_site(clean, dublin, grid)
    violating = clean.model_copy(update={"labor_rules": (clean.pack("ireland").model_copy(
        update={"id": "ireland", "min_rest_hours": 12}),)})
    assert tours_for_site(violating, dublin, grid) == []


def test_night_shift_cap_removes_long_night_tours(tmp_path: Path) -> None:
    longer = {"paid_hours: 8, unpaid_meal_minutes: 60": "paid_hours: 10, unpaid_meal_minutes: 60"}
    scenario = _scenario(tmp_path, longer)
    grid = TimeGrid(scenario.week_start, scenario.interval_minutes)
    dublin = tours_for_site(scenario, scenario.site("DUB"), grid)  # EU: nights capped at 8 h
    manila = tours_for_site(scenario, scenario.site("MNL"), grid)  # no night cap, but 8 h daily max
    assert dublin and not any(t.nights for t in dublin)
    assert manila == []  # 10 paid hours exceed the Philippine 8-hour day


def test_consecutive_nights_are_broken_up() -> None:
    assert day_patterns(5, 6, night=False, max_nights=3, sunday_work=True) == [
        (0, 1, 2, 3, 4), (0, 1, 2, 3, 6), (0, 1, 2, 5, 6), (0, 1, 4, 5, 6), (0, 3, 4, 5, 6), (1, 2, 3, 4, 5),
        (2, 3, 4, 5, 6)]
    nights = day_patterns(5, 6, night=True, max_nights=3, sunday_work=True)
    assert nights and all(_longest_run(p) <= 3 for p in nights)
    assert len(day_patterns(5, 6, night=True, max_nights=5, sunday_work=True)) > len(nights)


def test_no_sunday_work_in_germany(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, {"labor_rules: ireland": "labor_rules: germany"})
    grid = TimeGrid(scenario.week_start, scenario.interval_minutes)
    tours = tours_for_site(scenario, scenario.site("DUB"), grid)
    assert tours and all(6 not in t.pattern for t in tours)
    assert all(s.local_start.weekday() != 6 for t in tours for s in t.shifts)


def test_manila_nine_am_shift_starts_at_one_utc(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    grid = TimeGrid(scenario.week_start, scenario.interval_minutes)
    tour = next(t for t in tours_for_site(scenario, scenario.site("MNL"), grid)
                if t.local_start_minute == 9 * 60 and t.pattern == (0, 1, 2, 3, 4))
    monday = tour.shifts[0]
    assert monday.local_start.isoformat() == "2026-11-23T09:00:00+08:00"
    assert grid.slot_start(monday.start_slot) == dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
    # the meal is unpaid and off duty: 8 of the 9 hours are on duty
    assert len(monday.working_slots(grid.num_slots)) == 8
    assert tour.cost == pytest.approx(5 * 8 * 10)  # a day shift: no night premium


def test_dst_week_keeps_local_start_and_moves_utc(tmp_path: Path) -> None:
    # Dublin leaves summer time on Sunday 2026-10-25: a 09:00 start is 08:00 UTC before, 09:00 UTC after.
    scenario = _scenario(tmp_path, {"week_start: 2026-11-23": "week_start: 2026-10-19"})
    grid = TimeGrid(scenario.week_start, scenario.interval_minutes)
    tour = next(t for t in tours_for_site(scenario, scenario.site("DUB"), grid)
                if t.local_start_minute == 9 * 60 and 6 in t.pattern and 5 in t.pattern)
    by_day = {s.day: s for s in tour.shifts}
    assert grid.slot_start(by_day[5].start_slot).hour == 8  # Saturday, IST (UTC+1)
    assert grid.slot_start(by_day[6].start_slot).hour == 9  # Sunday, GMT
    assert {s.local_start.hour for s in tour.shifts} == {9}


def test_night_premium_costs_more(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    grid = TimeGrid(scenario.week_start, scenario.interval_minutes)
    tours = {t.local_start_minute: t for t in tours_for_site(scenario, scenario.site("MNL"), grid)
             if t.pattern == (0, 1, 2, 3, 4) or t.nights}
    day, night = tours[9 * 60], tours[22 * 60]
    assert night.nights and not day.nights
    assert night.cost > day.cost
