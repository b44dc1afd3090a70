"""Read `inputs/forecast.csv` (`interval_start,queue,language,volume[,aht_seconds]`) onto the UTC grid."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from staffplan.scenario.csv_rows import read_rows
from staffplan.scenario.issues import InputIssue, Level, raise_if_errors
from staffplan.scenario.schema import Scenario
from staffplan.scenario.timegrid import TimeGrid

Stream = tuple[str, str]
"""(queue id, language): the unit coverage is measured in."""


@dataclass(frozen=True, eq=False)
class Forecast:
    """Volume and AHT per stream and UTC slot. Rows absent from the file are zero volume."""

    streams: tuple[Stream, ...]
    volume: np.ndarray  # (streams, slots), contacts arriving in the slot
    aht_seconds: np.ndarray  # (streams, slots), the queue's AHT unless the file overrides it

    def index(self, stream: Stream) -> int:
        return self.streams.index(stream)


def _number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def load_forecast(path: Path, scenario: Scenario) -> tuple[Forecast, list[InputIssue]]:
    """Parse and validate the forecast; raises InputError with every error, returns warnings."""
    name, grid = str(path), TimeGrid(scenario.week_start, scenario.interval_minutes)
    languages, queues = set(scenario.languages), {q.id: q for q in scenario.queues}
    issues: list[InputIssue] = []
    seen: dict[tuple[int, str, str], int] = {}
    cells: dict[Stream, list[tuple[int, float, float | None]]] = {}

    def bad(row: int, column: str, value: str, message: str) -> None:
        issues.append(InputIssue(name, row, column, value, message))

    for row, rec in read_rows(path, ("interval_start", "queue", "language", "volume"), ("aht_seconds",)):
        ok = True
        stamp, queue, language = rec["interval_start"], rec["queue"], rec["language"]
        slot = -1
        try:
            moment = dt.datetime.fromisoformat(stamp)
        except ValueError:
            bad(row, "interval_start", stamp, "not an ISO 8601 timestamp (e.g. 2026-11-23T09:30:00Z)")
            ok = False
        else:
            try:
                slot = grid.slot_of(moment)
            except ValueError as exc:
                bad(row, "interval_start", stamp, str(exc))
                ok = False
        if queue not in queues:
            bad(row, "queue", queue, f"unknown queue (known: {', '.join(sorted(queues))})")
            ok = False
        if language not in languages:
            bad(row, "language", language, f"unknown language (known: {', '.join(scenario.languages)})")
            ok = False
        volume = _number(rec["volume"])
        if volume is None or volume < 0:
            bad(row, "volume", rec["volume"], "volume must be a number ≥ 0")
            ok = False
        aht: float | None = None
        if rec.get("aht_seconds"):
            aht = _number(rec["aht_seconds"])
            if aht is None or aht <= 0:
                bad(row, "aht_seconds", rec["aht_seconds"], "AHT must be a number > 0 (or blank)")
                ok = False
        if not ok:
            continue
        key = (slot, queue, language)
        if key in seen:
            bad(row, "interval_start", stamp, f"duplicate of row {seen[key]} ({queue}, {language})")
            continue
        seen[key] = row
        assert volume is not None
        cells.setdefault((queue, language), []).append((slot, volume, aht))
    raise_if_errors(issues)

    streams = tuple(sorted(cells))
    volume_grid = np.zeros((len(streams), grid.num_slots))
    aht_grid = np.array([[queues[q].aht_seconds] * grid.num_slots for q, _ in streams], dtype=float)
    aht_grid = aht_grid.reshape(len(streams), grid.num_slots)
    for i, stream in enumerate(streams):
        for slot, volume, aht in cells[stream]:
            volume_grid[i, slot] = volume
            if aht is not None:
                aht_grid[i, slot] = aht
    warnings = [
        InputIssue(name, None, "queue", f"{q}/{lang}",
                   "no pool at a permitted site serves this queue in this language: it will be a gap",
                   Level.WARNING)
        for q, lang in streams
        if not any(lang in p.languages and scenario.may_work(s, p, q) for s, p in scenario.pools())
    ]
    return Forecast(streams, volume_grid, aht_grid), warnings
