"""Hard rules that contradict each other, found before any solving and explained by rule and entity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from staffplan.requirements.build import Requirements
from staffplan.scenario.schema import Scenario

WEEK_HOURS = 7 * 24.0


@dataclass(frozen=True)
class Conflict:
    rule: str
    entity: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.entity}): {self.message}"


class PlanConflictError(Exception):
    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        super().__init__("; ".join(map(str, conflicts)))


def vendor_minimum_within_seats(scenario: Scenario, requirements: Requirements,
                                pool_limits: dict[str, int]) -> list[Conflict]:
    """A vendor's contract minimum FTE must fit in its sites' seats and pools' headcount limits."""
    found = []
    for vendor in scenario.vendors:
        sites = [s for s in scenario.sites if s.vendor == vendor.id]
        seat_fte = sum(s.seats for s in sites) * WEEK_HOURS / 40.0
        heads = sum(pool_limits[p.id] for s in sites for p in s.pools)
        if vendor.min_fte > min(seat_fte, heads):
            found.append(Conflict("vendor-minimum", vendor.id,
                                  f"contract minimum {vendor.min_fte:g} FTE exceeds what its sites can hold "
                                  f"({sum(s.seats for s in sites)} seats, {heads} agents at most)"))
    return found


def floors_servable(scenario: Scenario, requirements: Requirements, pool_limits: dict[str, int]) -> list[Conflict]:
    """A stream with a per-interval floor must have a pool at a permitted site that may serve it."""
    found = []
    for need in requirements.needs:
        if need.floor.max() <= 0:
            continue
        servers = [p.id for s, p in scenario.pools()
                   if need.language in p.languages and scenario.may_work(s, p, need.queue) and pool_limits[p.id] > 0]
        if not servers:
            found.append(Conflict("hard-floor", f"{need.queue}/{need.language}",
                                  f"queue {need.queue!r} requires {need.floor.max():g} agent(s) every interval in "
                                  f"{need.language!r}, but no pool at a permitted site serves it"))
    return found


def pool_minimum_within_seats(scenario: Scenario, requirements: Requirements,
                              pool_limits: dict[str, int]) -> list[Conflict]:
    """Pool minimum headcounts at a site must fit in its seats (at 40 h per head over a 168 h week)."""
    found = []
    for site in scenario.sites:
        minimum = sum(p.min_headcount for p in site.pools)
        if minimum * 40.0 > site.seats * WEEK_HOURS:
            found.append(Conflict("pool-minimum", site.id,
                                  f"pool minimums add up to {minimum} agents, more than {site.seats} seats can hold"))
        for pool in site.pools:
            if pool.min_headcount > pool_limits[pool.id]:
                found.append(Conflict("pool-minimum", pool.id,
                                      f"minimum {pool.min_headcount} agents but only {pool_limits[pool.id]} available"))
    return found


CHECKS: list[Callable[[Scenario, Requirements, dict[str, int]], list[Conflict]]] = [
    vendor_minimum_within_seats,
    floors_servable,
    pool_minimum_within_seats,
]


def find_conflicts(scenario: Scenario, requirements: Requirements, pool_limits: dict[str, int]) -> list[Conflict]:
    return [c for check in CHECKS for c in check(scenario, requirements, pool_limits)]
