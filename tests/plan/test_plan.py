"""The plan end to end: a hand-computable optimum, and invariants recomputed from plan.json alone."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from staffplan.cli import app
from staffplan.plan.model import exposure_ratio
from staffplan.plan.run import make_plan
from staffplan.plan.solve import SolveSettings
from staffplan.reports.plan_json import plan_document
from staffplan.requirements.build import productive_share
from staffplan.scenario.load import load_inputs
from tests.conftest import DATA, forecast_rows, write_forecast

FLAT = """
name: Flat week
week_start: 2026-11-23
interval_minutes: 60
languages: [en]
queues:
  - id: chat
    name: Chat
    severity: standard
    aht_seconds: 360
    target: {kind: realtime, service_level: 0.8, answer_within_seconds: 60, max_occupancy: 1.0}
vendors:
  - {id: inhouse, name: In-house, kind: in-house}
sites:
  - id: CHI
    name: Chicago
    timezone: America/Chicago
    vendor: inhouse
    seats: 100
    hourly_cost: 20
    shrinkage: 0.0
    labor_rules: us-federal
    pools:
      - {id: CHI-en, languages: [en], queues: [chat], max_headcount: 100}
shift_templates:
  - {id: d8, paid_hours: 8, unpaid_meal_minutes: 0, earliest_start: "00:00", latest_start: "16:00",
     start_step_minutes: 480}
wellbeing: {max_consecutive_nights: 5, wellness_minutes_per_shift: 0}
"""


def _flat_inputs(tmp_path: Path, volume: float) -> Path:
    model = tmp_path / "flat.yaml"
    model.write_text(FLAT)
    week = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    rows = [((week + dt.timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ"), "chat", "en", volume) for h in range(168)]
    write_forecast(tmp_path / "flat.csv", rows)
    return model


def test_flat_24_7_requirement_has_the_hand_computed_optimum(tmp_path: Path) -> None:
    # 6-minute contacts, 30 an hour (3 erlangs): Erlang C asks for 5 agents every hour for 80 % in 60 s.
    model = _flat_inputs(tmp_path, 30)
    inputs = load_inputs(model, tmp_path / "flat.csv")
    run = make_plan(inputs, SolveSettings(time_limit_s=30, seed=1))
    need = run.requirements.needs[0]
    assert set(need.required_net.tolist()) == {5}
    # 3 eight-hour shifts a day × 5 agents × 7 days = 105 shifts; 5 shifts per agent → 21 agents,
    # each 40 paid hours at 20/h with no premiums in the US federal pack: 21 × 800 = 16,800.
    assert run.plan is not None
    assert sum(t.headcount for t in run.plan.tours) == 21
    assert run.plan.cost_per_week == pytest.approx(16_800)
    assert run.plan.lower_bound == pytest.approx(16_800, rel=1e-6)
    assert run.plan.gap == pytest.approx(0, abs=1e-6)
    assert all(o.shortfall.max() < 1e-6 for o in run.plan.outcomes.values())


@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("tiny")
    forecast = write_forecast(folder / "forecast.csv", forecast_rows())
    inputs = load_inputs(DATA / "tiny.yaml", forecast)
    run = make_plan(inputs, SolveSettings(time_limit_s=60, seed=0))
    assert run.plan is not None
    document = json.loads(json.dumps(plan_document(inputs.scenario, run.requirements, run.plan)))
    return inputs, document


def _stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _on_duty(document: dict[str, Any]) -> dict[tuple[str, dt.datetime], float]:
    """Agents on duty per (pool, interval start), from the tours' shifts and breaks only."""
    step = dt.timedelta(minutes=document["interval_minutes"])
    week_start = dt.datetime.fromisoformat(document["week_start"]).replace(tzinfo=dt.UTC)
    week = dt.timedelta(days=7)
    on: dict[tuple[str, dt.datetime], float] = defaultdict(float)
    for tour in document["tours"]:
        for shift in tour["shifts"]:
            moment, end = _stamp(shift["start_utc"]), _stamp(shift["end_utc"])
            breaks = [(_stamp(b["start_utc"]), _stamp(b["end_utc"])) for b in shift["breaks"]]
            while moment < end:
                if not any(a <= moment < b for a, b in breaks):
                    slot = week_start + (moment - week_start) % week  # the cyclic week
                    on[tour["pool"], slot] += tour["headcount"]
                moment += step
    return on


def test_coverage_recomputed_from_tours_agrees_with_plan_json(tiny_plan: tuple[Any, dict[str, Any]]) -> None:
    inputs, document = tiny_plan
    scenario = inputs.scenario
    on = _on_duty(document)
    per_pool: dict[tuple[str, dt.datetime], float] = defaultdict(float)
    per_stream: dict[tuple[str, str, dt.datetime], float] = defaultdict(float)
    for row in document["allocation"]:
        when = _stamp(row["interval_start"])
        per_pool[row["pool"], when] += row["agents"]
        per_stream[row["queue"], row["language"], when] += row["agents"]
    shares = {pool.id: productive_share(scenario, site, pool) for site in scenario.sites for pool in site.pools}
    for (pool, when), agents in per_pool.items():
        assert agents <= shares[pool] * on[pool, when] + 0.01, (pool, when)
    for row in document["coverage"]:
        key = (row["queue"], row["language"], _stamp(row["interval_start"]))
        assert row["scheduled"] == pytest.approx(per_stream.get(key, 0.0), abs=0.01)


def test_every_tour_keeps_rest_days_off_and_weekly_hours(tiny_plan: tuple[Any, dict[str, Any]]) -> None:
    inputs, document = tiny_plan
    scenario = inputs.scenario
    assert document["tours"]
    for tour in document["tours"]:
        rules = scenario.pack(scenario.site(tour["site"]).labor_rules)
        shifts = sorted((_stamp(s["start_utc"]), _stamp(s["end_utc"])) for s in tour["shifts"])
        cyclic = [*shifts, (shifts[0][0] + dt.timedelta(days=7), shifts[0][1] + dt.timedelta(days=7))]
        gaps = [b[0] - a[1] for a, b in itertools.pairwise(cyclic)]
        assert min(gaps) >= dt.timedelta(hours=rules.min_rest_hours), tour["id"]
        local_days = {_stamp(s["start_local"]).date() for s in tour["shifts"]}
        assert 7 - len(local_days) >= rules.min_days_off_per_week
        paid = sum((b - a).total_seconds() / 3600 for a, b in shifts) - sum(
            (_stamp(b["end_utc"]) - _stamp(b["start_utc"])).total_seconds() / 3600
            for s in tour["shifts"] for b in s["breaks"])
        assert paid <= rules.max_weekly_hours


def test_seats_and_egregious_exposure_hold_in_every_interval(tiny_plan: tuple[Any, dict[str, Any]]) -> None:
    inputs, document = tiny_plan
    scenario = inputs.scenario
    on = _on_duty(document)
    pool_site = {pool.id: site for site in scenario.sites for pool in site.pools}
    per_site: dict[tuple[str, dt.datetime], float] = defaultdict(float)
    for (pool, when), agents in on.items():
        per_site[pool_site[pool].id, when] += agents
    for (site, when), agents in per_site.items():
        assert agents <= scenario.site(site).seats + 1e-6, (site, when)
    egregious = {q.id for q in scenario.queues if q.severity.value == "egregious"}
    exposure: dict[tuple[str, dt.datetime], float] = defaultdict(float)
    for row in document["allocation"]:
        if row["queue"] in egregious:
            exposure[row["pool"], _stamp(row["interval_start"])] += row["agents"]
    for (pool, when), agents in exposure.items():
        site = pool_site[pool]
        paid = max(t.paid_hours for t in scenario.templates_for(site))
        ratio = exposure_ratio(scenario, paid, document["interval_minutes"])
        share = productive_share(scenario, site, next(p for p in site.pools if p.id == pool))
        # Per person: at most `ratio` of productive time in egregious queues → ≤ the cap per shift.
        assert agents <= ratio * share * on[pool, when] + 0.01
        assert ratio * paid <= scenario.wellbeing.max_egregious_hours_per_shift


def test_a_manila_0900_shift_covers_0100_utc(tiny_plan: tuple[Any, dict[str, Any]]) -> None:
    _, document = tiny_plan
    manila = [s for t in document["tours"] if t["site"] == "MNL" for s in t["shifts"]]
    assert manila
    for shift in manila:
        local, utc = _stamp(shift["start_local"]), _stamp(shift["start_utc"])
        assert local.utcoffset() == dt.timedelta(hours=8)
        assert (local - utc.astimezone(local.tzinfo)) == dt.timedelta(0)
        if local.hour == 9 and local.minute == 0:
            assert (utc.hour, utc.minute) == (1, 0)


def test_plan_json_kpis_report_bound_and_gap(tiny_plan: tuple[Any, dict[str, Any]]) -> None:
    _, document = tiny_plan
    k = document["kpis"]
    assert document["schema_version"] == 1
    assert k["lower_bound"] <= k["objective"] + 1e-6
    assert k["gap"] == pytest.approx((k["objective"] - k["lower_bound"]) / k["objective"], abs=1e-5)
    assert 0 <= k["coverage_pct"] <= 100
    assert sum(k["fte_by_site"].values()) == pytest.approx(sum(k["fte_by_vendor"].values()), abs=0.05)


def test_dst_week_keeps_local_start_times(tmp_path: Path) -> None:
    # Europe moves its clocks on Sunday 29 March 2026: a Dublin 09:00 start is 09:00 UTC on Monday and
    # 08:00 UTC on Sunday, and the plan's Sunday shifts sit an hour earlier on the UTC grid.
    model = tmp_path / "dst.yaml"
    model.write_text((DATA / "tiny.yaml").read_text().replace("week_start: 2026-11-23", "week_start: 2026-03-23"))
    week = dt.datetime(2026, 3, 23, tzinfo=dt.UTC)
    stamps = [(week + dt.timedelta(hours=i // 4)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(168 * 4)]
    rows = [(stamp, *r[1:]) for stamp, r in zip(stamps, forecast_rows(), strict=True)]  # 4 streams an hour
    forecast = write_forecast(tmp_path / "dst.csv", rows)
    inputs = load_inputs(model, forecast)
    run = make_plan(inputs, SolveSettings(time_limit_s=60, seed=0))
    assert run.plan is not None
    document = plan_document(inputs.scenario, run.requirements, run.plan)
    dublin = [s for t in document["tours"] if t["site"] == "DUB" for s in t["shifts"]]
    assert dublin
    for shift in dublin:
        local, utc = _stamp(shift["start_local"]), _stamp(shift["start_utc"])
        summer = (local.date() >= dt.date(2026, 3, 29) and local.hour >= 2) or local.date() > dt.date(2026, 3, 29)
        assert local.utcoffset() == dt.timedelta(hours=1 if summer else 0), shift
        if local.hour == 9 and local.minute == 0:
            assert utc.hour == (8 if summer else 9), shift


def test_cli_plan_writes_json_and_workbook(tmp_path: Path) -> None:
    forecast = write_forecast(tmp_path / "forecast.csv", forecast_rows())
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["plan", str(DATA / "tiny.yaml"), str(forecast), "--out", str(out),
                                      "--time-limit", "30", "--quiet"])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "plan.json").read_text())
    assert document["status"] in {"optimal", "feasible"}
    assert (out / "plan.xlsx").stat().st_size > 0
    assert "gap" in result.output


def test_cli_plan_explains_contradictory_rules(tmp_path: Path) -> None:
    model = tmp_path / "bad.yaml"
    model.write_text((DATA / "tiny.yaml").read_text().replace("min_fte: 0, max_fte: 100", "min_fte: 500, max_fte: 600"))
    forecast = write_forecast(tmp_path / "forecast.csv", forecast_rows())
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["plan", str(model), str(forecast), "--out", str(out), "--quiet"])
    assert result.exit_code == 2
    assert "northwind" in result.output and "Traceback" not in result.output
    assert not out.exists()
