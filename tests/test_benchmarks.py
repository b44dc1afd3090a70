"""Benchmark plumbing: the yardstick loads as published, tables render missing plans honestly."""

from __future__ import annotations

from staffplan.benchmarks.plan_bench import markdown_table
from staffplan.benchmarks.probe import load_probe_model
from tests.conftest import ROOT

PROBE = ROOT.parent / "shared" / "experiments" / "tour_probe.py"


def test_tour_probe_model_has_the_published_size() -> None:
    model = load_probe_model(PROBE)
    assert (model.num_vars, model.num_rows) == (16_800, 10_416)
    assert len(model.integer_indices()) == 2_352  # tours


def test_table_shows_missing_plans_as_such() -> None:
    row = {"size": "XL", "tours": 10, "variables": 100, "rows": 50, "build_s": 1.0, "solve_s": 9.0, "peak_mb": 10,
           "objective": None, "lower_bound": None, "gap_pct": None}
    table = markdown_table([row])
    assert "no plan" in table and "LP unfinished" in table and "inf" not in table
