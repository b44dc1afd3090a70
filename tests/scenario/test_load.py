"""Loading collects every error with file, row, column and value; warnings do not block."""

from __future__ import annotations

from pathlib import Path

import pytest

from staffplan.scenario.issues import InputError, Level
from staffplan.scenario.load import load_inputs
from staffplan.scenario.model_file import load_model
from tests.conftest import DATA, forecast_rows, write_forecast


def test_tiny_forecast_loads(tiny_model: Path, tiny_forecast: Path) -> None:
    inputs = load_inputs(tiny_model, tiny_forecast)
    fc = inputs.forecast
    assert fc.streams == (("csam", "en"), ("live", "en"), ("spam", "en"), ("spam", "tl"))
    assert fc.volume.shape == (4, 168)
    assert fc.volume[fc.index(("live", "en"))].sum() == pytest.approx(40 * 168)
    assert fc.aht_seconds[fc.index(("csam", "en")), 0] == 300
    assert inputs.warnings == ()


def test_five_planted_errors_all_reported(tiny_model: Path, tmp_path: Path) -> None:
    rows: list[tuple[str, ...]] = [tuple(str(c) for c in r) for r in forecast_rows(hours=4)]
    rows[1] = (rows[1][0], "spam", "tl", "-5")  # row 3: negative volume
    rows[2] = (rows[2][0], "nudity", "en", "3")  # row 4: unknown queue
    rows[3] = ("2026-11-23T00:00:00", "live", "en", "1")  # row 5: no offset
    rows[5] = ("2026-11-23T01:15:00Z", "spam", "tl", "2")  # row 7: off the hourly grid
    rows.append(rows[0])  # row 18: duplicate of row 2
    path = write_forecast(tmp_path / "bad.csv", rows)
    with pytest.raises(InputError) as caught:
        load_inputs(tiny_model, path)
    found = {(i.row, i.column) for i in caught.value.issues}
    assert found == {(3, "volume"), (4, "queue"), (5, "interval_start"), (7, "interval_start"),
                     (18, "interval_start")}
    by_row = {i.row: i for i in caught.value.issues}
    assert by_row[3].value == "-5" and by_row[3].file == str(path)
    assert "duplicate of row 2" in by_row[18].message
    assert "no UTC offset" in by_row[5].message


def test_other_forecast_errors(tiny_model: Path, tmp_path: Path) -> None:
    rows = [("2026-11-23T00:00:00Z", "spam", "xx", "1"), ("yesterday", "spam", "en", "1"),
            ("2026-12-01T00:00:00Z", "spam", "en", "1"), ("2026-11-23T00:00:00Z", "spam", "en", "lots")]
    with pytest.raises(InputError) as caught:
        load_inputs(tiny_model, write_forecast(tmp_path / "f.csv", rows))
    messages = {i.row: (i.column, i.message) for i in caught.value.issues}
    assert messages[2][0] == "language" and "unknown language" in messages[2][1]
    assert "ISO 8601" in messages[3][1]
    assert "outside the plan week" in messages[4][1]
    assert messages[5][0] == "volume"


def test_missing_column_is_a_header_error(tiny_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("interval_start,queue,volume\n2026-11-23T00:00:00Z,spam,1\n")
    with pytest.raises(InputError) as caught:
        load_inputs(tiny_model, path)
    assert [(i.row, i.column) for i in caught.value.issues] == [(1, "language")]


def test_unservable_stream_is_a_warning(tmp_path: Path) -> None:
    text = (DATA / "tiny.yaml").read_text().replace("queues: [csam, live, spam]", "queues: [live, spam]")
    model = tmp_path / "model.yaml"
    model.write_text(text)
    inputs = load_inputs(model, write_forecast(tmp_path / "f.csv", forecast_rows(hours=2)))
    assert [(w.level, w.value) for w in inputs.warnings] == [(Level.WARNING, "csam/en")]


def test_model_errors_name_field_and_line(tmp_path: Path) -> None:
    text = (DATA / "tiny.yaml").read_text()
    text = text.replace("timezone: Asia/Manila", "timezone: Asia/Atlantis")
    text = text.replace("shrinkage: 0.3\n    labor_rules: ireland", "shrinkage: 1.3\n    labor_rules: ireland")
    text = text.replace("week_start: 2026-11-23", "week_start: 2026-11-24\ncolour: blue")
    model = tmp_path / "model.yaml"
    model.write_text(text)
    with pytest.raises(InputError) as caught:
        load_model(model)
    fields = {i.column: i for i in caught.value.issues}
    assert {"sites.0.timezone", "sites.1.shrinkage", "week_start", "colour"} <= set(fields)
    line = text.splitlines().index("    timezone: Asia/Atlantis") + 1
    assert fields["sites.0.timezone"].row == line
    assert "not a Monday" in fields["week_start"].message


def test_dangling_references_are_reported(tmp_path: Path) -> None:
    text = (DATA / "tiny.yaml").read_text().replace("vendor: northwind", "vendor: southwind")
    text = text.replace("labor_rules: ireland", "labor_rules: atlantis")
    model = tmp_path / "model.yaml"
    model.write_text(text)
    with pytest.raises(InputError) as caught:
        load_model(model)
    message = " ".join(i.message for i in caught.value.issues)
    assert "unknown vendor 'southwind'" in message and "unknown labor-rule pack 'atlantis'" in message


ROSTER_HEADER = "agent_id,site,pool,languages,queues,contract_hours,night_work,available_days,leave_dates\n"


def test_roster_loads_and_reports_every_bad_row(tiny_model: Path, tiny_forecast: Path, tmp_path: Path) -> None:
    good = tmp_path / "roster.csv"
    good.write_text(ROSTER_HEADER + "a1,MNL,MNL-std,en|tl,spam|live,40,yes,Mon|Tue|Wed|Thu|Fri,2026-11-25\n"
                    "a2,DUB,DUB-egr,en,csam|live|spam,30,,,\n")
    inputs = load_inputs(tiny_model, tiny_forecast, good)
    assert inputs.roster is not None and [a.agent_id for a in inputs.roster] == ["a1", "a2"]
    assert inputs.roster[0].available_days == frozenset(range(5))
    bad = tmp_path / "bad.csv"
    bad.write_text(ROSTER_HEADER + "a1,MNL,MNL-std,en|tl,spam|live,40,yes,,\n"
                   "a1,MNL,MNL-std,en|tl,spam|live,40,yes,,\n"  # duplicate id
                   "a3,MNL,DUB-egr,en,csam,40,yes,,\n"  # pool at another site
                   "a4,MNL,MNL-std,en,spam|live,70,maybe,Funday,2027-01-01\n")
    with pytest.raises(InputError) as caught:
        load_inputs(tiny_model, tiny_forecast, bad)
    found = {(i.row, i.column) for i in caught.value.issues}
    assert found == {(3, "agent_id"), (4, "pool"), (5, "languages"), (5, "contract_hours"),
                     (5, "night_work"), (5, "available_days"), (5, "leave_dates")}


def test_roster_history_columns_load_and_bad_counts_name_row_and_field(
        tiny_model: Path, tiny_forecast: Path, tmp_path: Path) -> None:
    header = ROSTER_HEADER.rstrip("\n") + ",recent_nights,recent_weekends\n"
    good = tmp_path / "roster.csv"
    good.write_text(header + "a1,MNL,MNL-std,en|tl,spam|live,40,yes,,,6,2\n"
                    "a2,MNL,MNL-std,en|tl,spam|live,40,yes,,,,\n")
    inputs = load_inputs(tiny_model, tiny_forecast, good)
    assert inputs.roster is not None
    assert [(a.recent_nights, a.recent_weekends) for a in inputs.roster] == [(6, 2), (0, 0)]
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "a1,MNL,MNL-std,en|tl,spam|live,40,yes,,,-1,2\n"
                   "a2,MNL,MNL-std,en|tl,spam|live,40,yes,,,3,lots\n")
    with pytest.raises(InputError) as caught:
        load_inputs(tiny_model, tiny_forecast, bad)
    assert {(i.row, i.column) for i in caught.value.issues} == {(2, "recent_nights"), (3, "recent_weekends")}
