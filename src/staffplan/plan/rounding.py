"""A first integer plan from the LP: round each pool's tours in start-time order, then respect every cap.

Prefix rounding keeps the number of agents starting by any time of the week within one of the LP, so
the on-duty curve follows the LP's. Rounding up can break a hard cap the LP was tight against (seats,
pool headcount, vendor maximum FTE): extra agents are taken back from the tours where the LP wanted them
least until every cap holds. Lower limits (pool minimum, vendor minimum FTE) are then met by adding agents
where the LP wanted them most and seats allow.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from staffplan.plan.model import PlanModel
from staffplan.plan.tours import STANDARD_WEEK_HOURS
from staffplan.scenario.schema import Scenario

_EPS = 1e-6


class TourRounding:
    """Knows which slots, site, pool and vendor each tour variable uses; rounds LP values to a plan."""

    def __init__(self, scenario: Scenario, model: PlanModel, num_slots: int) -> None:
        self.model = model
        self.vars = np.array([var for _, _, var in model.tours], dtype=np.int64)
        self.pools = [pool for pool, _, _ in model.tours]
        self.sites = [tour.site for _, tour, _ in model.tours]
        vendor_of = {s.id: s.vendor for s in scenario.sites}
        self.vendors = [vendor_of[site] for site in self.sites]
        self.fte = np.array([tour.paid_hours / STANDARD_WEEK_HOURS for _, tour, _ in model.tours])
        self.slots = [np.array(sorted({s for shift in tour.shifts for s in shift.working_slots(num_slots)}),
                               dtype=np.int64) for _, tour, _ in model.tours]
        self.seats = {s.id: float(s.seats) for s in scenario.sites}
        self.num_slots = num_slots
        self.pool_max = {pool: float(limit) for pool, limit in model.pool_limits.items()}
        self.pool_min = {p.id: float(p.min_headcount) for _, p in scenario.pools()}
        self.vendor_max = {v.id: v.max_fte for v in scenario.vendors}
        self.vendor_min = {v.id: v.min_fte for v in scenario.vendors}
        by_pool: dict[str, list[int]] = defaultdict(list)
        for k, pool in enumerate(self.pools):
            by_pool[pool].append(k)
        self.by_pool = [np.array(ks, dtype=np.int64) for ks in by_pool.values()]

    def __call__(self, values: np.ndarray, threshold: float) -> np.ndarray:
        x = values[self.vars]
        want = x - np.floor(x + _EPS)  # how much the LP wanted one more agent on the tour
        y = np.zeros_like(x)
        for ks in self.by_pool:
            prefix = np.floor(np.cumsum(x[ks]) + 1 - threshold)
            y[ks] = np.diff(np.concatenate([[0.0], prefix]))
        y = np.maximum(y, 0.0)
        self._enforce_caps(y, np.floor(x + _EPS), want)
        self._meet_minimums(y, want)
        out = values.copy()
        out[self.vars] = y
        return out

    def _seat_use(self, y: np.ndarray) -> dict[str, np.ndarray]:
        use = {site: np.zeros(self.num_slots) for site in self.seats}
        for k in np.flatnonzero(y > 0):
            use[self.sites[k]][self.slots[k]] += y[k]
        return use

    def _totals(self, y: np.ndarray) -> tuple[dict[str, float], dict[str, float]]:
        """Agents per pool and FTE per vendor of a rounding."""
        pool_total: dict[str, float] = defaultdict(float)
        vendor_total: dict[str, float] = defaultdict(float)
        for k in np.flatnonzero(y > 0).tolist():
            pool_total[self.pools[k]] += y[k]
            vendor_total[self.vendors[k]] += y[k] * self.fte[k]
        return pool_total, vendor_total

    def _enforce_caps(self, y: np.ndarray, floor: np.ndarray, want: np.ndarray) -> None:
        """Take back agents (least wanted first; below the LP's floor only if a cap still breaks)."""
        order = np.argsort(want, kind="stable")
        use = self._seat_use(y)
        pool_total, vendor_total = self._totals(y)

        def breaks(k: int) -> bool:
            vmax = self.vendor_max[self.vendors[k]]
            return (bool(np.any(use[self.sites[k]][self.slots[k]] > self.seats[self.sites[k]] + _EPS))
                    or pool_total[self.pools[k]] > self.pool_max[self.pools[k]] + _EPS
                    or (vmax is not None and vendor_total[self.vendors[k]] > vmax + _EPS))

        for allow_below_floor in (False, True):
            for k in order.tolist():
                while y[k] > (0 if allow_below_floor else floor[k]) and breaks(k):
                    y[k] -= 1
                    use[self.sites[k]][self.slots[k]] -= 1
                    pool_total[self.pools[k]] -= 1
                    vendor_total[self.vendors[k]] -= self.fte[k]

    def _meet_minimums(self, y: np.ndarray, want: np.ndarray) -> None:
        use = self._seat_use(y)
        order = np.argsort(-want, kind="stable").tolist()
        pool_total, vendor_total = self._totals(y)

        def add(k: int) -> None:
            site, pool, vendor = self.sites[k], self.pools[k], self.vendors[k]
            vmax = self.vendor_max[vendor]
            if (np.any(use[site][self.slots[k]] + 1 > self.seats[site] + _EPS)
                    or pool_total[pool] + 1 > self.pool_max[pool] + _EPS
                    or (vmax is not None and vendor_total[vendor] + self.fte[k] > vmax + _EPS)):
                return
            y[k] += 1
            use[site][self.slots[k]] += 1
            pool_total[pool] += 1
            vendor_total[vendor] += self.fte[k]

        for k in order:
            if pool_total[self.pools[k]] < self.pool_min.get(self.pools[k], 0.0) - _EPS:
                add(k)
        for k in order:
            if vendor_total[self.vendors[k]] < self.vendor_min[self.vendors[k]] - _EPS:
                add(k)
