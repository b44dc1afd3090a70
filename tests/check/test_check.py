"""`staffplan check`: round trip through the workbook, a lowered headcount found, unreadable inputs refused."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from staffplan.cli import app
from tests.plan.test_plan import _flat_inputs

runner = CliRunner()


@pytest.fixture(scope="module")
def flat_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("flat")
    model = _flat_inputs(folder, 30)  # 5 agents every hour, exactly met by 21 agents
    result = runner.invoke(app, ["plan", str(model), str(folder / "flat.csv"), "--out", str(folder / "out"),
                                 "--time-limit", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    return folder


def _check(folder: Path, plan: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", str(plan), "--model", str(folder / "flat.yaml"),
                                 "--forecast", str(folder / "flat.csv"), *extra])
    return result.exit_code, result.output


def test_plan_to_workbook_to_check_finds_no_gap(flat_plan: Path) -> None:
    for plan in (flat_plan / "out" / "plan.json", flat_plan / "out" / "plan.xlsx"):
        code, output = _check(flat_plan, plan)
        assert code == 0, output
        assert "0 gap(s)" in output and "0 rule violation(s)" in output


def test_lowered_headcount_is_reported_at_that_tours_intervals(flat_plan: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(flat_plan / "out" / "plan.xlsx")
    ws = wb["Tours"]
    header = [c.value for c in ws[1]]
    id_col, count_col = header.index("tour_id") + 1, header.index("headcount") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, count_col).value >= 1)
    tour_id = ws.cell(row, id_col).value
    ws.cell(row, count_col).value -= 1
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    gaps_file = tmp_path / "gaps.csv"
    code, output = _check(flat_plan, edited, "--gaps", str(gaps_file))
    assert code == 1, output
    document = json.loads((flat_plan / "out" / "plan.json").read_text())
    tour = next(t for t in document["tours"] if t["id"] == tour_id)
    expected = set()
    for shift in tour["shifts"]:
        start = dt.datetime.fromisoformat(shift["start_utc"].replace("Z", "+00:00"))
        end = dt.datetime.fromisoformat(shift["end_utc"].replace("Z", "+00:00"))
        week = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
        while start < end:
            expected.add((week + (start - week) % dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%MZ"))
            start += dt.timedelta(hours=1)
    lines = gaps_file.read_text().splitlines()[1:]
    found = {line.split(",")[0] for line in lines}
    assert found == expected
    assert all(",chat,en," in line for line in lines)


def test_deleted_rows_and_moved_rows(flat_plan: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(flat_plan / "out" / "plan.xlsx")
    ws = wb["Tours"]
    ws.move_range(f"A2:I{ws.max_row}", rows=3)  # moved down, blank rows above: still read
    edited = tmp_path / "moved.xlsx"
    wb.save(edited)
    assert _check(flat_plan, edited)[0] == 0
    ws.delete_rows(5, 1)
    wb.save(edited)
    assert _check(flat_plan, edited)[0] == 1


def test_renamed_sheet_or_column_is_a_clear_input_error(flat_plan: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(flat_plan / "out" / "plan.xlsx")
    wb["Tours"].title = "My tours"
    renamed = tmp_path / "renamed.xlsx"
    wb.save(renamed)
    code, output = _check(flat_plan, renamed)
    assert code == 2 and "'Tours' is missing" in output and "Traceback" not in output
    wb["My tours"].title = "Tours"
    wb["Tours"].cell(1, 9).value = "agents"
    wb.save(renamed)
    code, output = _check(flat_plan, renamed)
    assert code == 2 and "'headcount'" in output
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"not a zip")
    code, output = _check(flat_plan, garbage)
    assert code == 2 and "cannot read the workbook" in output
