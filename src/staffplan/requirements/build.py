"""Scenario + forecast → what the optimizer must cover, per UTC slot and stream (queue × language).

Units: agents are *productive* agents (on queue); `work` for deferred streams is in productive
agent-slots at the queue's maximum occupancy, so capacity and work compare directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from staffplan.requirements import deferred, erlang
from staffplan.scenario.forecast_file import Forecast, Stream
from staffplan.scenario.load import Inputs
from staffplan.scenario.schema import DeferredTarget, Pool, RealtimeTarget, Scenario, Severity, Site
from staffplan.scenario.timegrid import TimeGrid


@dataclass(frozen=True, eq=False)
class StreamNeed:
    queue: str
    language: str
    severity: Severity
    kind: Literal["realtime", "deferred"]
    volume: np.ndarray  # contacts per slot
    workload_hours: np.ndarray  # handling hours per slot (volume · AHT)
    required_net: np.ndarray  # productive agents per slot that meet the target (and the floor)
    floor: np.ndarray  # productive agents every slot, whatever the volume
    gross_factor: float  # 1 / (1 − effective shrinkage of the pools that can serve it)
    work: np.ndarray | None = None  # deferred: arrivals in productive agent-slots
    window_slots: int | None = None  # deferred: the target window in slots
    share: float | None = None  # deferred: share to complete within the window
    backlog_caps: np.ndarray | None = None  # deferred: most backlog allowed at the end of each slot

    @property
    def stream(self) -> Stream:
        return (self.queue, self.language)

    @property
    def required_gross(self) -> np.ndarray:
        return self.required_net * self.gross_factor


@dataclass(frozen=True, eq=False)
class Requirements:
    grid: TimeGrid
    needs: tuple[StreamNeed, ...]

    def need(self, stream: Stream) -> StreamNeed:
        return next(n for n in self.needs if n.stream == stream)


def productive_share(scenario: Scenario, site: Site, pool: Pool) -> float:
    """Share of an on-duty agent's paid time spent on queue: after shrinkage and, for pools trained on
    egregious queues, the wellness time per shift (spread over the site's average paid shift)."""
    shrinkage = site.shrinkage if pool.shrinkage is None else pool.shrinkage
    share = 1.0 - shrinkage
    if any(scenario.queue(q).severity is Severity.EGREGIOUS for q in pool.queues):
        templates = scenario.templates_for(site)
        paid_minutes = sum(t.paid_hours for t in templates) / len(templates) * 60
        share *= max(0.0, 1.0 - scenario.wellbeing.wellness_minutes_per_shift / paid_minutes)
    return share


def _gross_factor(scenario: Scenario, stream: Stream) -> float:
    shares = [productive_share(scenario, s, p) for s, p in scenario.pools()
              if stream[1] in p.languages and scenario.may_work(s, p, stream[0])]
    if not shares:  # nobody can serve it: report against the model's average
        shares = [productive_share(scenario, s, p) for s, p in scenario.pools()]
    return 1.0 / (sum(shares) / len(shares))


def _realtime(volume: np.ndarray, aht: np.ndarray, target: RealtimeTarget, interval_s: int) -> np.ndarray:
    cache: dict[tuple[float, float], int] = {}
    out = np.zeros(len(volume))
    for t, (v, a) in enumerate(zip(volume.tolist(), aht.tolist(), strict=True)):
        key = (round(v, 4), a)
        if key not in cache:
            cache[key] = erlang.agents_needed(
                volume=key[0], aht_seconds=a, interval_seconds=interval_s,
                service_level=target.service_level, answer_within_seconds=target.answer_within_seconds,
                max_occupancy=target.max_occupancy, patience_seconds=target.patience_seconds,
            )
        out[t] = cache[key]
    return out


def build_requirements(inputs: Inputs) -> Requirements:
    """Agents needed per slot and stream: Erlang C/A for realtime queues, deadline model for deferred."""
    scenario, forecast, grid = inputs.scenario, inputs.forecast, inputs.grid
    return Requirements(grid, tuple(_need(scenario, forecast, grid, i) for i in range(len(forecast.streams))))


def _need(scenario: Scenario, forecast: Forecast, grid: TimeGrid, index: int) -> StreamNeed:
    queue_id, language = forecast.streams[index]
    queue = scenario.queue(queue_id)
    interval_s = grid.interval_minutes * 60
    volume, aht = forecast.volume[index], forecast.aht_seconds[index]
    workload_hours = volume * aht / 3600.0
    floor = np.full(grid.num_slots, float(queue.floor))
    target = queue.target
    kind: Literal["realtime", "deferred"]
    work = caps = None
    window: int | None = None
    share: float | None = None
    if isinstance(target, RealtimeTarget):
        kind, net = "realtime", _realtime(volume, aht, target, interval_s)
    else:
        assert isinstance(target, DeferredTarget)
        kind, share = "deferred", target.share
        work = workload_hours * 3600.0 / (interval_s * target.max_occupancy)
        window = grid.slots_for(target.within_hours * 60)
        net = np.asarray(deferred.reference_capacity(work.tolist(), window, share))
        caps = np.asarray(deferred.backlog_caps(work.tolist(), window, share))
    return StreamNeed(queue_id, language, queue.severity, kind, volume, workload_hours, np.maximum(net, floor), floor,
                      _gross_factor(scenario, (queue_id, language)), work, window, share, caps)
