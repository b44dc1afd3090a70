"""Workbooks: vendor isolation proven cell by cell, and input text that looks like a formula stays text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from staffplan.cli import app
from tests.conftest import DATA, forecast_rows, write_forecast

ROSTER = """agent_id,site,pool,languages,queues,contract_hours
mnl-001,MNL,MNL-std,en|tl,spam|live,40
mnl-002,MNL,MNL-std,en|tl,spam|live,40
dub-001,DUB,DUB-egr,en,csam|live|spam,40
"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wb")
    text = (DATA / "tiny.yaml").read_text()
    text = text.replace("name: Tiny test operation", 'name: "=1+1"')
    text = text.replace("name: Northwind BPO", 'name: "@SUM(A1)"').replace("name: Manila", 'name: "+Manila"')
    text = text.replace("name: Dublin", 'name: "-Dublin"').replace("name: Spam", 'name: "=HYPERLINK(\\"x\\")"')
    (folder / "model.yaml").write_text(text)
    write_forecast(folder / "forecast.csv", forecast_rows())
    roster = folder / "roster.csv"
    roster.write_text(ROSTER)
    result = CliRunner().invoke(app, ["plan", str(folder / "model.yaml"), str(folder / "forecast.csv"),
                                      "--roster", str(roster), "--out", str(folder / "out"), "--time-limit", "20",
                                      "--quiet"])
    assert result.exit_code == 0, result.output
    return folder / "out"


def _cells(path: Path) -> list[Any]:
    wb = openpyxl.load_workbook(path)
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def test_each_vendor_workbook_holds_nothing_of_another_vendor(outputs: Path) -> None:
    foreign = {"northwind": ["DUB", "inhouse", "In-house", "dub-001", "-Dublin", "Europe/Dublin"],
               "inhouse": ["MNL", "northwind", "@SUM(A1)", "mnl-001", "mnl-002", "+Manila", "Asia/Manila"]}
    for vendor, forbidden in foreign.items():
        cells = _cells(outputs / "vendors" / f"{vendor}.xlsx")
        assert cells
        texts = [str(c.value) for c in cells]
        for word in forbidden:
            hits = [t for t in texts if word in t]
            assert not hits, f"{vendor}.xlsx shows {word!r}: {hits[:3]}"
        own = "MNL" if vendor == "northwind" else "DUB"
        assert any(own in t for t in texts)
    assert sorted(p.name for p in (outputs / "vendors").iterdir()) == ["inhouse.xlsx", "northwind.xlsx"]


def test_no_cell_from_input_text_is_a_formula(outputs: Path) -> None:
    workbooks = [outputs / "plan.xlsx", *sorted((outputs / "vendors").iterdir())]
    seen = set()
    for path in workbooks:
        for cell in _cells(path):
            assert cell.data_type != "f", (path.name, cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@")), (path.name, cell.coordinate, cell.value)
                seen.add(cell.value)
    assert "'=1+1" in seen  # the scenario name, in Assumptions: kept as visible text
    assert any(v.startswith("'=1+1") for v in seen)
    assert "'@SUM(A1)" in " ".join(seen) or any("@SUM(A1)" in v for v in seen)


def test_plan_workbook_has_the_planners_sheets(outputs: Path) -> None:
    wb = openpyxl.load_workbook(outputs / "plan.xlsx")
    for name in ("Summary", "Requirements", "Coverage", "Heatmap", "Gaps", "Shifts", "Tours", "Assumptions"):
        assert name in wb.sheetnames
    assert wb["Heatmap"].conditional_formatting
    assert wb["Summary"]._charts
    assert wb["Coverage"].freeze_panes is not None
