"""Plain-text tables for the terminal."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from staffplan.scenario.load import Inputs

if TYPE_CHECKING:
    from staffplan.plan.run import PlanRun
    from staffplan.plan.solve import Progress


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A fixed-width table; numbers right-aligned, text left-aligned."""
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    numeric = [bool(rows) and all(isinstance(r[i], int | float) for r in rows) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True))

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)]).rstrip()


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def validation_summary(inputs: Inputs) -> str:
    """What `staffplan validate` prints: sites, pools, streams, weekly volume per queue, warnings."""
    sc, fc = inputs.scenario, inputs.forecast
    roster = inputs.roster or ()
    per_pool = {(a.site, a.pool): 0 for a in roster}
    for agent in roster:
        per_pool[agent.site, agent.pool] += 1
    parts = [
        f"{sc.name}: week of {sc.week_start} (UTC), {sc.interval_minutes}-minute intervals, "
        f"{len(sc.sites)} sites, {len(sc.vendors)} vendors, {len(sc.languages)} languages, "
        f"{len(sc.queues)} queues, {len(fc.streams)} streams"
        + (f", {len(roster)} agents" if inputs.roster is not None else ""),
        "",
        table(
            ["site", "vendor", "time zone", "labor rules", "seats", "pools", "agents" if roster else "max heads"],
            [[s.id, s.vendor, s.timezone, s.labor_rules, s.seats, len(s.pools),
              sum(per_pool.get((s.id, p.id), 0) for p in s.pools) if roster
              else sum(p.max_headcount for p in s.pools)] for s in sc.sites],
        ),
        "",
        table(
            ["queue", "severity", "target", "streams", "weekly volume"],
            [[q.id, q.severity.value, _target(q.target), sum(1 for s in fc.streams if s[0] == q.id),
              float(sum(fc.volume[i].sum() for i, s in enumerate(fc.streams) if s[0] == q.id))]
             for q in sc.queues],
        ),
    ]
    if inputs.warnings:
        parts += ["", f"{len(inputs.warnings)} warning(s):", *(f"  {w}" for w in inputs.warnings)]
    return "\n".join(parts)


def _target(target: object) -> str:
    from staffplan.scenario.schema import DeferredTarget

    if isinstance(target, DeferredTarget):
        return f"{target.share:.0%} in {target.within_hours:g} h"
    sl, within = getattr(target, "service_level", 0.0), getattr(target, "answer_within_seconds", 0.0)
    return f"{sl:.0%} in {within:g} s"


def frame_table(frame: pd.DataFrame) -> str:
    return table([str(c) for c in frame.columns],
                 [[v.item() if hasattr(v, "item") else v for v in row] for row in frame.itertuples(index=False)])


def progress_line(progress: Progress) -> str:
    incumbent = "—" if progress.incumbent is None else f"{progress.incumbent:,.0f}"
    gap = "—" if progress.gap is None else f"{progress.gap:.2%}"
    bound = "—" if not math.isfinite(progress.bound) else f"{progress.bound:,.0f}"
    return (f"[{progress.elapsed:6.1f}s] {progress.phase:<12} plan {incumbent:>12}  "
            f"bound {bound:>12}  gap {gap:>7}")


def plan_summary(run: PlanRun) -> str:
    from staffplan.reports.plan_json import kpis

    assert run.plan is not None
    k = kpis(run.plan, run.requirements)
    lines = [
        f"status {run.plan.status}: cost {k['cost_per_week']:,.0f}/week, {k['headcount']:,} agents, "
        f"coverage {k['coverage_pct']:.2f}%, understaffed {k['understaffed_agent_hours']:,.1f} agent-hours",
        f"objective {k['objective']:,.0f}, lower bound {k['lower_bound']:,.0f}, gap {k['gap']:.2%} "
        f"(build {run.build_seconds:.1f}s, solve {k['solve_seconds']:.1f}s)",
        "",
        table(["site", "FTE"], [[s, v] for s, v in k["fte_by_site"].items()]),
        "",
        table(["vendor", "FTE"], [[s, v] for s, v in k["fte_by_vendor"].items()]),
    ]
    return "\n".join(lines)
