"""What the privacy notice promises about keeping data, worked out from the retention schedule
itself (services/retention.py), so the notice a family reads says what the nightly purge does:
change RETENTION_* and the notice changes with it.
"""
from dataclasses import dataclass

from .retention import Schedule


def _english(singular: str, plural: str, num: int) -> str:
    return (singular if num == 1 else plural) % {"num": num}


# `ngettext` is the page's (flask_babel's) when a page shows the notice, so the figures read in the
# reader's language; the English one otherwise. The name lets `make messages` find the words.
def duration(days: int, ngettext=_english) -> str:
    """A number of days as a person says it: "1 year", "3 years", "18 months", "30 days"."""
    if days >= 365 and days % 365 == 0:
        return ngettext("%(num)d year", "%(num)d years", days // 365)
    if days >= 60 and days % 30 == 0:
        return ngettext("%(num)d month", "%(num)d months", days // 30)
    return ngettext("%(num)d day", "%(num)d days", days)


def years(n: int, ngettext=_english) -> str:
    return ngettext("%(num)d year", "%(num)d years", n)


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


def keeping_terms(schedule: Schedule, *, age_of_consent: int, ngettext=_english) -> KeepingTerms:
    def say(days):
        return duration(days, ngettext)

    return KeepingTerms(
        medical_notes=say(schedule.medical_notes_days),
        anonymised_after=say(schedule.anonymise_days),
        messages=say(schedule.outbox_keep_days),
        safeguarding_review_age=schedule.safeguarding_review_age,
        safeguarding_years_after=(years(schedule.safeguarding_years_after, ngettext)
                                  if schedule.safeguarding_years_after else None),
        incidents=years(schedule.incident_years, ngettext),
        age_of_consent=age_of_consent,
        contact_notes=say(schedule.contact_notes_days),
        restricted_notes=say(schedule.restricted_notes_days),
        milestones=say(schedule.milestones_days),
        referrals=say(schedule.referrals_days),
    )
