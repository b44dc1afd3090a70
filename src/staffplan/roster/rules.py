"""An independent check of a named roster: every rule recomputed from the shift times, person by person.

It does not trust tour construction: it reads each agent's shifts as instants and checks them against the
site's labor pack, the agent's availability, leave, consent and contract, and the wellbeing cap.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

from staffplan.check.recompute import Violation
from staffplan.roster.assign import Assignment
from staffplan.roster.rotation import Rotation
from staffplan.scenario.roster_file import Agent
from staffplan.scenario.schema import Scenario, Severity
from staffplan.scenario.timegrid import TimeGrid


def roster_violations(scenario: Scenario, agents: tuple[Agent, ...], assignments: tuple[Assignment, ...],
                      grid: TimeGrid, rotation: Rotation | None = None) -> list[Violation]:
    by_id = {a.agent_id: a for a in agents}
    mine: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        mine[a.agent_id].append(a)
    out: list[Violation] = []
    for agent_id, taken in sorted(mine.items()):
        agent = by_id[agent_id]
        rules = scenario.pack(scenario.site(agent.site).labor_rules)
        shifts = sorted((s for a in taken for s in a.tour.tour.shifts), key=lambda s: s.local_start)
        spans = [(s.local_start, s.local_start + s.slots * grid.interval) for s in shifts]
        days = [s.local_start.date() for s in shifts]
        if len(set(days)) < len(days):
            out.append(Violation("one shift a day", agent_id, "two shifts start on the same local day"))
        week = dt.timedelta(days=7)
        cyclic = [*spans, (spans[0][0] + week, spans[0][1] + week)] if spans else []
        for first, second in itertools.pairwise(cyclic):
            rest = second[0] - first[1]
            if rest < dt.timedelta(hours=rules.min_rest_hours):
                out.append(Violation("rest", agent_id, f"{rest.total_seconds() / 3600:.1f} h between "
                                     f"shifts < {rules.min_rest_hours} h"))
        weekdays = {d.weekday() for d in days}
        if 7 - len(weekdays) < rules.min_days_off_per_week:
            out.append(Violation("days off", agent_id, f"{7 - len(weekdays)} day(s) off"))
        run = _longest_cyclic_run(weekdays)
        if run > rules.max_consecutive_days:
            out.append(Violation("consecutive days", agent_id, f"{run} days in a row > {rules.max_consecutive_days}"))
        paid = sum(a.tour.tour.paid_hours for a in taken)
        if paid > agent.contract_hours + 1e-9:
            out.append(Violation("weekly hours", agent_id, f"{paid:g} h > contract {agent.contract_hours:g} h"))
        for s in shifts:
            if s.local_start.weekday() not in agent.available_days:
                out.append(Violation("availability", agent_id, f"works {s.local_start:%a}, not available"))
            if s.local_start.date() in agent.leave_dates:
                out.append(Violation("leave", agent_id, f"works {s.local_start.date()} while on leave"))
            if s.night and rules.night_work_consent and not agent.night_work:
                when = f"{s.local_start:%a %H:%M}"
                out.append(Violation("night consent", agent_id, f"night shift {when} without consent"))
    if rotation is not None:
        out += _exposure(scenario, rotation, grid)
    return out


def _longest_cyclic_run(weekdays: set[int]) -> int:
    if len(weekdays) == 7:
        return 7
    best = 0
    for start in weekdays:
        k = 0
        while (start + k) % 7 in weekdays:
            k += 1
        best = max(best, k)
    return best


def _exposure(scenario: Scenario, rotation: Rotation, grid: TimeGrid) -> list[Violation]:
    cap = scenario.wellbeing.max_egregious_hours_per_shift
    hours: dict[tuple[str, int], float] = defaultdict(float)
    seen: dict[tuple[str, int], set[int]] = defaultdict(set)
    out = []
    for act in rotation.activities:
        if act.slot in seen[act.agent_id, act.shift]:
            out.append(Violation("one activity at a time", act.agent_id, f"two activities in slot {act.slot}"))
        seen[act.agent_id, act.shift].add(act.slot)
        if act.severity is Severity.EGREGIOUS:
            hours[act.agent_id, act.shift] += grid.interval_minutes / 60.0
    for (agent, shift), h in sorted(hours.items()):
        if h > cap + 1e-9:
            out.append(Violation("egregious exposure", agent, f"{h:g} h in shift {shift + 1} > {cap:g} h"))
    return out
