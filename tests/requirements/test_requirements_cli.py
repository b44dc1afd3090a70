"""`staffplan requirements`: the per-interval table and the per-queue summary, recomputed independently."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from staffplan.cli import app
from staffplan.requirements import erlang
from tests.conftest import DATA, forecast_rows, write_forecast

COLUMNS = ["interval_start", "queue", "language", "volume", "workload_hours", "required_net", "required_gross",
           "target_kind"]


def test_requirements_csv_rows_and_summary(tmp_path: Path) -> None:
    forecast = write_forecast(tmp_path / "f.csv", forecast_rows())
    out = tmp_path / "req.csv"
    result = CliRunner().invoke(app, ["requirements", str(DATA / "tiny.yaml"), str(forecast), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 168 * 4  # every interval of every stream
    live = [r for r in rows if r["queue"] == "live"]
    # live: 40 contacts an hour, AHT 120 s, 80 % in 60 s, occupancy ≤ 0.85 → Erlang C agents, every hour.
    expected = erlang.agents_needed(volume=40, aht_seconds=120, interval_seconds=3600, service_level=0.8,
                                    answer_within_seconds=60, max_occupancy=0.85)
    assert {float(r["required_net"]) for r in live} == {expected}
    assert all(r["target_kind"] == "realtime" for r in live)
    assert abs(float(live[0]["workload_hours"]) - 40 * 120 / 3600) < 1e-3
    assert float(live[0]["required_gross"]) > float(live[0]["required_net"])  # shrinkage 30 %
    assert "live" in result.output and "spam" in result.output  # the summary per queue


def test_requirements_xlsx(tmp_path: Path) -> None:
    forecast = write_forecast(tmp_path / "f.csv", forecast_rows())
    out = tmp_path / "req.xlsx"
    result = CliRunner().invoke(app, ["requirements", str(DATA / "tiny.yaml"), str(forecast), "--out", str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Requirements"]
    header = [c.value for c in next(wb["Requirements"].iter_rows(max_row=1))]
    assert header == COLUMNS
