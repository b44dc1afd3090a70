"""The CLI through a runner: exit codes, no tracebacks, help with examples for every command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from staffplan.cli import app
from tests.conftest import ROOT, forecast_rows, write_forecast

runner = CliRunner()


def commands() -> list[list[str]]:
    """Every command path, including subcommands of groups (e.g. ["bench", "curtois"])."""
    root = get_command(app)
    paths: list[list[str]] = []
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        paths += [[name, sub] for sub in subs] if subs else [[name]]
    return paths


def test_validate_ok(tiny_model: Path, tiny_forecast: Path) -> None:
    result = runner.invoke(app, ["validate", str(tiny_model), str(tiny_forecast)])
    assert result.exit_code == 0, result.output
    assert "2 sites" in result.output and "4 streams" in result.output
    assert re.search(r"spam\s+standard\s+90% in 24 h\s+2\s+60,480\.0", result.output)


def test_validate_bad_input_exits_2_without_traceback(tiny_model: Path, tmp_path: Path) -> None:
    rows = [tuple(str(c) for c in r) for r in forecast_rows(hours=2)]
    rows[0] = (rows[0][0], "spam", "en", "-1")
    rows[1] = ("noon", "spam", "tl", "1")
    result = runner.invoke(app, ["validate", str(tiny_model), str(write_forecast(tmp_path / "f.csv", rows))])
    assert result.exit_code == 2
    assert "row 2, column 'volume'" in result.output and "row 3, column 'interval_start'" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an uncaught error


def test_missing_file_exits_2(tiny_model: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tiny_model), str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_schema_is_json_schema() -> None:
    import json

    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.output)
    assert schema["title"] == "Scenario" and "sites" in schema["properties"]
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p))
def test_every_command_has_help_with_example_and_is_documented(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    readme = (ROOT / "README.md").read_text()
    assert f"staffplan {' '.join(path)}" in readme, f"README does not mention `staffplan {' '.join(path)}`"


@pytest.mark.parametrize(("args", "message"), [
    (["--seed", "3", "--seeds", "0-2"], "give --seed or --seeds, not both"),
    (["--seeds", "2-1"], "error: --seeds: bad range item '2-1'"),
])
def test_bench_curtois_rejects_bad_seeds_before_running(args: list[str], message: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["bench", "curtois", "--instances", "1", "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "out").exists()
