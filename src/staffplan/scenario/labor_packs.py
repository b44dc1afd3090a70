"""Built-in labor-rule packs, referenced by id from a site's `labor_rules`.

Figures follow the public rules summarised in the project's REFERENCE.md (EU Working Time Directive
2003/88/EC, the Irish Organisation of Working Time Act 1997, the German Arbeitszeitgesetz, the Philippine
Labor Code, Indian shops-and-establishments practice, the US Fair Labor Standards Act and the California
Labor Code). Where a law sets no number (a daily rest in the Philippines or the US, the length of the EU
6-hour break), the pack uses a conservative planning value and says so. A model may define a pack with the
same id to replace one of these.
"""

from __future__ import annotations

from staffplan.scenario.schema import BreakRule, LaborRules

EU_WTD = LaborRules(
    id="eu-wtd",
    name="EU Working Time Directive",
    min_rest_hours=11,
    min_days_off_per_week=1,  # 24 h + 11 h weekly rest
    max_consecutive_days=6,
    max_weekly_hours=48,
    max_daily_hours=13,  # 24 h less the 11 h daily rest
    max_night_shift_hours=8,  # hard 8 h for work with heavy mental strain
    breaks=(BreakRule(after_hours=6, minutes=15),),  # length set nationally; 15 min planning value
)

IRELAND = EU_WTD.model_copy(
    update={
        "id": "ireland",
        "name": "Ireland (Organisation of Working Time Act)",
        "breaks": (BreakRule(after_hours=4.5, minutes=15), BreakRule(after_hours=6, minutes=30)),
    }
)

GERMANY = EU_WTD.model_copy(
    update={
        "id": "germany",
        "name": "Germany (Arbeitszeitgesetz)",
        "max_daily_hours": 10,  # 8 h, up to 10 h when the average stays at 8 h
        "max_weekly_hours": 48,
        "breaks": (BreakRule(after_hours=6, minutes=30), BreakRule(after_hours=9, minutes=45)),
        "sunday_work": False,  # prohibited in principle; exceptions need a permit
    }
)

PHILIPPINES = LaborRules(
    id="philippines",
    name="Philippines (Labor Code)",
    min_rest_hours=8,  # no statutory daily rest; planning value
    min_days_off_per_week=1,  # 24 h rest after 6 working days
    max_consecutive_days=6,
    max_weekly_hours=48,
    max_daily_hours=8,
    night_start="22:00",
    night_end="06:00",
    night_premium=0.10,
    overtime_daily_after_hours=8,
    overtime_multiplier=1.25,
)

INDIA = LaborRules(
    id="india",
    name="India (shops and establishments practice)",
    min_rest_hours=11,  # planning value
    min_days_off_per_week=1,
    max_consecutive_days=6,
    max_weekly_hours=48,
    max_daily_hours=10,  # some states cap a day at 10 h including overtime
    night_start="20:00",
    night_end="06:00",
    overtime_daily_after_hours=9,
    overtime_multiplier=2.0,
    night_work_consent=True,  # women's night work needs consent and transport
)

US_FEDERAL = LaborRules(
    id="us-federal",
    name="United States (Fair Labor Standards Act)",
    min_rest_hours=8,  # no statutory daily rest; planning value
    min_days_off_per_week=1,
    max_consecutive_days=6,
    max_weekly_hours=60,
    max_daily_hours=12,
    overtime_weekly_after_hours=40,
    overtime_multiplier=1.5,
)

CALIFORNIA = US_FEDERAL.model_copy(
    update={
        "id": "california",
        "name": "California (Labor Code)",
        "overtime_daily_after_hours": 8,  # 1.5x over 8 h a day, 2x over 12 h
        "breaks": (BreakRule(after_hours=4, minutes=10), BreakRule(after_hours=8, minutes=10)),
        "meal_before_hour": 5,
    }
)

BUILTIN_PACKS: dict[str, LaborRules] = {
    pack.id: pack for pack in (EU_WTD, IRELAND, GERMANY, PHILIPPINES, INDIA, US_FEDERAL, CALIFORNIA)
}
