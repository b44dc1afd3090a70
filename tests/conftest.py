"""Shared factories: the tiny two-site model and forecasts written on the fly."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
WEEK = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def forecast_rows(hours: int = 168, scale: float = 1.0) -> list[tuple[str, str, str, float]]:
    """Hourly rows for the tiny model: a daily curve for spam, a flat trickle for csam and live."""
    rows = []
    for h in range(hours):
        stamp = (WEEK + dt.timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ")
        curve = 1 + 0.5 * math.sin(2 * math.pi * (h % 24) / 24)
        rows.append((stamp, "spam", "en", round(300 * curve * scale, 2)))
        rows.append((stamp, "spam", "tl", round(60 * curve * scale, 2)))
        rows.append((stamp, "csam", "en", round(6 * scale, 2)))
        rows.append((stamp, "live", "en", round(40 * scale, 2)))
    return rows


def write_forecast(path: Path, rows: list[tuple[str, str, str, float]] | list[tuple[str, ...]]) -> Path:
    lines = ["interval_start,queue,language,volume"] + [",".join(str(c) for c in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def tiny_model() -> Path:
    return DATA / "tiny.yaml"


@pytest.fixture
def tiny_forecast(tmp_path: Path) -> Path:
    return write_forecast(tmp_path / "forecast.csv", forecast_rows())
