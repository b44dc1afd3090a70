"""Read `inputs/roster.csv`: one row per agent, with skills, contract hours and availability."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from staffplan.scenario.csv_rows import read_rows, split_list
from staffplan.scenario.issues import InputIssue, raise_if_errors
from staffplan.scenario.schema import Scenario

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
REQUIRED = ("agent_id", "site", "pool", "languages", "queues", "contract_hours")
OPTIONAL = ("night_work", "available_days", "leave_dates", "preferred_start", "recent_nights", "recent_weekends")
MAX_RECENT = 1000  # a count of past nights or weekends above this is a typo, not history
AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


@dataclass(frozen=True)
class Agent:
    agent_id: str
    site: str
    pool: str
    languages: tuple[str, ...]
    queues: tuple[str, ...]
    contract_hours: float
    night_work: bool = True
    available_days: frozenset[int] = frozenset(range(7))  # site-local weekdays, Monday = 0
    leave_dates: frozenset[dt.date] = frozenset()  # site-local dates
    preferred_start: str | None = None  # HH:MM site-local
    recent_nights: int = 0  # night shifts worked in recent weeks (the planner's window), for a fair spread
    recent_weekends: int = 0  # weekends worked in the same window


def load_roster(path: Path, scenario: Scenario) -> tuple[tuple[Agent, ...], list[InputIssue]]:
    """Parse and validate the roster; raises InputError with every error found."""
    name = str(path)
    pools = {(s.id, p.id): p for s, p in scenario.pools()}
    sites = {s.id for s in scenario.sites}
    issues: list[InputIssue] = []
    agents: list[Agent] = []
    seen: dict[str, int] = {}
    week = {scenario.week_start + dt.timedelta(days=d) for d in range(-1, 8)}

    for row, rec in read_rows(path, REQUIRED, OPTIONAL):
        problems: list[tuple[str, str, str]] = []
        agent_id, site, pool_id = rec["agent_id"], rec["site"], rec["pool"]
        if not AGENT_ID.match(agent_id):
            problems.append(("agent_id", agent_id, "ids are letters, digits, '.', '_' or '-', at most 64"))
        elif agent_id in seen:
            problems.append(("agent_id", agent_id, f"duplicate of row {seen[agent_id]}"))
        pool = pools.get((site, pool_id))
        if site not in sites:
            problems.append(("site", site, f"unknown site (known: {', '.join(sorted(sites))})"))
        elif pool is None:
            problems.append(("pool", pool_id, f"no pool {pool_id!r} at site {site!r}"))
        languages, queues = split_list(rec["languages"]), split_list(rec["queues"])
        problems += [("languages", x, "unknown language") for x in languages if x not in scenario.languages]
        known_queues = {q.id for q in scenario.queues}
        problems += [("queues", x, "unknown queue") for x in queues if x not in known_queues]
        if pool is not None:
            missing = [x for x in pool.languages if x not in languages]
            if missing:
                problems.append(("languages", rec["languages"], f"lacks pool language(s) {', '.join(missing)}"))
            missing = [x for x in pool.queues if x not in queues]
            if missing:
                problems.append(("queues", rec["queues"], f"not trained on pool queue(s) {', '.join(missing)}"))
        try:
            hours = float(rec["contract_hours"])
            if not 0 < hours <= 60:
                raise ValueError
        except ValueError:
            problems.append(("contract_hours", rec["contract_hours"], "weekly hours must be in (0, 60]"))
            hours = 0.0
        night = rec.get("night_work", "").lower() or "yes"
        if night not in YES | NO:
            problems.append(("night_work", rec["night_work"], "expected yes or no"))
        days = split_list(rec.get("available_days", "")) or WEEKDAYS
        problems += [("available_days", d, f"expected day names {'|'.join(WEEKDAYS)}")
                     for d in days if d not in WEEKDAYS]
        leave: set[dt.date] = set()
        for cell in split_list(rec.get("leave_dates", "")):
            try:
                day = dt.date.fromisoformat(cell)
            except ValueError:
                problems.append(("leave_dates", cell, "expected YYYY-MM-DD dates separated by |"))
                continue
            if day not in week:
                problems.append(("leave_dates", cell, "date is outside the plan week"))
            leave.add(day)
        start = rec.get("preferred_start") or None
        if start is not None and not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", start):
            problems.append(("preferred_start", start, "expected HH:MM"))
        recent: dict[str, int] = {}
        for column in ("recent_nights", "recent_weekends"):
            text = rec.get(column, "") or "0"
            if not text.isdigit() or int(text) > MAX_RECENT:
                problems.append((column, text, f"expected a whole number from 0 to {MAX_RECENT}"))
                continue
            recent[column] = int(text)
        if problems:
            issues += [InputIssue(name, row, col, val, msg) for col, val, msg in problems]
            continue
        seen[agent_id] = row
        agents.append(Agent(agent_id, site, pool_id, languages, queues, hours, night in YES,
                            frozenset(WEEKDAYS.index(d) for d in days), frozenset(leave), start,
                            recent.get("recent_nights", 0), recent.get("recent_weekends", 0)))
    raise_if_errors(issues)
    return tuple(agents), []
