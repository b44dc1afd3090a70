"""Stage 2: named agents on tours, rotation through queues; every rule with a clean and a violating case."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from staffplan.plan.result import PlannedTour
from staffplan.plan.run import make_plan
from staffplan.plan.solve import SolveSettings
from staffplan.plan.tours import Tour, tours_for_site
from staffplan.roster.assign import Assignment, RosterSettings, apply_settings, assign_roster, ineligibility
from staffplan.roster.rotation import Activity, Rotation
from staffplan.roster.rules import roster_violations
from staffplan.roster.run import make_roster
from staffplan.scenario.load import load_inputs
from staffplan.scenario.model_file import load_model
from staffplan.scenario.roster_file import Agent
from staffplan.scenario.schema import Scenario, Severity
from staffplan.scenario.timegrid import TimeGrid
from tests.conftest import DATA, forecast_rows, write_forecast


def _roster_csv(n_mnl: int, n_dub: int) -> str:
    lines = ["agent_id,site,pool,languages,queues,contract_hours,night_work,available_days,leave_dates"]
    for i in range(n_mnl):
        extra = ",no,Mon|Tue|Wed|Thu|Fri," if i % 7 == 3 else ",yes,,"
        lines.append(f"mnl-{i:03d},MNL,MNL-std,en|tl,spam|live,40{extra}")
    for i in range(n_dub):
        leave = "2026-11-25" if i == 0 else ""
        lines.append(f"dub-{i:03d},DUB,DUB-egr,en,csam|live|spam,40,yes,,{leave}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def rostered(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("roster")
    forecast = write_forecast(folder / "f.csv", forecast_rows())
    roster = folder / "roster.csv"
    roster.write_text(_roster_csv(70, 30))
    inputs = load_inputs(DATA / "tiny.yaml", forecast, roster)
    run = make_plan(inputs, SolveSettings(time_limit_s=20))
    assert run.plan is not None
    return inputs, run.plan, make_roster(inputs, run.plan, RosterSettings(time_limit_s=10))


def test_assignments_respect_every_rule_and_the_plans_headcounts(rostered) -> None:  # type: ignore[no-untyped-def]
    inputs, plan, outcome = rostered
    result = outcome.result
    assert result.assignments
    assert outcome.violations == []
    planned = {f"{t.pool}.{t.tour.id}": t.headcount for t in plan.tours}
    for tour, count in result.staffed_headcounts().items():
        assert count <= planned[tour]
    agents = {a.agent_id: a for a in inputs.roster}
    for a in result.assignments:
        assert ineligibility(agents[a.agent_id], a.tour, inputs.scenario) is None
    assert len({a.agent_id for a in result.assignments}) == len(result.assignments)  # one tour each
    filled = sum(result.staffed_headcounts().values()) + sum(u.places for u in result.unfilled)
    assert filled == sum(planned.values())  # every place filled or listed with a reason
    assert all(u.reason for u in result.unfilled)


def test_rotation_keeps_egregious_time_per_shift_under_the_cap(rostered) -> None:  # type: ignore[no-untyped-def]
    inputs, _, outcome = rostered
    cap = inputs.scenario.wellbeing.max_egregious_hours_per_shift
    assert outcome.ledger
    assert max(r.max_egregious_hours_in_a_shift for r in outcome.ledger) <= cap
    assert any(r.egregious_hours > 0 for r in outcome.ledger)
    seen = set()
    for act in outcome.rotation.activities:
        assert (act.agent_id, act.slot, act.shift) not in seen
        seen.add((act.agent_id, act.slot, act.shift))


def test_unfilled_places_go_back_into_coverage(rostered) -> None:  # type: ignore[no-untyped-def]
    inputs, plan, _ = rostered
    short = dataclasses.replace(inputs, roster=tuple(a for a in inputs.roster if a.site != "DUB")[:10])
    outcome = make_roster(short, plan, RosterSettings(time_limit_s=5))
    assert any(u.reason == "the roster has no agent in this pool" for u in outcome.result.unfilled)
    assert len(outcome.staffed.gaps) > 0
    assert any(g.queue == "csam" for g in outcome.staffed.gaps)  # only Dublin may work it


def test_roster_settings_reach_the_solver_parameters() -> None:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    apply_settings(solver, RosterSettings(time_limit_s=7.5, seed=11, workers=1))
    assert solver.parameters.max_time_in_seconds == 7.5
    assert solver.parameters.random_seed == 11
    assert solver.parameters.num_workers == 2  # never one: no LNS with a single worker


# --- each rule, clean and violating, on hand-made assignments -------------------------------------------

def _scenario(tmp_path: Path, pack: str = "philippines") -> Scenario:
    path = tmp_path / "m.yaml"
    path.write_text((DATA / "tiny.yaml").read_text().replace("labor_rules: philippines", f"labor_rules: {pack}"))
    return load_model(path)


def _tour(scenario: Scenario, *, night: bool = False, days: tuple[int, ...] | None = None) -> Tour:
    grid = TimeGrid(scenario.week_start, scenario.interval_minutes)
    tours = [t for t in tours_for_site(scenario, scenario.site("MNL"), grid) if bool(t.nights) == night]
    tour = tours[0] if days is None else next(t for t in tours if t.pattern == days)
    return tour


def _assign(agent: Agent, *tours: Tour) -> tuple[Assignment, ...]:
    return tuple(Assignment(agent.agent_id, agent.pool, "MNL", f"MNL-std.{t.id}",
                            PlannedTour(agent.pool, "MNL", "northwind", 1, t)) for t in tours)


def _agent(**changes: object) -> Agent:
    base = Agent("a1", "MNL", "MNL-std", ("en",), ("spam",), 40.0)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _rules(tmp_path: Path, agent: Agent, assignments: tuple[Assignment, ...], pack: str = "philippines",
           rotation: Rotation | None = None) -> set[str]:
    scenario = _scenario(tmp_path, pack)
    grid = TimeGrid(scenario.week_start, scenario.interval_minutes)
    return {v.rule for v in roster_violations(scenario, (agent,), assignments, grid, rotation)}


def test_clean_week_has_no_violation(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    assert _rules(tmp_path, _agent(), _assign(_agent(), _tour(scenario))) == set()


def test_availability_and_leave(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    tour = _tour(scenario, days=(0, 1, 2, 3, 4))
    not_monday = _agent(available_days=frozenset({1, 2, 3, 4, 5}))
    assert "availability" in _rules(tmp_path, not_monday, _assign(_agent(), tour))
    assert "availability" not in _rules(tmp_path, _agent(available_days=frozenset({0, 1, 2, 3, 4})),
                                        _assign(_agent(), tour))
    monday = tour.shifts[0].local_start.date()
    assert "leave" in _rules(tmp_path, _agent(leave_dates=frozenset({monday})), _assign(_agent(), tour))
    assert "leave" not in _rules(tmp_path, _agent(leave_dates=frozenset({monday + dt.timedelta(days=6)})),
                                 _assign(_agent(), tour))


def test_night_consent_where_the_pack_requires_it(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, "india")
    night = _tour(scenario, night=True)
    assert "night consent" in _rules(tmp_path, _agent(night_work=False), _assign(_agent(), night), "india")
    assert "night consent" not in _rules(tmp_path, _agent(night_work=True), _assign(_agent(), night), "india")


def test_contract_hours(tmp_path: Path) -> None:
    tour = _tour(_scenario(tmp_path))
    assert "weekly hours" in _rules(tmp_path, _agent(contract_hours=30.0), _assign(_agent(), tour))
    assert "weekly hours" not in _rules(tmp_path, _agent(contract_hours=40.0), _assign(_agent(), tour))


def test_one_shift_a_day_and_rest(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    grid = TimeGrid(scenario.week_start, scenario.interval_minutes)
    tours = tours_for_site(scenario, scenario.site("MNL"), grid)
    first = next(t for t in tours if t.pattern == (0, 1, 2, 3, 4) and t.local_start_minute == 9 * 60)
    late = next(t for t in tours if t.pattern == (0, 1, 2, 3, 4) and t.local_start_minute == 14 * 60)
    rules = _rules(tmp_path, _agent(contract_hours=60.0), _assign(_agent(), first, late))
    assert {"one shift a day", "rest"} <= rules


def test_days_off_and_consecutive_days(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    base = _tour(scenario, days=(0, 1, 2, 3, 4))
    grid = TimeGrid(scenario.week_start, scenario.interval_minutes)
    shifts = tuple(dataclasses.replace(base.shifts[0], day=d, start_slot=(base.shifts[0].start_slot + 24 * d) % 168,
                                       local_start=base.shifts[0].local_start + dt.timedelta(days=d))
                   for d in range(7))
    everyday = dataclasses.replace(base, pattern=tuple(range(7)), shifts=shifts, paid_hours=56.0)
    rules = _rules(tmp_path, _agent(contract_hours=60.0), _assign(_agent(), everyday))
    assert {"days off", "consecutive days"} <= rules
    assert grid.num_slots == 168


def test_egregious_exposure_and_one_activity_at_a_time(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    tour = _tour(scenario)
    agent = _agent()
    cap = int(scenario.wellbeing.max_egregious_hours_per_shift)  # 60-minute slots
    ok = Rotation(tuple(Activity("a1", s, 0, "csam/en", Severity.EGREGIOUS) for s in range(cap)), {})
    assert _rules(tmp_path, agent, _assign(agent, tour), rotation=ok) == set()
    over = Rotation(tuple(Activity("a1", s, 0, "csam/en", Severity.EGREGIOUS) for s in range(cap + 1)), {})
    assert "egregious exposure" in _rules(tmp_path, agent, _assign(agent, tour), rotation=over)
    double = Rotation((Activity("a1", 3, 0, "spam/en", Severity.STANDARD),
                       Activity("a1", 3, 0, "live/en", Severity.EGREGIOUS)), {})
    assert "one activity at a time" in _rules(tmp_path, agent, _assign(agent, tour), rotation=double)


def test_assignment_never_breaks_availability(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    tour = _tour(scenario, days=(0, 1, 2, 3, 4))
    plan_tour = PlannedTour("MNL-std", "MNL", "northwind", 2, tour)
    from staffplan.plan.result import Plan

    plan = Plan("feasible", 0, 0, 0, 0, (plan_tour,), {}, {}, {}, 0.0)
    agents = (_agent(agent_id="a1"), _agent(agent_id="a2", available_days=frozenset({5, 6})))
    result = assign_roster(scenario, plan, agents, RosterSettings(time_limit_s=5))
    assert [a.agent_id for a in result.assignments] == ["a1"]
    assert result.unfilled[0].places == 1 and "not available" in result.unfilled[0].reason


def _fairness_plan(scenario: Scenario, first: Tour, second: Tour):  # type: ignore[no-untyped-def]
    from staffplan.plan.result import Plan

    tours = tuple(PlannedTour("MNL-std", "MNL", "northwind", 1, t) for t in (first, second))
    return Plan("feasible", 0, 0, 0, 0, tours, {}, {}, {}, 0.0)


@pytest.mark.parametrize("history", [(6, 0), (0, 6)])
def test_fair_spread_gives_the_night_tour_to_the_agent_with_fewer_recent_nights(
        tmp_path: Path, history: tuple[int, int]) -> None:
    scenario = _scenario(tmp_path)
    night, day = _tour(scenario, night=True), _tour(scenario)
    agents = tuple(_agent(agent_id=f"a{i}", recent_nights=n) for i, n in enumerate(history))
    result = assign_roster(scenario, _fairness_plan(scenario, night, day), agents, RosterSettings(time_limit_s=5))
    got = {a.agent_id: a.tour.tour.nights for a in result.assignments}
    assert len(got) == 2 and not result.unfilled
    rested = min(agents, key=lambda a: a.recent_nights).agent_id
    assert got[rested] == night.nights > 0  # the peak of past + this week's nights is as low as it can be
    assert max(a.recent_nights + got[a.agent_id] for a in agents) == max(history)


@pytest.mark.parametrize("history", [(3, 0), (0, 3)])
def test_fair_spread_gives_the_weekend_tour_to_the_agent_with_fewer_recent_weekends(
        tmp_path: Path, history: tuple[int, int]) -> None:
    scenario = _scenario(tmp_path)
    weekday, weekend = _tour(scenario, days=(0, 1, 2, 3, 4)), _tour(scenario, days=(2, 3, 4, 5, 6))
    agents = tuple(_agent(agent_id=f"a{i}", recent_weekends=n) for i, n in enumerate(history))
    plan = _fairness_plan(scenario, weekday, weekend)
    result = assign_roster(scenario, plan, agents, RosterSettings(time_limit_s=5))
    on_weekend = {a.agent_id for a in result.assignments if a.tour.tour.works_weekend}
    assert on_weekend == {min(agents, key=lambda a: a.recent_weekends).agent_id}


def test_every_agent_is_assigned_or_has_a_reason(rostered) -> None:  # type: ignore[no-untyped-def]
    inputs, _, outcome = rostered
    assigned = {a.agent_id for a in outcome.result.assignments}
    idle = dict(outcome.result.idle_agents)
    assert assigned | set(idle) == {a.agent_id for a in inputs.roster}
    assert not assigned & set(idle)
    assert all(reason for reason in idle.values())
