"""What the privacy notice promises about keeping data, worked out from the retention schedule
itself (services/retention.py), so the notice a family reads says what the nightly purge does:
change RETENTION_* and the notice changes with it.
"""
from dataclasses import dataclass

from .retention import Schedule


def duration(days: int) -> str:
    """A number of days as a person says it: "1 year", "3 years", "18 months", "30 days"."""
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return "1 year" if years == 1 else f"{years} years"
    if days >= 60 and days % 30 == 0:
        return f"{days // 30} months"
    return "1 day" if days == 1 else f"{days} days"


def years(n: int) -> str:
    return "1 year" if n == 1 else f"{n} years"


@dataclass(frozen=True)
class KeepingTerms:
    """The retention figures as the notice states them."""

    medical_notes: str  # removed this long after the young person's last activity
    anonymised_after: str  # names, contacts and notes removed this long after it
    messages: str  # emails and texts kept this long
    safeguarding_review_age: int  # concerns reviewed by the designated lead after this birthday ...
    safeguarding_years_after: str | None  # ... plus this long (None: at the birthday itself)
    incidents: str  # removed this long after the incident, and not before the young person is 18
    age_of_consent: int
    contact_notes: str = ""  # staff notes on a young person's record (the timeline)
    restricted_notes: str = ""  # notes for leads and safeguarding leads only
    milestones: str = ""
    referrals: str = ""


def keeping_terms(schedule: Schedule, *, age_of_consent: int) -> KeepingTerms:
    return KeepingTerms(
        medical_notes=duration(schedule.medical_notes_days),
        anonymised_after=duration(schedule.anonymise_days),
        messages=duration(schedule.outbox_keep_days),
        safeguarding_review_age=schedule.safeguarding_review_age,
        safeguarding_years_after=years(schedule.safeguarding_years_after) if schedule.safeguarding_years_after else None,
        incidents=years(schedule.incident_years),
        age_of_consent=age_of_consent,
        contact_notes=duration(schedule.contact_notes_days),
        restricted_notes=duration(schedule.restricted_notes_days),
        milestones=duration(schedule.milestones_days),
        referrals=duration(schedule.referrals_days),
    )
