"""The operating model (`models/<name>.yaml`) as frozen pydantic types.

Every type forbids unknown fields, so a typo in the YAML is an error naming the field rather than a
silently ignored setting. Cross-references (a site's vendor, a pool's queues, a queue's allowed sites)
are checked once here, so later stages can trust ids.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
"""Identifiers are plain tokens so they are safe in file names, CSV cells and solver names."""

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
LocalTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, site-local")]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def minutes_of(hhmm: str) -> int:
    """Minutes after midnight of an `HH:MM` string."""
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class Severity(StrEnum):
    EGREGIOUS = "egregious"
    SENSITIVE = "sensitive"
    STANDARD = "standard"


class RealtimeTarget(Frozen):
    """Live work: `service_level` of contacts answered within `answer_within_seconds` (Erlang C/A)."""

    kind: Literal["realtime"] = "realtime"
    service_level: float = Field(gt=0.0, lt=1.0, description="e.g. 0.8 for 80 % answered in time")
    answer_within_seconds: float = Field(gt=0)
    max_occupancy: float = Field(default=0.85, gt=0.0, le=1.0)
    patience_seconds: float | None = Field(
        default=None, gt=0, description="mean patience; when given, Erlang A is used instead of Erlang C"
    )


class DeferredTarget(Frozen):
    """Backlog work: `share` of reports completed within `within_hours` of arrival (deadline model)."""

    kind: Literal["deferred"] = "deferred"
    share: float = Field(gt=0.0, le=1.0)
    within_hours: float = Field(gt=0, le=168)
    max_occupancy: float = Field(default=0.9, gt=0.0, le=1.0)


Target = Annotated[RealtimeTarget | DeferredTarget, Field(discriminator="kind")]


class Queue(Frozen):
    id: Id
    name: str = Field(min_length=1, max_length=120)
    severity: Severity
    aht_seconds: float = Field(gt=0, le=86_400, description="average handle time, seconds")
    target: Target
    floor: int = Field(
        default=0, ge=0, description="productive agents every interval for each language of this queue"
    )
    sites: tuple[Id, ...] | None = Field(
        default=None, description="only these sites may work the queue (e.g. egregious content)"
    )


class Vendor(Frozen):
    id: Id
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["in-house", "bpo"] = "bpo"
    min_fte: float = Field(default=0.0, ge=0)
    max_fte: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> Vendor:
        if self.max_fte is not None and self.max_fte < self.min_fte:
            raise ValueError(f"max_fte {self.max_fte} is below min_fte {self.min_fte}")
        return self


class Pool(Frozen):
    """One skill profile at one site: who can serve which languages and queues."""

    id: Id
    languages: tuple[Id, ...] = Field(min_length=1)
    queues: tuple[Id, ...] = Field(min_length=1)
    min_headcount: int = Field(default=0, ge=0)
    max_headcount: int = Field(ge=0)
    shrinkage: Fraction | None = Field(default=None, description="overrides the site's shrinkage")

    @model_validator(mode="after")
    def _bounds(self) -> Pool:
        if self.max_headcount < self.min_headcount:
            raise ValueError(f"max_headcount {self.max_headcount} is below min_headcount {self.min_headcount}")
        return self


class Site(Frozen):
    id: Id
    name: str = Field(min_length=1, max_length=120)
    timezone: str = Field(description="IANA time zone, e.g. Asia/Manila")
    vendor: Id
    seats: int = Field(ge=0, description="workstations: agents on duty at once")
    hourly_cost: float = Field(ge=0, description="loaded cost per paid hour, plan currency")
    shrinkage: float = Field(ge=0.0, lt=1.0, description="share of paid time not on queue")
    labor_rules: Id = Field(description="id of a labor-rule pack (built in or in labor_rules)")
    shift_templates: tuple[Id, ...] | None = Field(default=None, description="default: every template")
    pools: tuple[Pool, ...] = Field(min_length=1)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class ShiftTemplate(Frozen):
    """A shift shape: paid hours plus an unpaid meal, starting inside a site-local window."""

    id: Id
    paid_hours: float = Field(gt=0, le=13)
    unpaid_meal_minutes: int = Field(default=60, ge=0, le=120)
    earliest_start: LocalTime = "00:00"
    latest_start: LocalTime = "23:59"
    start_step_minutes: int = Field(default=60, gt=0, le=720)

    @property
    def length_minutes(self) -> int:
        return round(self.paid_hours * 60) + self.unpaid_meal_minutes

    def allows_start(self, local_minute: int) -> bool:
        """Whether a site-local start time (minutes after midnight) lies in the window and on the step."""
        lo, hi = minutes_of(self.earliest_start), minutes_of(self.latest_start)
        in_window = lo <= local_minute <= hi if lo <= hi else (local_minute >= lo or local_minute <= hi)
        return in_window and (local_minute - lo) % self.start_step_minutes == 0


class BreakRule(Frozen):
    after_hours: float = Field(gt=0, description="a shift longer than this needs the break")
    minutes: int = Field(gt=0)


class LaborRules(Frozen):
    """A labor-rule pack: the legal limits at a site. Numbers and sources are in REFERENCE.md."""

    id: Id
    name: str
    min_rest_hours: float = Field(ge=0, le=24)
    min_days_off_per_week: int = Field(ge=0, le=7)
    max_consecutive_days: int = Field(ge=1, le=14)
    max_weekly_hours: float = Field(gt=0, le=84)
    max_daily_hours: float = Field(gt=0, le=16)
    night_start: LocalTime = "22:00"
    night_end: LocalTime = "06:00"
    night_premium: float = Field(default=0.0, ge=0, description="extra pay share for night hours")
    max_night_shift_hours: float | None = Field(default=None, gt=0, description="cap on night shifts")
    weekend_premium: float = Field(default=0.0, ge=0, description="extra pay share on Saturday and Sunday")
    sunday_work: bool = Field(default=True, description="False: no shifts on the site's Sunday")
    overtime_weekly_after_hours: float | None = None
    overtime_daily_after_hours: float | None = None
    overtime_multiplier: float = Field(default=1.5, ge=1)
    breaks: tuple[BreakRule, ...] = ()
    meal_before_hour: float | None = Field(default=None, gt=0, description="meal must start before it")
    night_work_consent: bool = Field(default=False, description="night shifts need the agent's consent")


class Wellbeing(Frozen):
    """Moderator wellbeing limits, applied to every pool trained on egregious queues."""

    max_egregious_hours_per_shift: float = Field(default=4.0, gt=0, le=13)
    wellness_minutes_per_shift: int = Field(default=30, ge=0, le=180)
    max_consecutive_nights: int = Field(default=3, ge=1, le=7)
    rotate_severity: bool = True


class ObjectiveWeights(Frozen):
    """Penalties in plan currency, traded against wage cost."""

    shortfall_per_agent_hour: dict[Severity, float] = Field(
        default_factory=lambda: {Severity.EGREGIOUS: 400.0, Severity.SENSITIVE: 200.0, Severity.STANDARD: 100.0}
    )
    late_work_per_agent_hour: float = Field(default=150.0, ge=0, description="deferred work over its cap")
    floor_shortfall_per_agent_hour: float = Field(default=500.0, ge=0)


class Scenario(Frozen):
    """The operating model: everything but the week's forecast and roster."""

    name: str = Field(min_length=1, max_length=120)
    week_start: dt.date = Field(description="Monday; the plan week runs 7 days from 00:00 UTC that day")
    interval_minutes: Literal[15, 30, 60] = 30
    languages: tuple[Id, ...] = Field(min_length=1)
    queues: tuple[Queue, ...] = Field(min_length=1)
    vendors: tuple[Vendor, ...] = Field(min_length=1)
    sites: tuple[Site, ...] = Field(min_length=1)
    shift_templates: tuple[ShiftTemplate, ...] = Field(min_length=1)
    labor_rules: tuple[LaborRules, ...] = Field(default=(), description="adds to or replaces built-in packs")
    wellbeing: Wellbeing = Wellbeing()
    objective: ObjectiveWeights = ObjectiveWeights()

    @field_validator("week_start")
    @classmethod
    def _monday(cls, value: dt.date) -> dt.date:
        if value.weekday() != 0:
            raise ValueError(f"week_start {value} is a {value.strftime('%A')}, not a Monday")
        return value

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        from staffplan.scenario.labor_packs import BUILTIN_PACKS

        problems: list[str] = []
        for kind, ids in (
            ("language", self.languages),
            ("queue", [q.id for q in self.queues]),
            ("vendor", [v.id for v in self.vendors]),
            ("site", [s.id for s in self.sites]),
            ("pool", [p.id for s in self.sites for p in s.pools]),
            ("shift template", [t.id for t in self.shift_templates]),
            ("labor-rule pack", [p.id for p in self.labor_rules]),
        ):
            seen: set[str] = set()
            for ident in ids:
                if ident in seen:
                    problems.append(f"duplicate {kind} id {ident!r}")
                seen.add(ident)
        languages, queues = set(self.languages), {q.id for q in self.queues}
        vendors, sites = {v.id for v in self.vendors}, {s.id for s in self.sites}
        templates = {t.id for t in self.shift_templates}
        packs = set(BUILTIN_PACKS) | {p.id for p in self.labor_rules}
        for q in self.queues:
            for site in q.sites or ():
                if site not in sites:
                    problems.append(f"queue {q.id!r}: unknown site {site!r} in sites")
        for s in self.sites:
            where = f"site {s.id!r}"
            if s.vendor not in vendors:
                problems.append(f"{where}: unknown vendor {s.vendor!r}")
            if s.labor_rules not in packs:
                problems.append(f"{where}: unknown labor-rule pack {s.labor_rules!r} (known: {sorted(packs)})")
            for t in s.shift_templates or ():
                if t not in templates:
                    problems.append(f"{where}: unknown shift template {t!r}")
            for p in s.pools:
                problems += [f"{where}, pool {p.id!r}: unknown language {x!r}" for x in p.languages
                             if x not in languages]
                problems += [f"{where}, pool {p.id!r}: unknown queue {x!r}" for x in p.queues if x not in queues]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # Lookups used everywhere downstream.
    def queue(self, queue_id: str) -> Queue:
        return next(q for q in self.queues if q.id == queue_id)

    def site(self, site_id: str) -> Site:
        return next(s for s in self.sites if s.id == site_id)

    def vendor(self, vendor_id: str) -> Vendor:
        return next(v for v in self.vendors if v.id == vendor_id)

    def pack(self, pack_id: str) -> LaborRules:
        from staffplan.scenario.labor_packs import BUILTIN_PACKS

        own = {p.id: p for p in self.labor_rules}
        return own.get(pack_id) or BUILTIN_PACKS[pack_id]

    def templates_for(self, site: Site) -> tuple[ShiftTemplate, ...]:
        if site.shift_templates is None:
            return self.shift_templates
        return tuple(t for t in self.shift_templates if t.id in site.shift_templates)

    def pools(self) -> list[tuple[Site, Pool]]:
        return [(s, p) for s in self.sites for p in s.pools]

    def may_work(self, site: Site, pool: Pool, queue_id: str) -> bool:
        """Whether agents of this pool are trained on the queue and the queue may be worked at the site."""
        allowed = self.queue(queue_id).sites
        return queue_id in pool.queues and (allowed is None or site.id in allowed)
