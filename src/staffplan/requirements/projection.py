"""Projections: given productive agents per slot for a stream, the service it delivers.

Realtime streams get service level and ASA per interval (Erlang C/A; a fractional staffing level is
interpolated between its neighbouring whole numbers) and a volume-weighted service level per queue and
UTC day. Deferred streams get the FIFO backlog, the oldest report's age and the share done in time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from staffplan.requirements import erlang
from staffplan.requirements.build import Requirements, StreamNeed
from staffplan.requirements.deferred import simulate_fifo
from staffplan.scenario.forecast_file import Stream
from staffplan.scenario.schema import RealtimeTarget, Scenario


@dataclass(frozen=True, eq=False)
class StreamProjection:
    stream: Stream
    kind: str
    service_level: np.ndarray | None = None  # realtime, per slot (1.0 where volume is zero)
    asa_seconds: np.ndarray | None = None  # realtime, per slot
    backlog_hours: np.ndarray | None = None  # deferred: handling hours waiting at the end of each slot
    oldest_age_hours: np.ndarray | None = None  # deferred, per slot
    share_within_target: float | None = None  # deferred, over the week


def project_stream(scenario: Scenario, need: StreamNeed, aht: np.ndarray, agents: np.ndarray,
                   interval_minutes: int) -> StreamProjection:
    interval_s = interval_minutes * 60
    if need.kind == "realtime":
        target = scenario.queue(need.queue).target
        assert isinstance(target, RealtimeTarget)
        sl, asa = np.ones(len(agents)), np.zeros(len(agents))
        for t, (n, v) in enumerate(zip(agents.tolist(), need.volume.tolist(), strict=True)):
            if v <= 0:
                continue
            common: dict[str, Any] = dict(volume=v, aht_seconds=float(aht[t]), interval_seconds=interval_s,
                          patience_seconds=target.patience_seconds)
            if n <= 1e-9:
                sl[t], asa[t] = 0.0, math.inf
                continue
            # Fractional agents (an average over the slot) are interpolated by the Erlang functions.
            sl[t] = erlang.service_level(agents=n, answer_within_seconds=target.answer_within_seconds, **common)
            asa[t] = erlang.asa(agents=n, **common)
        return StreamProjection(need.stream, "realtime", service_level=sl, asa_seconds=asa)
    assert need.work is not None and need.window_slots is not None
    fifo = simulate_fifo(need.work.tolist(), agents.tolist(), need.window_slots)
    slot_hours = interval_minutes / 60.0
    return StreamProjection(
        need.stream, "deferred",
        backlog_hours=np.asarray(fifo.backlog) * slot_hours,
        oldest_age_hours=np.asarray(fifo.oldest_age) * slot_hours,
        share_within_target=fifo.share_within_target,
    )


def queue_day_service(requirements: Requirements, projections: dict[Stream, StreamProjection]
                      ) -> dict[tuple[str, int], float]:
    """Volume-weighted realtime service level per (queue, UTC day index)."""
    per_day = requirements.grid.slots_per_day
    sums: dict[tuple[str, int], list[float]] = {}
    for need in requirements.needs:
        proj = projections.get(need.stream)
        if proj is None or proj.service_level is None:
            continue
        for t, (v, sl) in enumerate(zip(need.volume.tolist(), proj.service_level.tolist(), strict=True)):
            acc = sums.setdefault((need.queue, t // per_day), [0.0, 0.0])
            acc[0] += v * sl
            acc[1] += v
    return {key: (a / b if b else 1.0) for key, (a, b) in sorted(sums.items())}
