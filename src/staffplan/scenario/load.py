"""Files → `Inputs`: the one place that reads user inputs. Everything downstream trusts these types."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from staffplan.scenario.forecast_file import Forecast, load_forecast
from staffplan.scenario.issues import InputError, InputIssue
from staffplan.scenario.model_file import load_model
from staffplan.scenario.roster_file import Agent, load_roster
from staffplan.scenario.schema import Scenario
from staffplan.scenario.timegrid import TimeGrid


@dataclass(frozen=True, eq=False)
class Inputs:
    scenario: Scenario
    forecast: Forecast
    roster: tuple[Agent, ...] | None
    warnings: tuple[InputIssue, ...]

    @property
    def grid(self) -> TimeGrid:
        return TimeGrid(self.scenario.week_start, self.scenario.interval_minutes)


def load_inputs(model: Path, forecast: Path, roster: Path | None = None) -> Inputs:
    """Load and validate all inputs. Raises InputError listing every error in every file."""
    scenario = load_model(model)
    issues: list[InputIssue] = []
    loaded_forecast: Forecast | None = None
    agents: tuple[Agent, ...] | None = None
    try:
        loaded_forecast, warnings = load_forecast(forecast, scenario)
        issues += warnings
    except InputError as exc:
        issues += exc.issues
    if roster is not None:
        try:
            agents, warnings = load_roster(roster, scenario)
            issues += warnings
        except InputError as exc:
            issues += exc.issues
    if loaded_forecast is None or (roster is not None and agents is None):
        raise InputError(issues)
    return Inputs(scenario, loaded_forecast, agents, tuple(issues))
