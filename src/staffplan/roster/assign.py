"""Stage 2: named agents onto the plan's tours, one CP-SAT model per pool, hinted from a greedy start.

A tour is a whole legal week (rest, days off, consecutive days and weekly hours hold by construction), so
each agent takes at most one tour and each tour at most its headcount. Hard per agent: every working day
is an available day and not on leave, night tours only with consent where the labor pack requires it, the
tour's paid hours within the contract. Soft, in this order of weight: a fair spread of nights and weekends
(min-max: the most nights any agent of the pool has worked, counting the roster's ``recent_nights`` history
and this week's tour, is kept as low as the plan allows; the same for weekends), then the preferred start
time. Every unfilled place is returned with the reason, and goes back into coverage as a gap — never dropped
silently.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from staffplan.plan.result import Plan, PlannedTour
from staffplan.scenario.roster_file import Agent
from staffplan.scenario.schema import Scenario, minutes_of

FILL_WEIGHT = 10_000  # per filled place; fairness and preferences never outweigh staffing a place
FAIR_WEIGHT = 100  # per night (weekend) on the pool's most loaded agent; worth 100 half-hours of start preference


@dataclass(frozen=True)
class RosterSettings:
    time_limit_s: float = 30.0
    seed: int = 0
    workers: int = 2


@dataclass(frozen=True)
class Assignment:
    agent_id: str
    pool: str
    site: str
    tour_id: str
    tour: PlannedTour


@dataclass(frozen=True)
class Unfilled:
    pool: str
    tour_id: str
    places: int
    reason: str


@dataclass(frozen=True, eq=False)
class RosterResult:
    assignments: tuple[Assignment, ...]
    unfilled: tuple[Unfilled, ...]
    idle_agents: tuple[tuple[str, str], ...]  # (agent, why no tour this week)
    status: dict[str, str]  # pool → CP-SAT status name

    def staffed_headcounts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for a in self.assignments:
            counts[a.tour_id] += 1
        return dict(counts)


def tour_key(planned: PlannedTour) -> str:
    return f"{planned.pool}.{planned.tour.id}"


def ineligibility(agent: Agent, planned: PlannedTour, scenario: Scenario) -> str | None:
    """Why this agent may not work this tour (None: eligible)."""
    rules = scenario.pack(scenario.site(planned.site).labor_rules)
    for shift in planned.tour.shifts:
        local = shift.local_start
        if local.weekday() not in agent.available_days:
            return f"not available on {local:%a}"
        if local.date() in agent.leave_dates:
            return f"on leave {local.date()}"
    if planned.tour.nights and rules.night_work_consent and not agent.night_work:
        return "night shifts need consent"
    if planned.tour.paid_hours > agent.contract_hours + 1e-9:
        return f"{planned.tour.paid_hours:g} h a week exceeds the {agent.contract_hours:g} h contract"
    return None


def _preference_cost(agent: Agent, planned: PlannedTour) -> int:
    if agent.preferred_start is None:
        return 0
    start = planned.tour.local_start_minute
    diff = abs(start - minutes_of(agent.preferred_start))
    return min(diff, 1440 - diff) // 30  # half-hours away from the preferred start


def assign_roster(scenario: Scenario, plan: Plan, agents: tuple[Agent, ...],
                  settings: RosterSettings | None = None) -> RosterResult:
    settings = settings or RosterSettings()
    by_pool_agents: dict[str, list[Agent]] = defaultdict(list)
    for agent in agents:
        by_pool_agents[agent.pool].append(agent)
    by_pool_tours: dict[str, list[PlannedTour]] = defaultdict(list)
    for planned in plan.tours:
        by_pool_tours[planned.pool].append(planned)
    assignments: list[Assignment] = []
    unfilled: list[Unfilled] = []
    idle: list[tuple[str, str]] = []
    status: dict[str, str] = {}
    for pool in sorted(set(by_pool_agents) | set(by_pool_tours)):
        tours = sorted(by_pool_tours.get(pool, []), key=tour_key)
        pool_agents = sorted(by_pool_agents.get(pool, []), key=lambda a: a.agent_id)
        chosen, state = _assign_pool(scenario, tours, pool_agents, settings)
        status[pool] = state
        taken: dict[str, int] = defaultdict(int)
        for agent, planned in chosen:
            assignments.append(Assignment(agent.agent_id, pool, planned.site, tour_key(planned), planned))
            taken[tour_key(planned)] += 1
        for planned in tours:
            missing = planned.headcount - taken[tour_key(planned)]
            if missing > 0:
                unfilled.append(Unfilled(pool, tour_key(planned), missing,
                                         _unfilled_reason(scenario, planned, pool_agents, chosen)))
        busy = {a.agent_id for a, _ in chosen}
        open_tours = [t for t in tours if t.headcount > taken[tour_key(t)]]
        for agent in pool_agents:
            if agent.agent_id not in busy:
                idle.append((agent.agent_id, _idle_reason(scenario, agent, open_tours)))
    return RosterResult(tuple(assignments), tuple(unfilled), tuple(idle), status)


def _idle_reason(scenario: Scenario, agent: Agent, open_tours: list[PlannedTour]) -> str:
    if not open_tours:
        return "the plan needs no more agents in this pool this week"
    reasons = sorted({ineligibility(agent, t, scenario) or "eligible" for t in open_tours})
    return "cannot take the open tours: " + "; ".join(reasons[:2])


def _unfilled_reason(scenario: Scenario, planned: PlannedTour, agents: list[Agent],
                     chosen: list[tuple[Agent, PlannedTour]]) -> str:
    if not agents:
        return "the roster has no agent in this pool"
    busy = {a.agent_id for a, _ in chosen}
    free = [a for a in agents if a.agent_id not in busy]
    if not free:
        return "every agent of the pool already has a tour"
    reasons = [ineligibility(a, planned, scenario) for a in free]
    counted: dict[str, int] = defaultdict(int)
    for reason in reasons:
        counted[reason or "eligible but unused"] += 1
    top = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    return "; ".join(f"{n} free agent(s): {r}" for r, n in top)


def _assign_pool(scenario: Scenario, tours: list[PlannedTour], agents: list[Agent], settings: RosterSettings
                 ) -> tuple[list[tuple[Agent, PlannedTour]], str]:
    if not tours or not agents:
        return [], "EMPTY"
    pairs = {(a, j): _preference_cost(agent, planned)
             for a, agent in enumerate(agents) for j, planned in enumerate(tours)
             if ineligibility(agent, planned, scenario) is None}
    model = cp_model.CpModel()
    y = {key: model.new_bool_var(f"y_{key[0]}_{key[1]}") for key in pairs}
    for a in range(len(agents)):
        model.add_at_most_one(y[a, j] for j in range(len(tours)) if (a, j) in y)
    for j, planned in enumerate(tours):
        model.add(sum(y[a, j] for a in range(len(agents)) if (a, j) in y) <= planned.headcount)
    objective = sum(FILL_WEIGHT * var - pairs[key] * var for key, var in y.items())
    if any(a.recent_nights or a.recent_weekends for a in agents):
        objective -= FAIR_WEIGHT * _fair_spread(model, y, agents, tours)
    model.maximize(objective)
    for key, value in _greedy(tours, pairs, len(agents)).items():
        model.add_hint(y[key], value)
    solver = cp_model.CpSolver()
    apply_settings(solver, settings)
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], solver.status_name(code)
    chosen = [(agents[a], tours[j]) for (a, j), var in y.items() if solver.value(var)]
    return chosen, solver.status_name(code)


def _fair_spread(model: cp_model.CpModel, y: dict[tuple[int, int], cp_model.IntVar], agents: list[Agent],
                 tours: list[PlannedTour]) -> cp_model.LinearExpr:
    """The pool's most nights and most weekends per agent, history included, as variables to keep low.

    Only built when the roster carries history: without it each agent's load is the one tour it takes, and the
    peaks are set by which of the plan's tours are filled, which staffing already decides."""
    loads = (
        ([a.recent_nights for a in agents], [t.tour.nights for t in tours]),
        ([a.recent_weekends for a in agents], [int(t.tour.works_weekend) for t in tours]),
    )
    peaks: list[cp_model.IntVar] = []
    for history, per_tour in loads:
        top = max(history) + max(per_tour, default=0)
        peak = model.new_int_var(max(history), top, "peak")
        for a, past in enumerate(history):
            mine = [per_tour[j] * y[a, j] for j in range(len(tours)) if (a, j) in y and per_tour[j]]
            if mine:
                model.add(peak >= past + sum(mine))
        peaks.append(peak)
    return peaks[0] + peaks[1]


def apply_settings(solver: cp_model.CpSolver, settings: RosterSettings) -> None:
    solver.parameters.max_time_in_seconds = settings.time_limit_s
    solver.parameters.random_seed = settings.seed
    solver.parameters.num_workers = max(2, settings.workers)  # one worker has no LNS


def _greedy(tours: list[PlannedTour], pairs: dict[tuple[int, int], int], num_agents: int
            ) -> dict[tuple[int, int], int]:
    """Fill the tours with the fewest eligible agents first; each agent once; every pair hinted."""
    eligible: dict[int, list[int]] = defaultdict(list)
    for a, j in pairs:
        eligible[j].append(a)
    used: set[int] = set()
    hint = {key: 0 for key in pairs}
    for j in sorted(range(len(tours)), key=lambda j: (len(eligible[j]), j)):
        room = tours[j].headcount
        for a in sorted(eligible[j], key=lambda a: (pairs[a, j], a)):
            if room == 0:
                break
            if a not in used:
                used.add(a)
                hint[a, j] = 1
                room -= 1
    return hint

