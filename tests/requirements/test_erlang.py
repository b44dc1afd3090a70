"""Erlang C/A against textbook sums, a brute-force birth–death chain and the worked values in REFERENCE.md."""

from __future__ import annotations

import itertools
import math
import time
from fractions import Fraction

import pytest

from staffplan.requirements import erlang
from staffplan.requirements.erlang import UnreachableTargetError

HALF_HOUR = 1800


def _at_load(load: float) -> dict[str, float]:
    """Keyword arguments giving exactly `load` Erlangs (AHT = interval, so volume = load)."""
    return {"volume": load, "aht_seconds": HALF_HOUR, "interval_seconds": HALF_HOUR}


# --------------------------------------------------------------------------------------------------------------
# textbook Erlang C by direct summation


def erlang_c_exact(n: int, load: Fraction) -> Fraction:
    """C(n, A) = (A^n/n!·n/(n−A)) / (Σ_{k<n} A^k/k! + A^n/n!·n/(n−A)), in exact rational arithmetic."""
    terms = [Fraction(1)]
    for k in range(1, n + 1):
        terms.append(terms[-1] * load / k)
    tail = terms[n] * n / (n - load)
    return tail / (sum(terms[:n]) + tail)


def erlang_c_log_space(n: int, load: float) -> float:
    """The same sum in log space with math.fsum, for loads too large for fractions to be quick."""
    logs = [k * math.log(load) - math.lgamma(k + 1) for k in range(n)]
    log_tail = n * math.log(load) - math.lgamma(n + 1) + math.log(n / (n - load))
    top = max([*logs, log_tail])
    tail = math.exp(log_tail - top)
    return tail / (math.fsum(math.exp(v - top) for v in logs) + tail)


@pytest.mark.parametrize("load", [Fraction(1, 2), Fraction(1), Fraction(5, 2), Fraction(10), Fraction(48),
                                  Fraction(199, 2), Fraction(300)])
def test_erlang_c_matches_direct_summation(load: Fraction) -> None:
    a = float(load)
    for n in range(math.floor(a) + 1, math.floor(a + 4 * math.sqrt(a) + 6)):
        expected = float(erlang_c_exact(n, load))
        got = erlang.probability_of_wait(agents=n, **_at_load(a))
        assert got == pytest.approx(expected, rel=1e-11, abs=1e-300), (a, n)


@pytest.mark.parametrize("load", [833.25, 2000.0, 2500.5])
def test_erlang_c_matches_log_space_sum_at_large_loads(load: float) -> None:
    for n in range(math.floor(load) + 1, math.floor(load + 3 * math.sqrt(load)), 7):
        assert erlang.probability_of_wait(agents=n, **_at_load(load)) == pytest.approx(
            erlang_c_log_space(n, load), rel=1e-9)


def test_service_level_and_asa_follow_the_reference_formulas() -> None:
    load, n, within = Fraction(48), 55, 15.0
    wait = float(erlang_c_exact(n, load))
    kwargs = {"volume": 360, "aht_seconds": 240, "interval_seconds": HALF_HOUR}
    assert erlang.service_level(agents=n, answer_within_seconds=within, **kwargs) == pytest.approx(
        1 - wait * math.exp(-(n - 48) * within / 240), rel=1e-12)
    assert erlang.asa(agents=n, **kwargs) == pytest.approx(wait * 240 / (n - 48), rel=1e-12)


# --------------------------------------------------------------------------------------------------------------
# worked values (REFERENCE.md)

CALLS = {"volume": 360, "aht_seconds": 240, "interval_seconds": HALF_HOUR}


def test_reference_worked_example_360_calls() -> None:
    assert erlang.agents_needed(service_level=0.8, answer_within_seconds=15, **CALLS) == 55
    assert erlang.service_level(agents=55, answer_within_seconds=15, **CALLS) == pytest.approx(0.846, abs=5e-4)
    assert erlang.asa(agents=55, **CALLS) == pytest.approx(8.2, abs=0.05)
    assert erlang.occupancy(agents=55, **CALLS) == pytest.approx(0.873, abs=5e-4)
    assert erlang.service_level(agents=54, answer_within_seconds=15, **CALLS) == pytest.approx(0.793, abs=5e-4)


def test_reference_worked_example_100_calls() -> None:
    kwargs = {"volume": 100, "aht_seconds": 180, "interval_seconds": HALF_HOUR}
    assert erlang.agents_needed(service_level=0.8, answer_within_seconds=20, **kwargs) == 14
    assert erlang.service_level(agents=14, answer_within_seconds=20, **kwargs) == pytest.approx(0.88835, abs=5e-6)
    assert erlang.probability_of_wait(agents=14, **kwargs) == pytest.approx(0.17413, abs=5e-6)
    assert erlang.service_level(agents=13, answer_within_seconds=20, **kwargs) < 0.8


def test_occupancy_cap_and_asa_cap_raise_the_requirement() -> None:
    base = {"service_level": 0.8, "answer_within_seconds": 15, **CALLS}
    assert erlang.agents_needed(max_occupancy=0.85, **base) == 57  # 48 / 0.85 = 56.5
    assert erlang.agents_needed(max_occupancy=0.8, **base) == 60  # exactly 48 / 0.8
    needed = erlang.agents_needed(max_asa_seconds=3.0, **base)
    assert erlang.asa(agents=needed, **CALLS) <= 3.0 < erlang.asa(agents=needed - 1, **CALLS)


# --------------------------------------------------------------------------------------------------------------
# edge cases


def test_zero_volume() -> None:
    zero = {"volume": 0.0, "aht_seconds": 240, "interval_seconds": HALF_HOUR}
    assert erlang.agents_needed(service_level=0.8, answer_within_seconds=15, **zero) == 0
    assert erlang.agents_needed(service_level=0.8, answer_within_seconds=15, patience_seconds=60, **zero) == 0
    assert erlang.service_level(agents=0, answer_within_seconds=15, **zero) == 1.0
    assert erlang.asa(agents=3, **zero) == 0.0
    assert erlang.probability_of_wait(agents=3, **zero) == 0.0
    assert erlang.occupancy(agents=3, **zero) == 0.0


def test_understaffed_erlang_c() -> None:
    assert erlang.service_level(agents=48, answer_within_seconds=15, **CALLS) == 0.0
    assert erlang.asa(agents=40, **CALLS) == math.inf
    assert erlang.probability_of_wait(agents=48, **CALLS) == 1.0
    assert erlang.occupancy(agents=40, **CALLS) == 1.0
    assert erlang.service_level(agents=0, answer_within_seconds=15, **CALLS) == 0.0


def test_fractional_agents_interpolate_linearly() -> None:
    low = erlang.service_level(agents=54, answer_within_seconds=15, **CALLS)
    high = erlang.service_level(agents=55, answer_within_seconds=15, **CALLS)
    assert erlang.service_level(agents=54.25, answer_within_seconds=15, **CALLS) == pytest.approx(
        low + 0.25 * (high - low), rel=1e-12)
    assert erlang.asa(agents=48.5, **CALLS) == math.inf  # the floor is unstable
    assert erlang.service_level(agents=55.0, answer_within_seconds=15, **CALLS) == high


@pytest.mark.parametrize("targets", [
    {"service_level": 1.0},
    {"service_level": 0.8, "max_occupancy": 0.0},
    {"service_level": 0.8, "max_asa_seconds": 0.0},
])
def test_unreachable_targets_raise(targets: dict[str, float]) -> None:
    with pytest.raises(UnreachableTargetError):
        erlang.agents_needed(answer_within_seconds=15, **CALLS, **targets)
    with pytest.raises(ValueError):  # it is a ValueError for callers that catch those
        erlang.agents_needed(answer_within_seconds=15, patience_seconds=60, **CALLS, **targets)


def test_invalid_inputs_raise_value_error() -> None:
    with pytest.raises(ValueError):
        erlang.service_level(agents=-1, answer_within_seconds=15, **CALLS)
    with pytest.raises(ValueError):
        erlang.asa(agents=5, volume=-1, aht_seconds=240, interval_seconds=HALF_HOUR)
    with pytest.raises(ValueError):
        erlang.probability_of_wait(agents=5, volume=1, aht_seconds=240, interval_seconds=0)


# --------------------------------------------------------------------------------------------------------------
# large loads


def test_large_load_is_fast_and_consistent() -> None:
    kwargs = {"volume": 5000, "aht_seconds": 300, "interval_seconds": HALF_HOUR}
    started = time.perf_counter()
    needed = erlang.agents_needed(service_level=0.8, answer_within_seconds=20, **kwargs)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.05
    assert needed > 5000 * 300 / HALF_HOUR
    assert erlang.service_level(agents=needed, answer_within_seconds=20, **kwargs) >= 0.8
    assert erlang.service_level(agents=needed - 1, answer_within_seconds=20, **kwargs) < 0.8
    load = 5000 * 300 / HALF_HOUR
    assert erlang.probability_of_wait(agents=needed, **kwargs) == pytest.approx(
        erlang_c_log_space(needed, load), rel=1e-9)


def test_thousands_of_erlangs_average_well_under_a_millisecond() -> None:
    volumes = [12_000 + 37 * i for i in range(40)]  # ~2000–2250 Erlangs at AHT 300 s
    started = time.perf_counter()
    results = [erlang.agents_needed(volume=v, aht_seconds=300, interval_seconds=HALF_HOUR, service_level=0.9,
                                    answer_within_seconds=30) for v in volumes]
    average = (time.perf_counter() - started) / len(volumes)
    assert average < 1e-3
    assert results == sorted(results)
    assert all(v * 300 / HALF_HOUR < n < v * 300 / HALF_HOUR * 1.05 for v, n in zip(volumes, results, strict=True))


# --------------------------------------------------------------------------------------------------------------
# monotonicity


@pytest.mark.parametrize("patience", [None, 45.0, 300.0])
def test_measures_are_monotone_in_agents(patience: float | None) -> None:
    sl = [erlang.service_level(agents=n, answer_within_seconds=15, patience_seconds=patience, **CALLS)
          for n in range(1, 80)]
    asa = [erlang.asa(agents=n, patience_seconds=patience, **CALLS) for n in range(1, 80)]
    pw = [erlang.probability_of_wait(agents=n, patience_seconds=patience, **CALLS) for n in range(1, 80)]
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(sl))
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(asa))
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(pw))
    assert sl[-1] > 0.999 and pw[-1] < 0.01
    assert sl[9] < 0.05  # 10 agents for 48 Erlangs


# --------------------------------------------------------------------------------------------------------------
# Erlang A


def _chain(n: int, load: float, gamma: float) -> tuple[list[float], list[float]]:
    """Brute-force stationary distribution of M/M/n+M (time in AHT units): idle states j < n, then waiting
    states k = 0, 1, ... (k already waiting), truncated when negligible."""
    logs = [j * math.log(load) - math.lgamma(j + 1) for j in range(n + 1)]
    k = 0
    while True:
        k += 1
        logs.append(logs[-1] + math.log(load / (n + k * gamma)))
        if k > (load - n) / gamma + 10 and logs[-1] < max(logs) - 60:
            break
    top = max(logs)
    weights = [math.exp(v - top) for v in logs]
    total = math.fsum(weights)
    probs = [w / total for w in weights]
    return probs[:n], probs[n:]


def _brute_erlang_a(n: int, load: float, gamma: float, t: float) -> dict[str, float]:
    idle, waiting = _chain(n, load, gamma)
    pw = math.fsum(waiting)
    # P(V > t) by uniformisation of the pure-death chain of contacts ahead (rates n + jγ)
    rate = n + len(waiting) * gamma
    state, survive, poisson, step = list(waiting), 0.0, math.exp(-rate * t), 0
    while step < rate * t + 40 * math.sqrt(rate * t + 1) + 40:
        survive += poisson * math.fsum(state)
        new = [0.0] * len(state)
        for j, p in enumerate(state):
            move = (n + j * gamma) / rate
            new[j] += p * (1 - move)
            if j > 0:
                new[j - 1] += p * move
        state = new
        step += 1
        poisson *= rate * t / step
    # answered after waiting: P(reached before own patience) = n/(n + (k+1)γ) for k ahead; and its mean wait
    reached = math.fsum(p * n / (n + (k + 1) * gamma) for k, p in enumerate(waiting))
    mean_wait = 0.0
    for k, p in enumerate(waiting):
        # E[V·1{served}] for k ahead by the first-step recursion over positions j = k .. 0
        h, g = 1.0, 0.0  # h: P(served | position j), g: E[time·1{served} | position j]
        for j in range(0, k + 1):
            r = n + j * gamma
            h_new = r / (r + gamma) * (h if j > 0 else 1.0)
            g = (h_new / (r + gamma)) + (r / (r + gamma)) * (g if j > 0 else 0.0)
            h = h_new
        mean_wait += p * g
    queue = math.fsum(k * p for k, p in enumerate(waiting))
    return {"pw": pw, "survive": survive, "reached": reached, "idle": math.fsum(idle),
            "answered_wait_time": mean_wait, "queue": queue}


@pytest.mark.parametrize(("n", "load", "patience"), [
    (5, 4.0, 300.0), (12, 10.0, 60.0), (10, 10.0, 600.0), (55, 48.0, 120.0), (40, 48.0, 480.0),
    (20, 30.0, 90.0), (3, 0.4, 30.0), (40, 48.0, 60.0), (200, 260.0, 1200.0),
])
def test_erlang_a_matches_brute_force_chain(n: int, load: float, patience: float) -> None:
    aht, within = 240.0, 20.0
    gamma, t = aht / patience, within / aht
    brute = _brute_erlang_a(n, load, gamma, t)
    kwargs = {"volume": load * HALF_HOUR / aht, "aht_seconds": aht, "interval_seconds": HALF_HOUR,
              "patience_seconds": patience}
    assert erlang.probability_of_wait(agents=n, **kwargs) == pytest.approx(brute["pw"], rel=1e-9)
    # SL: answered within t / (offered − abandoned before t)
    still_waiting = math.exp(-gamma * t) * brute["survive"]
    abandoned_before_t = _abandoned_before(n, gamma, t, kwargs, brute)
    expected_sl = 1 - still_waiting / (1 - abandoned_before_t)
    assert erlang.service_level(agents=n, answer_within_seconds=within, **kwargs) == pytest.approx(
        expected_sl, rel=1e-7)
    answered = brute["idle"] + brute["reached"]
    assert erlang.asa(agents=n, **kwargs) == pytest.approx(aht * brute["answered_wait_time"] / answered, rel=1e-6)
    # REFERENCE.md: P(abandon) = θ·E[queue]/λ  (= γ·E[queue]/A in AHT units)
    assert erlang.abandonment_probability(agents=n, **kwargs) == pytest.approx(gamma * brute["queue"] / load,
                                                                                rel=1e-7)
    assert erlang.abandonment_probability(agents=n, **kwargs) == pytest.approx(brute["pw"] - brute["reached"],
                                                                                rel=1e-7, abs=1e-12)


def _abandoned_before(n: int, gamma: float, t: float, kwargs: dict[str, float], brute: dict[str, float]) -> float:
    """P(hang up before t, unanswered) = P(wait) − P(answered after waiting, by t) − P(still waiting at t),
    with P(answered by t | wait) from the brute-force tagged chain."""
    answered_wait_by_t = _answered_by(n, gamma, t, kwargs)
    return brute["pw"] - answered_wait_by_t - math.exp(-gamma * t) * brute["survive"]


def _answered_by(n: int, gamma: float, t: float, kwargs: dict[str, float]) -> float:
    """P(wait, then answered by t) by uniformising the tagged contact's chain (positions + answered + gone)."""
    load = kwargs["volume"] * kwargs["aht_seconds"] / kwargs["interval_seconds"]
    _, waiting = _chain(n, load, gamma)
    size = len(waiting)
    rate = n + size * gamma + gamma
    state, answered = list(waiting), 0.0
    poisson, step, absorbed_answered = math.exp(-rate * t), 0, 0.0
    while step < rate * t + 40 * math.sqrt(rate * t + 1) + 40:
        # answered mass after `step` jumps, weighted by P(at least step jumps by t) via the running sum
        answered += poisson * absorbed_answered
        new = [0.0] * size
        for j, p in enumerate(state):
            move, quit_ = (n + j * gamma) / rate, gamma / rate
            new[j] += p * (1 - move - quit_)
            if j == 0:
                absorbed_answered += p * move
            else:
                new[j - 1] += p * move
        state = new
        step += 1
        poisson *= rate * t / step
    return answered


def test_erlang_a_converges_to_erlang_c_for_infinite_patience() -> None:
    for n in (50, 55, 60):
        c_sl = erlang.service_level(agents=n, answer_within_seconds=15, **CALLS)
        a_sl = erlang.service_level(agents=n, answer_within_seconds=15, patience_seconds=1e11, **CALLS)
        assert a_sl == pytest.approx(c_sl, rel=1e-7)
        assert erlang.probability_of_wait(agents=n, patience_seconds=1e11, **CALLS) == pytest.approx(
            erlang.probability_of_wait(agents=n, **CALLS), rel=1e-7)
        assert erlang.asa(agents=n, patience_seconds=1e11, **CALLS) == pytest.approx(
            erlang.asa(agents=n, **CALLS), rel=1e-6)
    assert erlang.agents_needed(service_level=0.8, answer_within_seconds=15, patience_seconds=1e9, **CALLS) == 55
    assert erlang.service_level(agents=55, answer_within_seconds=15, patience_seconds=math.inf, **CALLS) == \
        erlang.service_level(agents=55, answer_within_seconds=15, **CALLS)
    # the gap to Erlang C is positive and shrinks like 1/patience (abandonment rate θ = 1/patience)
    c_sl = erlang.service_level(agents=55, answer_within_seconds=15, **CALLS)
    gaps = [erlang.service_level(agents=55, answer_within_seconds=15, patience_seconds=p, **CALLS) - c_sl
            for p in (1e6, 1e7, 1e8)]
    assert all(g > 0 for g in gaps)
    assert gaps[0] / gaps[1] == pytest.approx(10, rel=0.01) and gaps[1] / gaps[2] == pytest.approx(10, rel=0.01)


@pytest.mark.parametrize("volume", [20, 100, 360, 2000])
@pytest.mark.parametrize("patience", [10.0, 60.0, 180.0, 900.0])
def test_erlang_a_needs_no_more_agents_than_erlang_c(volume: int, patience: float) -> None:
    for target, within in ((0.8, 20.0), (0.95, 60.0), (0.6, 5.0)):
        common = {"volume": volume, "aht_seconds": 300, "interval_seconds": HALF_HOUR, "service_level": target,
                  "answer_within_seconds": within}
        c_agents = erlang.agents_needed(**common)
        a_agents = erlang.agents_needed(patience_seconds=patience, **common)
        assert a_agents <= c_agents
        assert a_agents >= math.ceil(volume * 300 / HALF_HOUR - 1e-9)


def test_erlang_a_agents_needed_is_the_smallest_meeting_the_target() -> None:
    kwargs = {"volume": 900, "aht_seconds": 300, "interval_seconds": HALF_HOUR, "patience_seconds": 120.0}
    needed = erlang.agents_needed(service_level=0.9, answer_within_seconds=30, max_asa_seconds=4.0, **kwargs)
    sl = erlang.service_level(agents=needed, answer_within_seconds=30, **kwargs)
    assert sl >= 0.9 and erlang.asa(agents=needed, **kwargs) <= 4.0
    before = needed - 1
    assert (erlang.service_level(agents=before, answer_within_seconds=30, **kwargs) < 0.9
            or erlang.asa(agents=before, **kwargs) > 4.0 or before < 150)


def test_erlang_a_overloaded_is_defined() -> None:
    kwargs = {"volume": 360, "aht_seconds": 240, "interval_seconds": HALF_HOUR, "patience_seconds": 60.0}
    sl_40 = erlang.service_level(agents=40, answer_within_seconds=15, **kwargs)
    assert 0.0 < sl_40 < erlang.service_level(agents=48, answer_within_seconds=15, **kwargs)
    assert 0.0 < erlang.asa(agents=40, **kwargs) < 60.0
    assert erlang.probability_of_wait(agents=40, **kwargs) > erlang.probability_of_wait(agents=48, **kwargs) > 0.3
    # 48 Erlangs on 40 agents: at least 8 Erlangs' worth of contacts must abandon
    assert erlang.abandonment_probability(agents=40, **kwargs) >= 8 / 48
