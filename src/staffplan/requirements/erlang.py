"""Erlang C (M/M/n) and Erlang A (M/M/n+M): service level, ASA, waiting probability, occupancy, agents needed.

Units: `volume` contacts arrive per interval of `interval_seconds`; the offered load is
A = volume · aht_seconds / interval_seconds Erlangs. Every public function is keyword-only.

Erlang C uses the Erlang B recursion B(k) = A·B(k−1) / (k + A·B(k−1)) and C = n·B / (n − A·(1 − B)).
The recursion forgets its starting value geometrically (1/B(k) = 1 + (k/A)·(1/B(k−1)), so an error shrinks by
k/A per step), so it starts 12·√A + 10 steps below min(n, A) from the fluid value B ≈ 1 − k/A: exact to double
precision and O(√A) work for any load.

Erlang A adds exponential patience with mean `patience_seconds` (rate θ; γ = θ·AHT). With time in units of AHT,
x = A/γ and a = n/γ, the waiting states of the birth–death chain are π(n+k) = π(n)·Π_{i≤k} A/(n + iγ), whose sum
is π(n)·M(a, x) with M(b, y) = Σ_k y^k / Π_{i≤k}(b + i) = 1F1(1; b + 1; y). A caller who finds k contacts waiting
is reached after V = Σ_{j≤k} Exp(n + jγ) (the "virtual wait"); mixing over k gives the closed forms
P(V > t) = π(n)·exp(x(1 − e^{−γt}) − n·t)·M(a, x·e^{−γt}) and P(reached, then still there) = E[e^{−γV}], used
below. M is summed directly when y < b + 1 (those are the chain's states) and otherwise taken from the
regularised incomplete gamma function by its continued fraction.

Non-integer `agents` (service_level, asa, probability_of_wait) are linearly interpolated between the
neighbouring whole numbers (the convention of `staffplan.requirements.projection`); if either neighbour
gives an infinite ASA the result is infinite.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

_TOLERANCE = 1e-12  # slack when comparing a computed value with a target
_SERIES_EPS = 1e-17
_MAX_ITERATIONS = 50_000_000


class UnreachableTargetError(ValueError):
    """No number of agents meets the requested targets (or the targets themselves are impossible)."""


# --------------------------------------------------------------------------------------------------------------
# validation


def _check_finite(name: str, value: float, *, low: float = 0.0, strict: bool = False) -> float:
    value = float(value)
    if math.isnan(value) or value < low or (strict and value <= low):
        bound = ">" if strict else ">="
        raise ValueError(f"{name} must be {bound} {low}, got {value!r}")
    return value


def _offered_load(volume: float, aht_seconds: float, interval_seconds: float) -> float:
    """Offered load in Erlangs: volume · AHT / interval length."""
    volume = _check_finite("volume", volume)
    aht_seconds = _check_finite("aht_seconds", aht_seconds)
    interval_seconds = _check_finite("interval_seconds", interval_seconds, strict=True)
    if math.isinf(volume) or math.isinf(aht_seconds):
        raise ValueError("volume and aht_seconds must be finite")
    return volume * aht_seconds / interval_seconds


def _patience_ratio(patience_seconds: float | None, aht_seconds: float) -> float | None:
    """γ = AHT / mean patience (abandonment rate in units of the service rate); None means Erlang C."""
    if patience_seconds is None:
        return None
    patience = _check_finite("patience_seconds", patience_seconds, strict=True)
    return None if math.isinf(patience) else aht_seconds / patience


def _interpolated(fn: Callable[[int], float], agents: float) -> float:
    """fn at a whole number of agents, or linear interpolation between floor and ceil for a fraction."""
    agents = _check_finite("agents", agents)
    if math.isinf(agents):
        raise ValueError("agents must be finite")
    nearest = round(agents)
    if abs(agents - nearest) < 1e-9:
        return fn(int(nearest))
    low = math.floor(agents)
    value_low, value_high = fn(low), fn(low + 1)
    if math.isinf(value_low) or math.isinf(value_high):
        return math.inf
    return value_low + (agents - low) * (value_high - value_low)


# --------------------------------------------------------------------------------------------------------------
# Erlang B / C


def _erlang_b(n: int, load: float) -> float:
    """Erlang B blocking probability B(n, A) by the stable recursion, started O(√A) below min(n, A)."""
    if n <= 0:
        return 1.0
    if load <= 0.0:
        return 0.0
    start = max(0, math.floor(min(n, load) - 12.0 * math.sqrt(load) - 10.0))
    b = 1.0 if start == 0 else (load - start) / load
    for k in range(start + 1, n + 1):
        b = load * b / (k + load * b)
    return b


def _erlang_c_from_b(n: int, load: float, b: float) -> float:
    """Probability of waiting C(n, A) from B(n, A); 1 when the queue is unstable (n ≤ A)."""
    if n <= load:
        return 1.0
    return n * b / (n - load * (1.0 - b))


def _erlang_c(n: int, load: float) -> float:
    return _erlang_c_from_b(n, load, _erlang_b(n, load))


def _service_level_c(n: int, load: float, within_aht: float, wait_probability: float) -> float:
    """Erlang C service level 1 − C·exp(−(n − A)·t/AHT), t in units of AHT; 0 when unstable."""
    if n <= load:
        return 0.0
    return 1.0 - wait_probability * math.exp(-(n - load) * within_aht)


def _asa_c(n: int, load: float, wait_probability: float) -> float:
    """Erlang C mean wait over all contacts, in units of AHT: C / (n − A); infinite when unstable."""
    if n <= load:
        return math.inf
    return wait_probability / (n - load)


# --------------------------------------------------------------------------------------------------------------
# Kummer's M(b, y) = 1F1(1; b + 1; y) for Erlang A


def _kummer_series(b: float, y: float) -> tuple[float, float]:
    """(log M(b, y), −∂_b log M(b, y)) by direct summation; needs y < b + 1 so that terms only shrink."""
    total, weighted, term, harmonic = 1.0, 0.0, 1.0, 0.0
    for i in range(1, _MAX_ITERATIONS):
        term *= y / (b + i)
        harmonic += 1.0 / (b + i)
        total += term
        weighted += term * harmonic
        ratio = y / (b + i + 1)
        if term * ratio <= _SERIES_EPS * total * (1.0 - ratio):
            return math.log(total), weighted / total
    raise RuntimeError(f"Kummer series did not converge for b={b}, y={y}")  # pragma: no cover


def _log_upper_gamma_cf(b: float, y: float) -> float:
    """log Γ(b, y) (upper incomplete gamma) by the Lentz continued fraction; accurate for y ≥ b + 1."""
    tiny = 1e-300
    bb = y + 1.0 - b
    c, d = 1.0 / tiny, 1.0 / bb
    h = d
    for i in range(1, _MAX_ITERATIONS):
        an = -i * (i - b)
        bb += 2.0
        d = an * d + bb
        d = tiny if abs(d) < tiny else d
        c = bb + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            return -y + b * math.log(y) + math.log(h)
    raise RuntimeError(f"incomplete gamma fraction did not converge for b={b}, y={y}")  # pragma: no cover


def _log_kummer_cf(b: float, y: float) -> float:
    """log M(b, y) = log[Γ(b + 1)·e^y·y^(−b)·P(b, y)] with P = 1 − Γ(b, y)/Γ(b); for y ≥ b + 1."""
    upper_share = math.exp(_log_upper_gamma_cf(b, y) - math.lgamma(b))
    return math.lgamma(b + 1.0) + y - b * math.log(y) + math.log1p(-upper_share)


def _log_kummer(b: float, y: float) -> float:
    """log M(b, y) for b > 0, y ≥ 0."""
    if y <= 0.0:
        return 0.0
    if y < b + 1.0:
        return _kummer_series(b, y)[0]
    return _log_kummer_cf(b, y)


def _kummer_with_slope(b: float, y: float) -> tuple[float, float]:
    """(log M(b, y), −∂_b log M(b, y)); the slope is exact in the series regime, a central difference otherwise."""
    if y < b + 1.0:
        return _kummer_series(b, y)
    step = 1e-3 * math.sqrt(max(1.0, b))
    step = min(step, 0.5 * b)
    slope = -(_log_kummer(b + step, y) - _log_kummer(b - step, y)) / (2.0 * step)
    return _log_kummer(b, y), slope


# --------------------------------------------------------------------------------------------------------------
# Erlang A


def _log_add(u: float, v: float) -> float:
    high, low = max(u, v), min(u, v)
    if low == -math.inf:
        return high
    return high + math.log1p(math.exp(low - high))


@dataclass(frozen=True)
class _ErlangA:
    """Erlang A for n ≥ 1 agents at load A > 0 and γ = AHT/patience > 0; probabilities relative to π(n).

    `log_idle` is log Σ_{j<n} π(j)/π(n) = log(1/B − 1), `log_queue` is log Σ_{k≥0} π(n+k)/π(n) = log M(a, x),
    `log_norm` is the log of their sum (so π(n) = exp(−log_norm)).
    """

    n: int
    load: float
    gamma: float
    log_idle: float
    log_queue: float
    log_norm: float

    @classmethod
    def build(cls, n: int, load: float, gamma: float) -> _ErlangA | None:
        """None when π(n) underflows (so many agents that nobody ever waits)."""
        b = _erlang_b(n, load)
        if b <= 0.0:
            return None
        log_idle = math.log1p(-b) - math.log(b)
        log_queue = _log_kummer(n / gamma, load / gamma)
        return cls(n, load, gamma, log_idle, log_queue, _log_add(log_idle, log_queue))

    @property
    def x(self) -> float:
        return self.load / self.gamma

    @property
    def a(self) -> float:
        return self.n / self.gamma

    def probability_of_wait(self) -> float:
        return math.exp(self.log_queue - self.log_norm)

    def _served_after_wait(self, log_kummer_a1: float) -> float:
        """P(wait > 0 and reached before abandoning) = π(n)·n/(n + γ)·M(a + 1, x)."""
        return math.exp(math.log(self.n / (self.n + self.gamma)) + log_kummer_a1 - self.log_norm)

    def abandonment(self) -> float:
        """P(a contact abandons) = P(wait) − P(wait, then reached)."""
        served = self._served_after_wait(_log_kummer(self.a + 1.0, self.x))
        return max(0.0, self.probability_of_wait() - served)

    def service_level(self, within_aht: float) -> float:
        """Answered within t / (offered − abandoned before t), t in units of AHT (short abandons excluded)."""
        if within_aht <= 0.0:
            return 1.0 - self.probability_of_wait()
        if math.isinf(within_aht):
            return 1.0
        n, gamma, x, a = self.n, self.gamma, self.x, self.a
        decay = math.exp(-gamma * within_aht)
        y = x * decay
        shift = x * -math.expm1(-gamma * within_aht) - n * within_aht  # log of e^{x(1−e^{−γt}) − n t}
        log_a1_y = _log_kummer(a + 1.0, y)
        log_a1_x = _log_kummer(a + 1.0, x)
        weight = math.log(n / (n + gamma))
        reached_by_t = math.exp(weight + log_a1_x - self.log_norm) - math.exp(
            weight + shift - gamma * within_aht + log_a1_y - self.log_norm)
        answered = math.exp(self.log_idle - self.log_norm) + max(0.0, reached_by_t)
        still_waiting = math.exp(-gamma * within_aht + shift + _log_kummer(a, y) - self.log_norm)
        return answered / (answered + still_waiting)

    def asa(self) -> float:
        """Mean wait of answered contacts (those answered at once count as 0), in units of AHT."""
        n, gamma = self.n, self.gamma
        log_m1, slope = _kummer_with_slope(self.a + 1.0, self.x)
        served_after_wait = self._served_after_wait(log_m1)
        waited = served_after_wait * (1.0 / (n + gamma) + slope / gamma)  # E[V·e^{−γV}]
        answered = math.exp(self.log_idle - self.log_norm) + served_after_wait
        return waited / answered


# --------------------------------------------------------------------------------------------------------------
# per whole number of agents


def _sl_at(n: int, load: float, within_aht: float, gamma: float | None) -> float:
    if n <= 0:
        return 0.0
    if gamma is None:
        return _service_level_c(n, load, within_aht, _erlang_c(n, load))
    model = _ErlangA.build(n, load, gamma)
    return 1.0 if model is None else model.service_level(within_aht)


def _asa_at(n: int, load: float, gamma: float | None) -> float:
    if n <= 0:
        return math.inf
    if gamma is None:
        return _asa_c(n, load, _erlang_c(n, load))
    model = _ErlangA.build(n, load, gamma)
    return 0.0 if model is None else model.asa()


def _pw_at(n: int, load: float, gamma: float | None) -> float:
    if n <= 0:
        return 1.0
    if gamma is None:
        return _erlang_c(n, load)
    model = _ErlangA.build(n, load, gamma)
    return 0.0 if model is None else model.probability_of_wait()


# --------------------------------------------------------------------------------------------------------------
# public API


def service_level(*, agents: float, volume: float, aht_seconds: float, interval_seconds: float,
                  answer_within_seconds: float, patience_seconds: float | None = None) -> float:
    """Share of contacts answered within `answer_within_seconds`.

    Erlang C (no patience): 1 − C·exp(−(n − A)·t/AHT), and 0 when n ≤ A (the queue grows without bound).
    Erlang A (patience given): answered within t / (offered − abandoned before t): contacts that hang up
    before t are excluded from the denominator (the usual contact-centre convention); contacts that hang up
    after t count as not answered in time. Zero volume gives 1.0.
    """
    load = _offered_load(volume, aht_seconds, interval_seconds)
    within = _check_finite("answer_within_seconds", answer_within_seconds)
    gamma = _patience_ratio(patience_seconds, aht_seconds)
    if load == 0.0:
        _check_finite("agents", agents)
        return 1.0
    return _interpolated(lambda n: _sl_at(n, load, within / aht_seconds, gamma), agents)


def asa(*, agents: float, volume: float, aht_seconds: float, interval_seconds: float,
        patience_seconds: float | None = None) -> float:
    """Average speed of answer in seconds.

    Erlang C: C·AHT/(n − A), averaged over all contacts; infinite when n ≤ A. Erlang A: the mean wait of the
    contacts that are answered (abandoned contacts excluded). Zero volume gives 0.0; zero agents infinity.
    """
    load = _offered_load(volume, aht_seconds, interval_seconds)
    gamma = _patience_ratio(patience_seconds, aht_seconds)
    if load == 0.0:
        _check_finite("agents", agents)
        return 0.0
    return _interpolated(lambda n: _asa_at(n, load, gamma) * aht_seconds, agents)


def probability_of_wait(*, agents: float, volume: float, aht_seconds: float, interval_seconds: float,
                        patience_seconds: float | None = None) -> float:
    """Probability that a contact finds every agent busy (Erlang C's C(n, A); 1 when n ≤ A; for Erlang A the
    chain's Σ_{j≥n} π(j)). Zero volume gives 0.0."""
    load = _offered_load(volume, aht_seconds, interval_seconds)
    gamma = _patience_ratio(patience_seconds, aht_seconds)
    if load == 0.0:
        _check_finite("agents", agents)
        return 0.0
    return _interpolated(lambda n: _pw_at(n, load, gamma), agents)


def abandonment_probability(*, agents: float, volume: float, aht_seconds: float, interval_seconds: float,
                            patience_seconds: float) -> float:
    """Erlang A: probability that a contact hangs up before being answered (= θ·E[queue]/λ)."""
    load = _offered_load(volume, aht_seconds, interval_seconds)
    gamma = _patience_ratio(patience_seconds, aht_seconds)
    if load == 0.0 or gamma is None:
        _check_finite("agents", agents)
        return 0.0

    def at(n: int) -> float:
        if n <= 0:
            return 1.0
        model = _ErlangA.build(n, load, gamma)
        return 0.0 if model is None else model.abandonment()

    return _interpolated(at, agents)


def occupancy(*, agents: float, volume: float, aht_seconds: float, interval_seconds: float) -> float:
    """Offered load per agent, A/n, capped at 1 (agents may be fractional). Zero volume gives 0.0, zero agents
    with work 1.0 (saturated)."""
    load = _offered_load(volume, aht_seconds, interval_seconds)
    agents = _check_finite("agents", agents)
    if load == 0.0:
        return 0.0
    if agents == 0.0:
        return 1.0
    return min(1.0, load / agents)


# --------------------------------------------------------------------------------------------------------------
# agents needed


@dataclass(frozen=True)
class _Targets:
    service_level: float
    within_aht: float
    max_asa_aht: float | None

    def met(self, sl: float, asa_aht: float) -> bool:
        if sl < self.service_level - _TOLERANCE:
            return False
        return self.max_asa_aht is None or asa_aht <= self.max_asa_aht * (1.0 + _TOLERANCE)


def _targets(service_level: float, answer_within_seconds: float, max_occupancy: float,
             max_asa_seconds: float | None, aht_seconds: float) -> tuple[_Targets, float]:
    """Validated targets (times in units of AHT) and the occupancy cap; raises if a target is impossible."""
    target = float(service_level)
    within = _check_finite("answer_within_seconds", answer_within_seconds)
    if math.isnan(target) or target > 1.0 or (target >= 1.0 and not math.isinf(within)):
        raise UnreachableTargetError(
            f"a service level of {target:.4g} within {within:g} s cannot be met: some contacts always wait")
    cap = float(max_occupancy)
    if math.isnan(cap) or cap <= 0.0:
        raise UnreachableTargetError(f"a maximum occupancy of {cap!r} cannot be met with work to do")
    asa_cap: float | None = None
    if max_asa_seconds is not None:
        if math.isnan(max_asa_seconds) or max_asa_seconds <= 0.0:
            raise UnreachableTargetError(f"an ASA of at most {max_asa_seconds!r} s cannot be met with work to do")
        asa_cap = max_asa_seconds / aht_seconds
    return _Targets(target, within / aht_seconds, asa_cap), min(cap, 1.0)


def _search_erlang_c(load: float, start: int, limit: int, targets: _Targets) -> int | None:
    """Step n upwards from `start` (> A), carrying the Erlang B recursion along: O(1) per step."""
    b = _erlang_b(start, load)
    for n in range(start, limit + 1):
        if n > start:
            b = load * b / (n + load * b)
        wait = _erlang_c_from_b(n, load, b)
        asa_aht = _asa_c(n, load, wait) if targets.max_asa_aht is not None else 0.0
        if targets.met(_service_level_c(n, load, targets.within_aht, wait), asa_aht):
            return n
    return None


def _meets_erlang_a(n: int, load: float, gamma: float, targets: _Targets) -> bool:
    model = _ErlangA.build(n, load, gamma)
    if model is None:
        return True
    asa_aht = model.asa() if targets.max_asa_aht is not None else 0.0
    return targets.met(model.service_level(targets.within_aht), asa_aht)


def _search_monotone(meets: Callable[[int], bool], start: int, limit: int) -> int | None:
    """Smallest n in [start, limit] with meets(n), for a monotone predicate: gallop up, then bisect."""
    if meets(start):
        return start
    low, step = start, 1  # meets(low) is False
    while True:
        high = min(low + step, limit)
        if meets(high):
            break
        if high == limit:
            return None
        low, step = high, step * 2
    while high - low > 1:
        mid = (low + high) // 2
        if meets(mid):
            high = mid
        else:
            low = mid
    return high


def agents_needed(*, volume: float, aht_seconds: float, interval_seconds: float, service_level: float,
                  answer_within_seconds: float, max_occupancy: float = 1.0, patience_seconds: float | None = None,
                  max_asa_seconds: float | None = None) -> int:
    """Smallest whole number of agents meeting every target: the service level, occupancy A/n ≤ max_occupancy
    and, when given, ASA ≤ max_asa_seconds. Zero volume needs 0 agents.

    The search starts at max(⌈A⌉, ⌈A/max_occupancy⌉) — one more than ⌊A⌋ for Erlang C, which needs n > A —
    and steps up (Erlang C, O(1) per step) or gallops and bisects (Erlang A; every target is monotone in n).
    Raises UnreachableTargetError for impossible targets (service level ≥ 1 within a finite time, occupancy
    cap ≤ 0, ASA cap ≤ 0) or when no staffing up to 10·A + 1000 agents meets them.
    """
    load = _offered_load(volume, aht_seconds, interval_seconds)
    if load == 0.0:
        return 0
    gamma = _patience_ratio(patience_seconds, aht_seconds)
    targets, cap = _targets(service_level, answer_within_seconds, max_occupancy, max_asa_seconds, aht_seconds)
    start = max(1, math.ceil(load - 1e-9), math.ceil(load / cap - 1e-9))
    if gamma is None:
        start = max(start, math.floor(load) + 1)
    limit = start + math.ceil(10.0 * load) + 1000
    if gamma is None:
        found = _search_erlang_c(load, start, limit, targets)
    else:
        found = _search_monotone(lambda n: _meets_erlang_a(n, load, gamma, targets), start, limit)
    if found is None:
        raise UnreachableTargetError(
            f"no staffing up to {limit} agents meets a service level of {targets.service_level:.4g} within "
            f"{answer_within_seconds:g} s (load {load:.4g} Erlangs, ASA cap {max_asa_seconds})")
    return found
