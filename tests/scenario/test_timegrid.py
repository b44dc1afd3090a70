"""UTC grid ↔ site-local time: DST inside the week, half-hour zones, the date line."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from staffplan.scenario.timegrid import TimeGrid


def test_grid_shape_and_cyclic_wrap() -> None:
    grid = TimeGrid(dt.date(2026, 11, 23), 30)
    assert grid.num_slots == 336 and grid.slots_per_day == 48
    assert grid.slot_start(336) == grid.slot_start(0) == dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    assert grid.slot_start(-1) == dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)


def test_manila_nine_am_is_one_am_utc() -> None:
    grid = TimeGrid(dt.date(2026, 11, 23), 60)
    slot = grid.utc_slot_of_local(dt.date(2026, 11, 24), 9 * 60, ZoneInfo("Asia/Manila"))
    assert grid.slot_start(slot) == dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


def test_kolkata_half_hour_offset() -> None:
    grid30, grid60 = TimeGrid(dt.date(2026, 11, 23), 30), TimeGrid(dt.date(2026, 11, 23), 60)
    zone = ZoneInfo("Asia/Kolkata")
    slot = grid30.utc_slot_of_local(dt.date(2026, 11, 23), 9 * 60, zone)
    assert grid30.slot_start(slot) == dt.datetime(2026, 11, 23, 3, 30, tzinfo=dt.UTC)
    # 09:00 IST is 03:30 UTC: not on an hourly grid; 09:30 IST is.
    assert grid60.utc_slot_of_local(dt.date(2026, 11, 23), 9 * 60, zone) is None
    slot = grid60.utc_slot_of_local(dt.date(2026, 11, 23), 9 * 60 + 30, zone)
    assert grid60.slot_start(slot) == dt.datetime(2026, 11, 23, 4, 0, tzinfo=dt.UTC)
    assert grid30.local(0, zone) == dt.datetime(2026, 11, 23, 5, 30, tzinfo=zone)


def test_auckland_across_the_date_line() -> None:
    grid = TimeGrid(dt.date(2026, 11, 23), 30)
    zone = ZoneInfo("Pacific/Auckland")  # NZDT, UTC+13 in November
    # Monday 00:00 UTC is already Monday 13:00 in Auckland; Monday 08:00 there is Sunday 19:00 UTC,
    # which wraps to the end of the cyclic week.
    assert grid.local(0, zone).replace(tzinfo=None) == dt.datetime(2026, 11, 23, 13, 0)
    slot = grid.utc_slot_of_local(dt.date(2026, 11, 23), 8 * 60, zone)
    assert grid.slot_start(slot) == dt.datetime(2026, 11, 29, 19, 0, tzinfo=dt.UTC)
    assert grid.local_days(zone)[0] == dt.date(2026, 11, 23)
    assert grid.local_days(ZoneInfo("America/Chicago"))[0] == dt.date(2026, 11, 22)


def test_dst_change_inside_the_week() -> None:
    # Europe: clocks go back on Sunday 2026-10-25 at 03:00 CEST (01:00 UTC).
    grid = TimeGrid(dt.date(2026, 10, 19), 30)
    berlin = ZoneInfo("Europe/Berlin")
    saturday = grid.utc_slot_of_local(dt.date(2026, 10, 24), 9 * 60, berlin)
    sunday = grid.utc_slot_of_local(dt.date(2026, 10, 25), 9 * 60, berlin)
    assert grid.slot_start(saturday) == dt.datetime(2026, 10, 24, 7, 0, tzinfo=dt.UTC)  # CEST, UTC+2
    assert grid.slot_start(sunday) == dt.datetime(2026, 10, 25, 8, 0, tzinfo=dt.UTC)  # CET, UTC+1


def test_spring_forward_gap_has_no_slot() -> None:
    # US: 2026-03-08 02:00 local does not exist in Chicago.
    grid = TimeGrid(dt.date(2026, 3, 2), 30)
    zone = ZoneInfo("America/Chicago")
    assert grid.utc_slot_of_local(dt.date(2026, 3, 8), 2 * 60 + 30, zone) is None
    slot = grid.utc_slot_of_local(dt.date(2026, 3, 8), 3 * 60, zone)
    assert grid.slot_start(slot) == dt.datetime(2026, 3, 8, 8, 0, tzinfo=dt.UTC)  # CDT, UTC-5


@pytest.mark.parametrize(
    ("stamp", "message"),
    [
        ("2026-11-23T09:00:00", "no UTC offset"),
        ("2026-11-30T00:00:00Z", "outside the plan week"),
        ("2026-11-23T09:10:00Z", "not on the 30-minute grid"),
    ],
)
def test_slot_of_rejects(stamp: str, message: str) -> None:
    grid = TimeGrid(dt.date(2026, 11, 23), 30)
    with pytest.raises(ValueError, match=message):
        grid.slot_of(dt.datetime.fromisoformat(stamp))


def test_slot_of_accepts_offsets() -> None:
    grid = TimeGrid(dt.date(2026, 11, 23), 30)
    assert grid.slot_of(dt.datetime.fromisoformat("2026-11-23T14:30:00+05:30")) == 18
