"""Stage 1: the tour-count model as a sparse MIP (only tour counts are integer).

    minimise   Σ cost·x  +  Σ penalty·shortfall  +  Σ penalty·late work
    x[pool, tour]        ∈ ℤ≥0   agents of a pool working a tour (a real person's week)
    starts[pool, tpl, t] = Σ x over the pool's tours with a shift of template tpl starting in slot t
    on[pool, t]          = Σ starts covering slot t (meal excluded)
    Σ_stream a[pool,t,·] ≤ productive share · on[pool, t]          one stream at a time, no double count
    Σ_egregious a        ≤ exposure ratio · productive share · on   wellbeing: egregious time per shift
    realtime:  Σ_pool a[·,t,stream] + short[t,stream] ≥ required
    deferred:  backlog[t] = backlog[t−1] + work[t] − served[t]  (cyclic), served ≤ Σ_pool a,
               backlog[t] ≤ cap[t] + late[t]  (deadline model)
    floors:    Σ_pool a + floor_short ≥ floor
    seats:     Σ_pools at site on[pool, t] ≤ seats;  pool headcount and vendor FTE bounds on Σ x

Every variable and row has a structured name (`kind[key,...]`) so reports can read them back.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from staffplan.plan.conflicts import PlanConflictError, find_conflicts
from staffplan.plan.linear import LinearModel
from staffplan.plan.tours import STANDARD_WEEK_HOURS, Tour, tours_for_site
from staffplan.requirements.build import Requirements, StreamNeed, productive_share
from staffplan.scenario.forecast_file import Stream
from staffplan.scenario.load import Inputs
from staffplan.scenario.schema import Scenario, Severity


@dataclass
class PlanModel:
    """The built model plus the index maps needed to read a solution back."""

    lp: LinearModel
    tours: list[tuple[str, Tour, int]] = field(default_factory=list)  # (pool id, tour, variable)
    alloc: dict[tuple[str, int, Stream], int] = field(default_factory=dict)  # (pool, slot, stream) → variable
    on_duty: dict[tuple[str, int], int] = field(default_factory=dict)
    shortfall: dict[tuple[int, Stream], int] = field(default_factory=dict)
    late: dict[tuple[int, Stream], int] = field(default_factory=dict)
    backlog: dict[tuple[int, Stream], int] = field(default_factory=dict)
    dropped: dict[tuple[int, Stream], int] = field(default_factory=dict)
    pool_limits: dict[str, int] = field(default_factory=dict)


def pool_limits(inputs: Inputs) -> dict[str, int]:
    """Headcount bound per pool: the model's max, or with a roster, its available agents (in 40 h FTE)."""
    limits = {p.id: p.max_headcount for _, p in inputs.scenario.pools()}
    if inputs.roster is not None:
        hours: dict[str, float] = defaultdict(float)
        for agent in inputs.roster:
            hours[agent.pool] += min(agent.contract_hours, STANDARD_WEEK_HOURS)
        limits = {pool: min(limit, int(hours[pool] // STANDARD_WEEK_HOURS + 1e-9)) for pool, limit in limits.items()}
    return limits


def exposure_ratio(scenario: Scenario, paid_hours: float, interval_minutes: int) -> float:
    """Share of a pool's productive time that may go to egregious queues in any one interval.

    With at most this share in every interval, a round-robin rotation (least-exposed first) keeps each
    person within one interval of `share × shift` (Tijdeman's chairman-assignment bound), so one interval
    of margin below the per-shift cap guarantees the cap person by person.
    """
    per_hour = 60 / interval_minutes
    cap_slots = scenario.wellbeing.max_egregious_hours_per_shift * per_hour - 1
    return max(0.0, min(1.0, cap_slots / (paid_hours * per_hour)))


def build_model(inputs: Inputs, requirements: Requirements) -> PlanModel:
    scenario, grid = inputs.scenario, requirements.grid
    limits = pool_limits(inputs)
    conflicts = find_conflicts(scenario, requirements, limits)
    if conflicts:
        raise PlanConflictError(conflicts)
    lp = LinearModel()
    model = PlanModel(lp, pool_limits=limits)
    T = grid.num_slots
    slot_hours = grid.interval_minutes / 60.0
    weights = scenario.objective
    needs = {n.stream: n for n in requirements.needs}

    # Tours, daily starts and on-duty agents per pool.
    for site in scenario.sites:
        site_tours = tours_for_site(scenario, site, grid)
        rules_ok = bool(site_tours)
        seat_terms: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for pool in site.pools:
            if not rules_ok or limits[pool.id] == 0:
                continue
            starts: dict[tuple[str, int], list[int]] = defaultdict(list)
            shape: dict[tuple[str, int], tuple[int, int, int]] = {}
            pool_vars = []
            for tour in site_tours:
                var = lp.add_var(f"x[{pool.id},{tour.id}]", ub=limits[pool.id], cost=tour.cost, integer=True)
                model.tours.append((pool.id, tour, var))
                pool_vars.append((var, tour.paid_hours / STANDARD_WEEK_HOURS))
                for shift in tour.shifts:
                    starts[tour.template, shift.start_slot].append(var)
                    shape[tour.template, shift.start_slot] = (shift.slots, shift.meal_offset, shift.meal_slots)
            cover: dict[int, list[tuple[int, float]]] = defaultdict(list)
            for (template, slot), members in sorted(starts.items()):
                s = lp.add_var(f"starts[{pool.id},{template},{slot}]")
                lp.add_row(f"starts_link[{pool.id},{template},{slot}]",
                           [(s, 1.0)] + [(v, -1.0) for v in members], lo=0.0, hi=0.0)
                length, meal_offset, meal_slots = shape[template, slot]
                for k in range(length):
                    if not meal_offset <= k < meal_offset + meal_slots:
                        cover[(slot + k) % T].append((s, -1.0))
            for t in range(T):
                on = lp.add_var(f"on[{pool.id},{t}]")
                lp.add_row(f"on_link[{pool.id},{t}]", [(on, 1.0), *cover.get(t, [])], lo=0.0, hi=0.0)
                model.on_duty[pool.id, t] = on
                seat_terms[t].append((on, 1.0))
            lp.add_row(f"pool_headcount[{pool.id}]", [(v, 1.0) for v, _ in pool_vars],
                       lo=float(pool.min_headcount), hi=float(limits[pool.id]))
            _allocation(model, scenario, site.id, pool.id, needs, T, grid.interval_minutes)
        for t, terms in seat_terms.items():
            lp.add_row(f"seats[{site.id},{t}]", terms, hi=float(site.seats))

    # Vendor contract bounds, in 40-hour FTE.
    for vendor in scenario.vendors:
        pools = {p.id for s in scenario.sites if s.vendor == vendor.id for p in s.pools}
        terms = [(v, tour.paid_hours / STANDARD_WEEK_HOURS) for pool, tour, v in model.tours if pool in pools]
        if terms and (vendor.min_fte > 0 or vendor.max_fte is not None):
            lp.add_row(f"vendor_fte[{vendor.id}]", terms, lo=vendor.min_fte,
                       hi=math.inf if vendor.max_fte is None else vendor.max_fte)

    # Coverage per stream.
    by_stream: dict[tuple[int, Stream], list[int]] = defaultdict(list)
    for (_, t, stream), var in model.alloc.items():
        by_stream[t, stream].append(var)
    for need in requirements.needs:
        penalty = weights.shortfall_per_agent_hour[need.severity] * slot_hours
        if need.kind == "realtime":
            for t in range(T):
                required = float(need.required_net[t])
                if required <= 0:
                    continue
                short = lp.add_var(f"short[{need.queue},{need.language},{t}]", ub=required, cost=penalty)
                model.shortfall[t, need.stream] = short
                lp.add_row(f"cover[{need.queue},{need.language},{t}]",
                           [(v, 1.0) for v in by_stream[t, need.stream]] + [(short, 1.0)], lo=required)
        else:
            _deadline(model, need, by_stream, weights.late_work_per_agent_hour * slot_hours, penalty, T)
            if need.floor.max() > 0:
                for t in range(T):
                    fshort = lp.add_var(f"floor_short[{need.queue},{need.language},{t}]", ub=float(need.floor[t]),
                                        cost=weights.floor_shortfall_per_agent_hour * slot_hours)
                    lp.add_row(f"floor[{need.queue},{need.language},{t}]",
                               [(v, 1.0) for v in by_stream[t, need.stream]] + [(fshort, 1.0)],
                               lo=float(need.floor[t]))
    return model


def _allocation(model: PlanModel, scenario: Scenario, site_id: str, pool_id: str,
                needs: dict[Stream, StreamNeed], T: int, interval_minutes: int) -> None:
    """Allocation variables of one pool's productive agents to the streams it may serve, per slot."""
    lp = model.lp
    site = scenario.site(site_id)
    pool = next(p for p in site.pools if p.id == pool_id)
    share = productive_share(scenario, site, pool)
    streams = [s for s in needs if s[1] in pool.languages and scenario.may_work(site, pool, s[0])]
    egregious = {s for s in streams if needs[s].severity is Severity.EGREGIOUS}
    ratio = exposure_ratio(scenario, max(t.paid_hours for t in scenario.templates_for(site)), interval_minutes)
    for t in range(T):
        on = model.on_duty[pool_id, t]
        terms = []
        egr_terms = []
        for stream in streams:
            var = lp.add_var(f"alloc[{pool_id},{stream[0]},{stream[1]},{t}]")
            model.alloc[pool_id, t, stream] = var
            terms.append((var, 1.0))
            if stream in egregious:
                egr_terms.append((var, 1.0))
        if terms:
            lp.add_row(f"productive[{pool_id},{t}]", [*terms, (on, -share)], hi=0.0)
        if egr_terms and ratio < 1.0:
            lp.add_row(f"exposure[{pool_id},{t}]", [*egr_terms, (on, -share * ratio)], hi=0.0)


def deadline_block(window_slots: int, num_slots: int) -> int:
    """Slots per backlog step: about a twelfth of the window (2 h for a 24 h target on 30-minute slots).

    The backlog of a deferred stream is checked at the end of each block instead of every slot; a block
    is at most 1/12 of the window, so a report can look on time in the model and be up to that much late
    in the FIFO projection (which reports are always measured by). It removes most of the LP's size.
    """
    block = max(1, window_slots // 12)
    while num_slots % block:
        block -= 1
    return block


def _deadline(model: PlanModel, need: StreamNeed, by_stream: dict[tuple[int, Stream], list[int]],
              late_penalty: float, short_penalty: float, T: int) -> None:
    """Deferred stream: cyclic FIFO backlog with deadline caps per block of slots, lateness penalised.

    Work that is never done (`dropped`, e.g. nobody can serve the stream) costs the shortfall penalty plus
    a full window of lateness, so the model always prefers doing work late to not doing it.
    """
    lp = model.lp
    assert need.work is not None and need.backlog_caps is not None and need.window_slots is not None
    block = deadline_block(need.window_slots, T)
    blocks = T // block
    drop_penalty = short_penalty + late_penalty * need.window_slots
    q, lang = need.stream
    backlog = [lp.add_var(f"backlog[{q},{lang},{k * block}]") for k in range(blocks)]
    for k in range(blocks):
        slots = range(k * block, (k + 1) * block)
        work = float(sum(need.work[t] for t in slots))
        end = slots[-1]
        served = lp.add_var(f"served[{q},{lang},{k * block}]")
        dropped = lp.add_var(f"dropped[{q},{lang},{k * block}]", cost=drop_penalty)
        lp.add_row(f"served_cap[{q},{lang},{k * block}]",
                   [(served, 1.0)] + [(v, -1.0) for t in slots for v in by_stream[t, need.stream]], hi=0.0)
        lp.add_row(f"flow[{q},{lang},{k * block}]",
                   [(backlog[k], 1.0), (backlog[k - 1], -1.0), (served, 1.0), (dropped, 1.0)], lo=work, hi=work)
        late = lp.add_var(f"late[{q},{lang},{k * block}]", cost=late_penalty * block)
        lp.add_row(f"deadline[{q},{lang},{k * block}]", [(backlog[k], 1.0), (late, -1.0)],
                   hi=float(need.backlog_caps[end]))
        for t in slots:
            model.dropped[t, need.stream] = dropped
            model.backlog[t, need.stream] = backlog[k]
            model.late[t, need.stream] = late
