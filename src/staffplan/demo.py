"""Seeded generator of realistic Trust & Safety scenarios (`staffplan demo --size S|M|L|XL`).

A scenario is three texts: the operating model (`model.yaml`), a week's forecast (`forecast.csv`) and a named
roster (`roster.csv`). Sizes follow DESIGN.md:

    size  sites  vendors  languages  queues  agents
    S         1        1          2       3      50
    M         4        3          6       5     500
    L         6        4         12       8   3,000
    XL       12        6         25      12  20,000

How the numbers are made:

- **Volumes** follow each language's local day in its main markets (an evening peak around 21:00, a smaller
  one after lunch, a night trough) and week (weekend uplift), with per-queue shapes (bots keep spam flat,
  self-harm reports peak late at night, appeals in the afternoon), multiplicative noise and one or two
  seeded events (a match night, an election day). Egregious queues (child safety, violent extremism) are
  small, short-deadline, floored at one agent every interval and restricted to wellness-equipped sites.
- **Staffing** is sized from the forecast: an estimate of productive agent-hours per stream (Erlang C for
  realtime queues, the deadline window's moving average for deferred ones, floors included) is spread over
  the pools that may serve it; each pool's roster is 1.3× its share after shrinkage and shift fit, its
  `max_headcount` 10 % above the roster, seats 55 % of the site's headcount, BPO contract minimums 60 % of
  the expected FTE and maximums 120 %. The volume scale is calibrated so the roster lands near the size's
  agent count.

Only `random.Random(seed)` draws numbers and every value is written with a fixed format, so the same size,
seed and week give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from staffplan.atomic import write_text_atomic

SIZES = ("S", "M", "L", "XL")
DEFAULT_WEEK = dt.date(2026, 11, 30)  # a Monday, so output never depends on today's date
INTERVAL_MINUTES = 30
SLOTS_PER_DAY = 24 * 60 // INTERVAL_MINUTES
NUM_SLOTS = 7 * SLOTS_PER_DAY
SLOT_HOURS = INTERVAL_MINUTES / 60

ROSTER_HEADER = ("agent_id", "site", "pool", "languages", "queues", "contract_hours", "night_work",
                 "available_days", "leave_dates", "preferred_start")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# --------------------------------------------------------------------------------------------------------------
# Catalogue: languages, queues, vendors, sites, shift templates, custom labor packs.
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    id: str
    share: float  # relative report volume across the platform
    markets: tuple[tuple[str, float], ...]  # (IANA zone, weight) of the users writing in it


LANGUAGES: dict[str, Language] = {lang.id: lang for lang in (
    Language("en", 1.00, (("America/New_York", 0.34), ("America/Los_Angeles", 0.14), ("Europe/London", 0.15),
                          ("Asia/Kolkata", 0.15), ("Asia/Manila", 0.08), ("Australia/Sydney", 0.08),
                          ("Africa/Lagos", 0.06))),
    Language("es", 0.42, (("America/Mexico_City", 0.35), ("America/Bogota", 0.15), ("Europe/Madrid", 0.20),
                          ("America/Argentina/Buenos_Aires", 0.15), ("America/Lima", 0.15))),
    Language("pt-BR", 0.30, (("America/Sao_Paulo", 1.0),)),
    Language("hi", 0.22, (("Asia/Kolkata", 1.0),)),
    Language("id", 0.18, (("Asia/Jakarta", 1.0),)),
    Language("ar", 0.16, (("Asia/Riyadh", 0.5), ("Africa/Cairo", 0.5))),
    Language("fr", 0.12, (("Europe/Paris", 0.8), ("Africa/Abidjan", 0.2))),
    Language("de", 0.10, (("Europe/Berlin", 1.0),)),
    Language("tl", 0.10, (("Asia/Manila", 1.0),)),
    Language("ja", 0.09, (("Asia/Tokyo", 1.0),)),
    Language("tr", 0.08, (("Europe/Istanbul", 1.0),)),
    Language("vi", 0.08, (("Asia/Ho_Chi_Minh", 1.0),)),
    Language("ru", 0.07, (("Europe/Moscow", 1.0),)),
    Language("th", 0.06, (("Asia/Bangkok", 1.0),)),
    Language("ko", 0.05, (("Asia/Seoul", 1.0),)),
    Language("it", 0.05, (("Europe/Rome", 1.0),)),
    Language("pl", 0.04, (("Europe/Warsaw", 1.0),)),
    Language("bn", 0.04, (("Asia/Dhaka", 1.0),)),
    Language("ur", 0.04, (("Asia/Karachi", 1.0),)),
    Language("ta", 0.03, (("Asia/Kolkata", 1.0),)),
    Language("te", 0.03, (("Asia/Kolkata", 1.0),)),
    Language("nl", 0.03, (("Europe/Amsterdam", 1.0),)),
    Language("uk", 0.02, (("Europe/Kyiv", 1.0),)),
    Language("ro", 0.02, (("Europe/Bucharest", 1.0),)),
    Language("sv", 0.015, (("Europe/Stockholm", 1.0),)),
)}


@dataclass(frozen=True)
class QueueSpec:
    id: str
    name: str
    severity: str
    aht_seconds: int
    target: str  # YAML flow mapping
    share: float  # of all reports
    peak_shift_hours: float = 0.0  # this queue's daily peak relative to the language's activity peak
    flat: float = 0.15  # share of volume arriving evenly around the clock (bots, automated flags)
    floor: int = 0
    languages: Sequence[str] | float | None = None  # explicit list, a minimum language share, or every language

    def carries(self, language: str) -> bool:
        if self.languages is None:
            return True
        if isinstance(self.languages, float):
            return LANGUAGES[language].share >= self.languages
        return language in self.languages

    @property
    def realtime(self) -> bool:
        return "realtime" in self.target


# Model order: egregious, sensitive, standard.
QUEUES: dict[str, QueueSpec] = {q.id: q for q in (
    QueueSpec("csam", "Child sexual exploitation", "egregious", 180,
              "{kind: deferred, share: 1.0, within_hours: 2, max_occupancy: 0.85}", 0.004, flat=0.45, floor=1,
              languages=0.11),
    QueueSpec("ve", "Violent extremism and terrorism", "egregious", 150,
              "{kind: deferred, share: 0.99, within_hours: 4, max_occupancy: 0.85}", 0.003, flat=0.35, floor=1,
              languages=("en", "ar", "fr", "de", "es", "tr", "ru", "ur", "id", "hi")),
    QueueSpec("selfharm", "Suicide and self-injury (imminent risk)", "sensitive", 240,
              "{kind: realtime, service_level: 0.9, answer_within_seconds: 300, max_occupancy: 0.8}", 0.006,
              peak_shift_hours=2.5),
    QueueSpec("livestream", "Live video", "sensitive", 90,
              "{kind: realtime, service_level: 0.8, answer_within_seconds: 60, max_occupancy: 0.8, "
              "patience_seconds: 180}", 0.02, peak_shift_hours=0.5, flat=0.05, languages=0.05),
    QueueSpec("civic", "Civic integrity and misinformation", "sensitive", 240,
              "{kind: deferred, share: 0.9, within_hours: 6}", 0.03, languages=0.04),
    QueueSpec("graphic", "Graphic violence", "sensitive", 60,
              "{kind: deferred, share: 0.95, within_hours: 12}", 0.04),
    QueueSpec("hate", "Hate speech and harassment", "standard", 75,
              "{kind: deferred, share: 0.9, within_hours: 24}", 0.20),
    QueueSpec("nudity", "Adult nudity and sexual content", "standard", 35,
              "{kind: deferred, share: 0.9, within_hours: 24}", 0.14),
    QueueSpec("fraud", "Fraud and scams", "standard", 90,
              "{kind: deferred, share: 0.9, within_hours: 24}", 0.08, flat=0.3),
    QueueSpec("spam", "Spam and fake accounts", "standard", 25,
              "{kind: deferred, share: 0.95, within_hours: 24}", 0.36, flat=0.55),
    QueueSpec("ip", "Intellectual property", "standard", 300,
              "{kind: deferred, share: 0.95, within_hours: 48}", 0.015, peak_shift_hours=-6.0, flat=0.3,
              languages=("en", "es", "pt-BR", "fr", "de", "ja", "ko", "it")),
    QueueSpec("appeals", "User appeals", "standard", 150,
              "{kind: deferred, share: 0.95, within_hours: 72}", 0.05, peak_shift_hours=-6.0, flat=0.4),
)}


@dataclass(frozen=True)
class VendorSpec:
    id: str
    name: str
    kind: str  # "in-house" or "bpo"


VENDORS: dict[str, VendorSpec] = {v.id: v for v in (
    VendorSpec("inhouse", "In-house Trust & Safety", "in-house"),
    VendorSpec("lumen", "Lumen Global Services", "bpo"),
    VendorSpec("andes", "Andes Contact Partners", "bpo"),
    VendorSpec("rheinwerk", "Rheinwerk Digital Services", "bpo"),
    VendorSpec("meridian", "Meridian Review Co.", "bpo"),
    VendorSpec("atlantica", "Atlantica Moderation", "bpo"),
)}


@dataclass(frozen=True)
class SiteSpec:
    id: str
    name: str
    timezone: str
    vendor: str
    labor_rules: str
    hourly_cost: float  # loaded USD per paid hour
    shrinkage: float
    languages: tuple[str, ...]  # pools are formed per language, in this order
    common: tuple[str, ...]  # languages every agent at the site also works in
    egregious: tuple[str, ...] = ()  # languages with an egregious-trained pool (wellness programme on site)


SITES: dict[str, SiteSpec] = {s.id: s for s in (
    SiteSpec("DUB", "Dublin", "Europe/Dublin", "inhouse", "ireland", 36.0, 0.34,
             ("en", "de", "fr", "it", "nl", "sv", "pl", "ar", "tr", "ru", "uk", "ro"), ("en",),
             ("en", "de", "fr", "it", "nl", "sv", "pl", "ar", "tr", "ru", "uk", "ro")),
    SiteSpec("BER", "Berlin", "Europe/Berlin", "rheinwerk", "germany", 33.0, 0.33,
             ("de", "pl", "tr", "ar", "it", "nl"), ("de", "en"), ("de", "tr", "ar")),
    SiteSpec("LIS", "Lisbon", "Europe/Lisbon", "atlantica", "eu-wtd", 21.0, 0.31,
             ("pt-BR", "es", "fr", "it", "de", "nl"), ("en",)),
    SiteSpec("WAW", "Warsaw", "Europe/Warsaw", "rheinwerk", "eu-wtd", 19.0, 0.31,
             ("pl", "uk", "ru", "ro", "de"), ("en",)),
    SiteSpec("HYD", "Hyderabad", "Asia/Kolkata", "lumen", "india", 8.5, 0.30,
             ("en", "hi", "te", "ta", "ur"), ("en",), ("en", "hi", "ur")),
    SiteSpec("GGN", "Gurugram", "Asia/Kolkata", "meridian", "india", 9.0, 0.30,
             ("en", "hi", "bn", "ur"), ("en", "hi")),
    SiteSpec("MNL", "Manila (Taguig)", "Asia/Manila", "lumen", "philippines", 10.5, 0.32,
             ("en", "tl"), ("en", "tl"), ("en", "tl")),
    SiteSpec("CEB", "Cebu", "Asia/Manila", "lumen", "philippines", 9.5, 0.31, ("en", "tl"), ("en", "tl")),
    SiteSpec("KUL", "Kuala Lumpur", "Asia/Kuala_Lumpur", "meridian", "malaysia", 13.0, 0.31,
             ("id", "th", "vi", "ja", "ko"), ("en",), ("id",)),
    SiteSpec("BOG", "Bogotá", "America/Bogota", "andes", "colombia", 12.0, 0.31,
             ("es", "pt-BR", "en"), ("es",), ("es", "pt-BR")),
    SiteSpec("AUS", "Austin", "America/Chicago", "inhouse", "us-federal", 44.0, 0.33, ("en", "es"), ("en",),
             ("en", "es")),
    SiteSpec("AKL", "Auckland", "Pacific/Auckland", "inhouse", "new-zealand", 33.0, 0.33, ("en",), ("en",),
             ("en",)),
)}


@dataclass(frozen=True)
class TemplateSpec:
    id: str
    paid_hours: float
    meal_minutes: int
    earliest: str
    latest: str
    step: int
    comment: str


TEMPLATES: dict[str, TemplateSpec] = {t.id: t for t in (
    TemplateSpec("day8", 8, 60, "00:00", "23:00", 60, "the standard 8 h + 1 h meal shift, any hour"),
    TemplateSpec("part6", 6, 30, "07:00", "17:00", 60, "daytime part-time shift"),
    TemplateSpec("ten4", 10, 30, "05:00", "12:00", 60, "four tens, where the site offers them"),
)}
TEN_HOUR_SITES = ("AUS", "AKL")

CUSTOM_PACKS: dict[str, str] = {
    "colombia": """\
  - id: colombia
    name: "Colombia (Código Sustantivo del Trabajo, Leyes 2101/2021 y 2466/2025)"
    min_rest_hours: 10  # no statutory daily rest; planning value
    min_days_off_per_week: 1  # descanso obligatorio
    max_consecutive_days: 6
    max_weekly_hours: 42  # Ley 2101: 42 h from 15 July 2026
    max_daily_hours: 10  # 9 h ordinary when spread over 5 days, overtime on top; planning cap
    night_start: "19:00"  # Ley 2466: recargo nocturno from 19:00 (since 25 Dec 2025)
    night_end: "06:00"
    night_premium: 0.35
    weekend_premium: 0.45  # Sunday surcharge 90 % from July 2026, spread over Saturday and Sunday
    overtime_weekly_after_hours: 42
    overtime_multiplier: 1.25
""",
    "new-zealand": """\
  - id: new-zealand
    name: "New Zealand (Employment Relations Act 2000)"
    min_rest_hours: 10  # no statutory daily rest; planning value
    min_days_off_per_week: 1  # planning value
    max_consecutive_days: 6
    max_weekly_hours: 50  # hours over 40 must be agreed (Minimum Wage Act s 11B); planning cap
    max_daily_hours: 12  # planning value
    breaks: [{after_hours: 2, minutes: 10}, {after_hours: 6, minutes: 10}]  # paid rest breaks, s 69ZD
""",
    "malaysia": """\
  - id: malaysia
    name: "Malaysia (Employment Act 1955, as amended 2022)"
    min_rest_hours: 10  # no statutory daily rest; planning value
    min_days_off_per_week: 1
    max_consecutive_days: 6
    max_weekly_hours: 45
    max_daily_hours: 10  # spread-over limit
    overtime_daily_after_hours: 8
    overtime_multiplier: 1.5
    breaks: [{after_hours: 5, minutes: 30}]
""",
}


@dataclass(frozen=True)
class Event:
    queue: str
    languages: tuple[str, ...]  # the first one present in the size is used
    local_weekday: int
    local_hour: int
    slots: int
    multiplier: tuple[float, float]  # drawn uniformly from this range
    description: str


EVENTS = (
    Event("hate", ("es", "pt-BR", "en"), 6, 20, 6, (2.0, 3.0), "derby match night"),
    Event("civic", ("hi", "id", "en"), 2, 9, 20, (2.5, 3.5), "election day"),
)


@dataclass(frozen=True)
class SizeSpec:
    sites: tuple[str, ...]
    languages: tuple[str, ...]
    queues: tuple[str, ...]
    templates: tuple[str, ...]
    agents: int


_S_LANGS = ("en", "tl")
_M_LANGS = ("en", "es", "pt-BR", "hi", "fr", "de")
_L_LANGS = (*_M_LANGS, "tl", "ar", "it", "tr", "pl", "ta")
_XL_LANGS = tuple(LANGUAGES)
SIZE_SPECS: dict[str, SizeSpec] = {
    "S": SizeSpec(("MNL",), _S_LANGS, ("csam", "selfharm", "hate"), ("day8",), 50),
    "M": SizeSpec(("DUB", "HYD", "BOG", "AKL"), _M_LANGS, ("csam", "selfharm", "livestream", "hate", "spam"),
                  ("day8", "part6"), 500),
    "L": SizeSpec(("DUB", "BER", "HYD", "MNL", "BOG", "AKL"), _L_LANGS,
                  ("csam", "ve", "selfharm", "livestream", "hate", "nudity", "spam", "appeals"),
                  ("day8", "part6", "ten4"), 3000),
    "XL": SizeSpec(("DUB", "BER", "LIS", "WAW", "HYD", "GGN", "MNL", "CEB", "KUL", "BOG", "AUS", "AKL"), _XL_LANGS,
                   tuple(QUEUES), ("day8", "part6", "ten4"), 20000),
}

# Sizing parameters (see the module docstring).
SHIFT_FIT = 1.15  # paid hours lost fitting shifts to the demand curve
ROSTER_HEADROOM = 1.3  # roster FTE over the estimated need
MAX_OVER_ROSTER = 1.1  # pool max_headcount over its roster
SEAT_RATIO = 0.55  # seats per agent on the roster
VENDOR_MIN, VENDOR_MAX = 0.6, 1.2  # BPO contract bounds, share of the expected FTE
EGREGIOUS_SHRINKAGE = 0.04  # counselling and group sessions on top of the site's shrinkage
WELLNESS_MINUTES = 30
MAX_EGREGIOUS_HOURS = 4.0


# --------------------------------------------------------------------------------------------------------------
# Public API.
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoScenario:
    size: str
    seed: int
    week_start: dt.date
    model_yaml: str
    forecast_csv: str
    roster_csv: str


def generate(size: str, seed: int = 7, week_start: dt.date | None = None) -> DemoScenario:
    """A complete scenario of the given size; same size, seed and week → identical texts."""
    if size not in SIZE_SPECS:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, not {size!r}")
    week = DEFAULT_WEEK if week_start is None else week_start
    if week.weekday() != 0:
        raise ValueError(f"week start {week.isoformat()} is a {week.strftime('%A')}, not a Monday")
    return _Builder(size, SIZE_SPECS[size], random.Random(seed), week, seed).build()


def write_demo(size: str, out_dir: Path, seed: int = 7, week_start: dt.date | None = None) -> list[Path]:
    """Write `model.yaml`, `forecast.csv` and `roster.csv` into `out_dir`, each atomically."""
    scenario = generate(size, seed, week_start)  # everything is generated before anything is written
    return [
        write_text_atomic(out_dir / "model.yaml", scenario.model_yaml),
        write_text_atomic(out_dir / "forecast.csv", scenario.forecast_csv),
        write_text_atomic(out_dir / "roster.csv", scenario.roster_csv),
    ]


# --------------------------------------------------------------------------------------------------------------
# Demand shapes.
# --------------------------------------------------------------------------------------------------------------


def _bump(hour: float, center: float, width: float) -> float:
    distance = (hour - center + 12.0) % 24.0 - 12.0
    return math.exp(-0.5 * (distance / width) ** 2)


def _activity(hour: float) -> float:
    """Reports by local hour: a night trough, an after-lunch bump and the evening peak around 21:00."""
    return 0.22 + 0.55 * _bump(hour, 13.0, 3.0) + 1.0 * _bump(hour, 21.0, 2.5)


WEEKDAY_FACTOR = (0.96, 0.94, 0.94, 0.97, 1.03, 1.13, 1.16)  # local Monday … Sunday


@cache
def _local_clock(zone: str, week: dt.date) -> tuple[tuple[int, float], ...]:
    """(local weekday, local hour) at the middle of every UTC slot of the week."""
    tz = ZoneInfo(zone)
    start = dt.datetime.combine(week, dt.time(0, 0), tzinfo=dt.UTC)
    half = dt.timedelta(minutes=INTERVAL_MINUTES / 2)
    out = []
    for t in range(NUM_SLOTS):
        local = (start + t * dt.timedelta(minutes=INTERVAL_MINUTES) + half).astimezone(tz)
        out.append((local.weekday(), local.hour + local.minute / 60.0))
    return tuple(out)


@cache
def _zone_shape(zone: str, week: dt.date, shift: float, flat: float) -> tuple[float, ...]:
    mean_activity = sum(_activity(h / 4.0) for h in range(96)) / 96.0
    return tuple((flat + (1.0 - flat) * _activity(hour - shift) / mean_activity) * WEEKDAY_FACTOR[day]
                 for day, hour in _local_clock(zone, week))


def _profile(language: str, queue: QueueSpec, week: dt.date) -> list[float]:
    """Relative arrivals per UTC slot for one stream (mean about 1)."""
    total = [0.0] * NUM_SLOTS
    for zone, weight in LANGUAGES[language].markets:
        shape = _zone_shape(zone, week, queue.peak_shift_hours, queue.flat)
        total = [a + weight * b for a, b in zip(total, shape, strict=True)]
    return total


# --------------------------------------------------------------------------------------------------------------
# Staffing estimates (sizing only; the planner computes the real requirements).
# --------------------------------------------------------------------------------------------------------------


@cache
def _erlang_c_agents(load: float, aht: float, service_level: float, within: float, occupancy: float) -> int:
    """Smallest N meeting the service level and the occupancy cap under Erlang C."""
    if load <= 0:
        return 0
    n = max(1, math.ceil(load / occupancy))
    if n <= load:
        n = math.floor(load) + 1
    blocking = 1.0
    for k in range(1, n + 1):
        blocking = load * blocking / (k + load * blocking)
    while True:
        waiting = n * blocking / (n - load * (1.0 - blocking))
        if 1.0 - waiting * math.exp(-(n - load) * within / aht) >= service_level:
            return n
        n += 1
        blocking = load * blocking / (n + load * blocking)


def _target_numbers(target: str) -> dict[str, float]:
    """The numeric fields of a YAML flow-mapping target string."""
    fields = {}
    for part in target.strip("{}").split(","):
        key, value = (p.strip() for p in part.split(":"))
        if key != "kind":
            fields[key] = float(value)
    return fields


def _stream_hours(queue: QueueSpec, volume: Sequence[float]) -> float:
    """Productive agent-hours a stream needs in the week (floors and Erlang granularity included)."""
    numbers = _target_numbers(queue.target)
    interval_s = INTERVAL_MINUTES * 60
    if queue.realtime:
        need = [max(float(queue.floor), _erlang_c_agents(round(v * queue.aht_seconds / interval_s, 2),
                                                          queue.aht_seconds, numbers["service_level"],
                                                          numbers["answer_within_seconds"],
                                                          numbers.get("max_occupancy", 0.85)))
                if v > 0 else float(queue.floor) for v in volume]
    else:
        occupancy = numbers.get("max_occupancy", 0.9)
        work = [v * queue.aht_seconds / (interval_s * occupancy) for v in volume]
        window = max(1, math.ceil(numbers["within_hours"] * 60 / INTERVAL_MINUTES))
        running = sum(work[-window:])  # cyclic trailing mean over the deadline window
        need = []
        for t, w in enumerate(work):
            running += w - work[t - window]
            need.append(max(float(queue.floor), running / window))
    return sum(need) * SLOT_HOURS


def _ceil_to(value: float, step: int) -> int:
    return math.ceil(value / step - 1e-9) * step


def _floor_to(value: float, step: int) -> int:
    return math.floor(value / step + 1e-9) * step


# --------------------------------------------------------------------------------------------------------------
# The builder.
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pool:
    id: str
    site: SiteSpec
    kind: str  # "egr" (every queue), "gen" (sensitive + standard) or "std" (standard only)
    languages: tuple[str, ...]
    queues: tuple[str, ...]

    @property
    def shrinkage(self) -> float:
        return round(self.site.shrinkage + (EGREGIOUS_SHRINKAGE if self.kind == "egr" else 0.0), 2)


class _Builder:
    def __init__(self, size: str, spec: SizeSpec, rng: random.Random, week: dt.date, seed: int) -> None:
        self.size, self.spec, self.rng, self.week, self.seed = size, spec, rng, week, seed
        self.queues = [QUEUES[q] for q in QUEUES if q in spec.queues]
        self.languages = [lang for lang in LANGUAGES if lang in spec.languages]
        self.sites = [SITES[s] for s in spec.sites]
        self.vendors = [VENDORS[v] for v in VENDORS if any(s.vendor == v for s in self.sites)]
        self.egregious_sites = [s.id for s in self.sites if s.egregious]
        self.streams = [(q, lang) for q in self.queues for lang in self.languages if q.carries(lang)]
        self.pools = self._pools()

    # -- structure ---------------------------------------------------------------------------------------------

    def _pools(self) -> list[_Pool]:
        egregious_q = [q.id for q in self.queues if q.severity == "egregious"]
        other_q = [q.id for q in self.queues if q.severity != "egregious"]
        standard_q = [q.id for q in self.queues if q.severity == "standard"]
        egregious_langs = {lang for q, lang in self.streams if q.severity == "egregious"}
        pools: list[_Pool] = []
        for site in self.sites:
            seen: set[tuple[str, frozenset[str]]] = set()
            for lang in site.languages:
                if lang not in self.languages:
                    continue
                langs = (lang, *(c for c in site.common if c != lang and c in self.languages))
                kinds = []
                if lang in site.egregious and lang in egregious_langs and egregious_q:
                    kinds.append(("egr", (*egregious_q, *other_q)))
                kinds.append(("gen", tuple(other_q)))
                big_bpo = VENDORS[site.vendor].kind == "bpo" and self.size in ("L", "XL")
                if big_bpo and LANGUAGES[lang].share >= 0.1 and len(standard_q) > 1:
                    kinds.append(("std", tuple(standard_q)))
                for kind, queues in kinds:
                    key = (kind, frozenset(langs))
                    if key in seen:
                        continue
                    seen.add(key)
                    pools.append(_Pool(f"{site.id}-{kind}-{lang}", site, kind, langs, queues))
        for queue, lang in self.streams:
            if not any(self._may_serve(p, queue, lang) for p in pools):
                raise AssertionError(f"demo catalogue: nobody serves {queue.id}/{lang} in size {self.size}")
        return pools

    def _may_serve(self, pool: _Pool, queue: QueueSpec, lang: str) -> bool:
        if lang not in pool.languages or queue.id not in pool.queues:
            return False
        return queue.severity != "egregious" or pool.site.id in self.egregious_sites

    def _templates(self, site: SiteSpec) -> list[TemplateSpec]:
        ids = [t for t in self.spec.templates if t != "ten4" or site.id in TEN_HOUR_SITES]
        return [TEMPLATES[t] for t in ids]

    def _productive_share(self, pool: _Pool) -> float:
        share = 1.0 - pool.shrinkage
        if pool.kind == "egr":
            templates = self._templates(pool.site)
            paid_minutes = sum(t.paid_hours for t in templates) / len(templates) * 60
            share *= 1.0 - WELLNESS_MINUTES / paid_minutes
        return share

    def _exposure_ratio(self, pool: _Pool) -> float:
        paid = max(t.paid_hours for t in self._templates(pool.site))
        per_hour = 60 / INTERVAL_MINUTES
        return min(1.0, (MAX_EGREGIOUS_HOURS * per_hour - 1) / (paid * per_hour))

    # -- volumes -----------------------------------------------------------------------------------------------

    def _base_volumes(self) -> list[list[float]]:
        """Volume per stream and slot at scale 1: profile × shares × noise × events."""
        out = []
        for queue, lang in self.streams:
            profile = _profile(lang, queue, self.week)
            weight = LANGUAGES[lang].share * queue.share
            out.append([weight * p * min(1.25, max(0.75, self.rng.gauss(1.0, 0.06))) for p in profile])
        for event in EVENTS:
            keys = [(q.id, x) for q, x in self.streams]
            found = next(((keys.index((event.queue, x)), x) for x in event.languages if (event.queue, x) in keys), None)
            if found is None:
                continue
            index, lang = found
            clock = _local_clock(LANGUAGES[lang].markets[0][0], self.week)
            first = next(t for t, (day, hour) in enumerate(clock)
                         if day == event.local_weekday and int(hour) == event.local_hour)
            factor = self.rng.uniform(*event.multiplier)
            for k in range(event.slots):
                ramp = 1.0 + (factor - 1.0) * math.sin(math.pi * (k + 0.5) / event.slots)
                out[index][(first + k) % NUM_SLOTS] *= ramp
        return out

    # -- sizing ------------------------------------------------------------------------------------------------

    def _pool_need_fte(self, volumes: list[list[float]]) -> dict[str, float]:
        """Expected FTE per pool: each stream's hours spread over the pools that may serve it."""
        egregious_hours = {p.id: 0.0 for p in self.pools}
        other_hours = {p.id: 0.0 for p in self.pools}
        for (queue, lang), volume in zip(self.streams, volumes, strict=True):
            hours = _stream_hours(queue, volume)
            bucket = egregious_hours if queue.severity == "egregious" else other_hours
            for pool, weight in self._split(queue, lang).items():
                bucket[pool.id] += hours * weight
        need = {}
        for pool in self.pools:
            egr, other = egregious_hours[pool.id], other_hours[pool.id]
            productive = max(egr / self._exposure_ratio(pool), egr + other) if egr else other
            need[pool.id] = productive / self._productive_share(pool) * SHIFT_FIT / 40.0
        return need

    def _split(self, queue: QueueSpec, lang: str) -> dict[_Pool, float]:
        """Expected share of a stream per pool: across sites by price and whether the language is a line of
        business there (or only a second language), then across the site's pools by skill profile."""
        by_site: dict[str, list[_Pool]] = {}
        for pool in self.pools:
            if self._may_serve(pool, queue, lang):
                by_site.setdefault(pool.site.id, []).append(pool)
        site_weight = {}
        for site_id, pools in by_site.items():
            native = any(p.languages[0] == lang for p in pools)
            site_weight[site_id] = (20.0 / SITES[site_id].hourly_cost) ** 0.7 * (1.0 if native else 0.15)
        total = sum(site_weight.values())
        shares: dict[_Pool, float] = {}
        for site_id, pools in by_site.items():
            weights = [self._preference(p, queue, lang) for p in pools]
            for pool, weight in zip(pools, weights, strict=True):
                shares[pool] = site_weight[site_id] / total * weight / sum(weights)
        return shares

    @staticmethod
    def _preference(pool: _Pool, queue: QueueSpec, lang: str) -> float:
        kind = {"egr": 1.0 if queue.severity == "egregious" else 0.35, "gen": 1.0, "std": 1.6}[pool.kind]
        return kind * (1.0 if pool.languages[0] == lang else 0.3)

    def _roster_sizes(self, need: dict[str, float]) -> dict[str, int]:
        return {p: max(4, math.ceil(ROSTER_HEADROOM * fte / 0.95)) for p, fte in need.items()}

    def _calibrate(self, base: list[list[float]]) -> float:
        """Volume scale whose staffing estimate lands near the size's agent count."""
        scale = 1000.0
        for _ in range(6):
            volumes = [[v * scale for v in row] for row in base]
            agents = sum(self._roster_sizes(self._pool_need_fte(volumes)).values())
            if abs(agents - self.spec.agents) <= 0.01 * self.spec.agents:
                break
            scale *= self.spec.agents / agents
        return scale

    # -- output ------------------------------------------------------------------------------------------------

    def build(self) -> DemoScenario:
        base = self._base_volumes()
        scale = self._calibrate(base)
        volumes = [[round(v * scale, 2) for v in row] for row in base]
        need = self._pool_need_fte(volumes)
        roster = self._roster_sizes(need)
        return DemoScenario(self.size, self.seed, self.week, self._model_yaml(need, roster),
                            self._forecast_csv(volumes), self._roster_csv(roster))

    def _model_yaml(self, need: dict[str, float], roster: dict[str, int]) -> str:
        spec, lines = self.spec, list[str]()
        add = lines.append
        add(f"# Global Trust & Safety operation: demo scenario {self.size} (seed {self.seed}), "
            "written by `staffplan demo`.")
        add("# Costs are loaded USD per paid hour. Pools: <site>-egr-<lang> are egregious-trained (wellness programme,")
        add("# extra shrinkage for counselling), -gen- work sensitive and standard queues, -std- standard queues only.")
        add(f"name: Global Trust & Safety ({self.size})")
        add(f"week_start: {self.week.isoformat()}")
        add(f"interval_minutes: {INTERVAL_MINUTES}")
        add(f"languages: [{', '.join(self.languages)}]")
        add("")
        add("queues:")
        for q in self.queues:
            add(f"  - id: {q.id}")
            add(f"    name: {_quote(q.name)}")
            add(f"    severity: {q.severity}")
            add(f"    aht_seconds: {q.aht_seconds}")
            add(f"    target: {q.target}")
            if q.floor:
                add(f"    floor: {q.floor}")
            if q.severity == "egregious":
                add(f"    sites: [{', '.join(self.egregious_sites)}]  # sites with a wellness programme")
        add("")
        add("vendors:")
        for v in self.vendors:
            if v.kind == "in-house":
                add(f"  - {{id: {v.id}, name: {_quote(v.name)}, kind: in-house}}")
                continue
            fte = sum(need[p.id] for p in self.pools if p.site.vendor == v.id)
            lo, hi = _floor_to(VENDOR_MIN * fte, 5), _ceil_to(VENDOR_MAX * fte, 5)
            add(f"  - {{id: {v.id}, name: {_quote(v.name)}, kind: bpo, min_fte: {lo}, max_fte: {hi}}}")
        add("")
        add("sites:")
        for site in self.sites:
            pools = [p for p in self.pools if p.site is site]
            heads = sum(roster[p.id] for p in pools)
            add(f"  - id: {site.id}")
            add(f"    name: {_quote(site.name)}")
            add(f"    timezone: {site.timezone}")
            add(f"    vendor: {site.vendor}")
            add(f"    seats: {_ceil_to(SEAT_RATIO * heads, 5)}")
            add(f"    hourly_cost: {site.hourly_cost:.2f}")
            add(f"    shrinkage: {site.shrinkage:.2f}")
            add(f"    labor_rules: {site.labor_rules}")
            templates = self._templates(site)
            if len(templates) < len(spec.templates):
                add(f"    shift_templates: [{', '.join(t.id for t in templates)}]")
            add("    pools:")
            for pool in pools:
                maximum = math.ceil(roster[pool.id] * MAX_OVER_ROSTER)
                minimum = math.floor(0.5 * need[pool.id]) if site.vendor == "inhouse" and pool.kind == "egr" else 0
                add(f"      - id: {pool.id}")
                add(f"        languages: [{', '.join(pool.languages)}]")
                add(f"        queues: [{', '.join(pool.queues)}]")
                if minimum:
                    add(f"        min_headcount: {minimum}")
                add(f"        max_headcount: {maximum}")
                if pool.kind == "egr":
                    add(f"        shrinkage: {pool.shrinkage:.2f}")
        add("")
        add("shift_templates:")
        for t in (TEMPLATES[x] for x in spec.templates):
            add(f"  # {t.id}: {t.comment}")
            add(f"  - {{id: {t.id}, paid_hours: {t.paid_hours:g}, unpaid_meal_minutes: {t.meal_minutes}, "
                f'earliest_start: "{t.earliest}", latest_start: "{t.latest}", start_step_minutes: {t.step}}}')
        custom = [CUSTOM_PACKS[p] for p in CUSTOM_PACKS if any(s.labor_rules == p for s in self.sites)]
        if custom:
            add("")
            add("# Labor-rule packs for jurisdictions without a built-in pack (built-in: eu-wtd, ireland, germany,")
            add("# philippines, india, us-federal, california).")
            add("labor_rules:")
            lines += [block.rstrip("\n") for block in custom]
        add("")
        add("wellbeing:")
        add(f"  max_egregious_hours_per_shift: {MAX_EGREGIOUS_HOURS:g}")
        add(f"  wellness_minutes_per_shift: {WELLNESS_MINUTES}")
        add("  max_consecutive_nights: 3")
        add("  rotate_severity: true")
        add("")
        add("objective:  # penalties in USD per agent-hour short")
        add("  shortfall_per_agent_hour: {egregious: 400, sensitive: 200, standard: 100}")
        add("  late_work_per_agent_hour: 150")
        add("  floor_shortfall_per_agent_hour: 500")
        return "\n".join(lines) + "\n"

    def _forecast_csv(self, volumes: list[list[float]]) -> str:
        start = dt.datetime.combine(self.week, dt.time(0, 0), tzinfo=dt.UTC)
        step = dt.timedelta(minutes=INTERVAL_MINUTES)
        keys = [f"{q.id},{lang}," for q, lang in self.streams]
        lines = ["interval_start,queue,language,volume"]
        for t in range(NUM_SLOTS):
            stamp = (start + t * step).isoformat() + ","
            lines += [f"{stamp}{key}{row[t]:.2f}" for key, row in zip(keys, volumes, strict=True)]
        return "\n".join(lines) + "\n"

    def _roster_csv(self, roster: dict[str, int]) -> str:
        rng = self.rng
        lines = [",".join(ROSTER_HEADER)]
        week_days = [self.week + dt.timedelta(days=d) for d in range(7)]
        counters = {s.id: 0 for s in self.sites}
        extras = {s.id: [x for x in s.languages if x in self.languages] for s in self.sites}
        for pool in self.pools:
            site = pool.site
            consent = self._needs_consent(site)
            for _ in range(roster[pool.id]):
                counters[site.id] += 1
                agent = f"{site.id}-{counters[site.id]:05d}"
                languages = list(pool.languages)
                spare = [x for x in extras[site.id] if x not in languages]
                if spare and rng.random() < 0.08:
                    languages.append(rng.choice(spare))
                hours = rng.choices((40, 40, 32, 30, 20), weights=(80, 4, 6, 6, 4))[0]
                night = "no" if rng.random() < (0.12 if consent else 0.04) else "yes"
                days = ""
                if hours < 40 and rng.random() < 0.5:
                    first = rng.randrange(7)
                    count = 4 if hours >= 30 else 3
                    days = "|".join(WEEKDAYS[d] for d in sorted((first + k) % 7 for k in range(count)))
                leave = ""
                if rng.random() < 0.07:
                    first = rng.randrange(7)
                    length = rng.choice((1, 1, 2, 3, 5))
                    leave = "|".join(d.isoformat() for d in week_days[first:first + length])
                start = ""
                if rng.random() < 0.15:
                    start = rng.choice(("06:00", "07:00", "08:00", "09:00", "10:00", "14:00", "15:00", "22:00"))
                lines.append(",".join((agent, site.id, pool.id, "|".join(languages), "|".join(pool.queues),
                                       str(hours), night, days, leave, start)))
        return "\n".join(lines) + "\n"

    @staticmethod
    def _needs_consent(site: SiteSpec) -> bool:
        return site.labor_rules == "india"


def _quote(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
