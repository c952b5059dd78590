"""Accidents and incidents at a session.

Any member of staff records one: when, where, which young people (from the session) and staff
were involved, what happened, first aid given, follow-up needed. The parents and carers of each
young person marked injured get an email through the outbox in the same transaction, so they
hear the same day (listeners._on_incident_recorded). The organisation's leads and the member who
recorded it read it (access.py): it can hold medical detail, so not every worker does. Leads
review them by month.

Incidents go with the retention purge once the personal-injury claims period of everyone
involved has passed (services/retention.py): `years` after the incident, and for a young person
`years` after their 18th birthday (Limitation Act 1980, ss. 11 and 28: three years, running
from the 18th birthday for a child, so to their 21st birthday by default).
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select

from .. import signals
from ..errors import ValidationError
from ..extensions import db
from ..models import Incident, IncidentPerson, IncidentStaff, Membership, Organisation, YoungPerson
from ..privacy import is_known
from ..timeutil import local_to_utc, to_local, utcnow
from . import audit, one_time, pseudonyms

_CLOCK_SLACK = timedelta(minutes=10)


@dataclass
class IncidentDetails:
    occurred_at: datetime
    what_happened: str
    location: str | None = None
    first_aid: str | None = None
    follow_up: str | None = None
    young_person_ids: list[int] = field(default_factory=list)
    injured_ids: list[int] = field(default_factory=list)
    staff_user_ids: list[int] = field(default_factory=list)


def _clean(value):
    value = (value or "").strip()
    return value or None


def record_incident(org: Organisation, session, recorded_by, details: IncidentDetails, *, once: str | None = None,
                    now: datetime | None = None) -> Incident:
    """Record an incident at one of the organisation's sessions, and queue the email to the
    parents and carers of each injured young person, in one transaction.

    ValidationError codes: what_required, occurred_in_future, unknown_young_person,
    unknown_staff. Injured young people count as involved."""
    now = now or utcnow()
    what = _clean(details.what_happened)
    if not what:
        raise ValidationError("Write what happened.", code="what_required", field="what_happened")
    if details.occurred_at > now + _CLOCK_SLACK:
        raise ValidationError("The time can't be in the future.", code="occurred_in_future", field="occurred_at")
    ids = list(dict.fromkeys([*details.young_person_ids, *details.injured_ids]))
    people = []
    for yp_id in ids:
        yp = db.session.get(YoungPerson, yp_id) if isinstance(yp_id, int) else None
        if yp is None or yp.erased_at is not None or not is_known(org.id, yp.id):
            raise ValidationError("Choose young people from the list.", code="unknown_young_person",
                                  field="young_people")
        people.append(yp)
    staff = []
    for user_id in dict.fromkeys(details.staff_user_ids):
        m = db.session.execute(select(Membership).where(Membership.organisation_id == org.id,
                                                        Membership.user_id == user_id)).scalar_one_or_none() \
            if isinstance(user_id, int) else None
        if m is None:
            raise ValidationError("Choose staff from the list.", code="unknown_staff", field="staff")
        staff.append(m.user)
    claimed = one_time.claim(recorded_by, "record_incident", once, now=now)
    incident = Incident(organisation_id=org.id, session_id=session.id, recorded_by_id=recorded_by.id,
                        recorded_at=now, occurred_at=details.occurred_at, location=_clean(details.location),
                        what_happened=what, first_aid=_clean(details.first_aid),
                        follow_up=_clean(details.follow_up))
    injured = set(details.injured_ids)
    incident.people = [IncidentPerson(young_person_id=yp.id, injured=yp.id in injured, date_of_birth=yp.date_of_birth,
                                      reference=pseudonyms.reference(yp.first_name, yp.last_name, yp.date_of_birth))
                       for yp in people]
    incident.staff = [IncidentStaff(user_id=u.id, name=u.full_name) for u in staff]
    db.session.add(incident)
    db.session.flush()
    one_time.made(claimed, incident)
    audit.record("incident.recorded", actor=recorded_by, organisation=org, subject=incident, now=now,
                 injured=len(incident.injured))
    signals.incident_recorded.send(None, incident=incident)
    db.session.commit()
    return incident


def not_told(incident: Incident) -> list[IncidentPerson]:
    """Injured young people whose parents or carers could not be emailed (no address): staff phone them."""
    return [p for p in incident.injured if p.guardians_told_at is None]


def open_incident(incident: Incident, reader, *, now=None) -> Incident:
    audit.record("incident.viewed", actor=reader, organisation=incident.organisation, subject=incident, now=now)
    db.session.commit()
    return incident


def month_bounds(month: date, tz: str) -> tuple[datetime, datetime]:
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return local_to_utc(start, time(0), tz), local_to_utc(end, time(0), tz)


def for_month(org: Organisation, month: date) -> list[Incident]:
    """The organisation's incidents that happened in a calendar month (its time zone), in order."""
    start, end = month_bounds(month, org.timezone)
    return db.session.execute(select(Incident).where(Incident.organisation_id == org.id,
                                                     Incident.occurred_at >= start, Incident.occurred_at < end)
                              .order_by(Incident.occurred_at, Incident.id)).scalars().all()


def recorded_by(org: Organisation, user) -> list[Incident]:
    return db.session.execute(select(Incident).where(Incident.organisation_id == org.id,
                                                     Incident.recorded_by_id == user.id)
                              .order_by(Incident.occurred_at.desc(), Incident.id.desc())).scalars().all()


def months_with_incidents(org: Organisation) -> list[date]:
    """The first day of each month (in the organisation's time zone) that has an incident, newest first."""
    times = db.session.execute(select(Incident.occurred_at).where(Incident.organisation_id == org.id)).scalars()
    return sorted({to_local(t, org.timezone).date().replace(day=1) for t in times}, reverse=True)


def person_name(person: IncidentPerson) -> str:
    yp = person.young_person
    if yp is not None and yp.erased_at is None and yp.anonymised_at is None:
        return yp.display_name
    return f"{person.reference or 'Young person'} (record {'erased' if yp is not None and yp.erased_at else 'anonymised'})"


# ------------------------------------------------------------------ erasure, anonymisation, retention

def keep_for_erased(yp: YoungPerson, *, now: datetime) -> int:
    """Before a young person's record is erased or anonymised: incidents they were in stay (a claim
    can come years later), their name taken out of the text. The caller commits."""
    incidents = db.session.execute(select(Incident).join(IncidentPerson)
                                   .where(IncidentPerson.young_person_id == yp.id)).scalars().unique().all()
    for incident in incidents:
        for name in ("what_happened", "first_aid", "follow_up", "location"):
            setattr(incident, name, pseudonyms.without_name(getattr(incident, name), yp.first_name, yp.last_name))
    return len(incidents)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def keep_until(incident: Incident, years: int) -> date:
    """The last day an incident is kept: `years` after it happened, and for each young person in it
    `years` after their 18th birthday, whichever is latest."""
    days = [_years_after(incident.occurred_at.date(), years)]
    days += [_years_after(_years_after(p.date_of_birth, 18), years) for p in incident.people if p.date_of_birth]
    return max(days)


def expired(*, now: datetime, years: int) -> list[Incident]:
    candidates = db.session.execute(select(Incident).where(
        Incident.occurred_at < datetime.combine(_years_after(now.date(), -years), time(0), tzinfo=now.tzinfo))
        .order_by(Incident.id)).scalars().all()
    return [i for i in candidates if keep_until(i, years) < now.date()]


def purge(*, now: datetime, years: int, dry_run: bool = False) -> int:
    """Remove incidents past keep_until; returns how many (would go)."""
    due = expired(now=now, years=years)
    if not dry_run and due:
        ids = [i.id for i in due]
        for incident in due:
            audit.record("incident.removed", organisation=incident.organisation, subject=incident, now=now,
                         rule=f"{years} years after the incident and after the 18th birthday of those in it")
        db.session.execute(delete(IncidentPerson).where(IncidentPerson.incident_id.in_(ids)))
        db.session.execute(delete(IncidentStaff).where(IncidentStaff.incident_id.in_(ids)))
        db.session.execute(delete(Incident).where(Incident.id.in_(ids)))
    return len(due)
