"""The public catalogue: published programmes of approved partners, with filters.

Only programmes with an upcoming session are listed; a finished course has
nothing left to book and would only disappoint.
"""
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import exists, func, select

from ..extensions import db
from ..models import Organisation, Programme, ProgrammeSession
from ..timeutil import local_to_utc, utcnow


@dataclass(frozen=True)
class Filters:
    category: str | None = None
    age: int | None = None
    area: str | None = None   # outward postcode, or the start of one ("M1" finds M13)
    on: date | None = None    # has a session on this day
    q: str | None = None


def _upcoming(now):
    return (ProgrammeSession.programme_id == Programme.id) & (ProgrammeSession.status == "scheduled") & \
        (ProgrammeSession.starts_at > now)


def search(filters: Filters, *, now=None, tz: str = "Europe/London"):
    """A select() of matching programmes, soonest next session first."""
    now = now or utcnow()
    next_start = (select(func.min(ProgrammeSession.starts_at)).where(_upcoming(now))
                  .correlate(Programme).scalar_subquery())
    q = (select(Programme).join(Organisation, Programme.organisation_id == Organisation.id)
         .where(Programme.is_published.is_(True), Organisation.status == "approved",
                exists().where(_upcoming(now))))
    if filters.category:
        q = q.where(Programme.category == filters.category)
    if filters.age is not None:
        q = q.where(Programme.min_age <= filters.age, Programme.max_age >= filters.age)
    if filters.area:
        area = filters.area.strip().upper().replace(" ", "")
        q = q.where(func.upper(Programme.postcode_district).like(area.replace("%", "").replace("_", "") + "%"))
    if filters.on:
        start, end = local_to_utc(filters.on, time(0), tz), local_to_utc(filters.on + timedelta(days=1), time(0), tz)
        q = q.where(exists().where(ProgrammeSession.programme_id == Programme.id,
                                   ProgrammeSession.status == "scheduled",
                                   ProgrammeSession.starts_at >= max(start, now),
                                   ProgrammeSession.starts_at < end))
    if filters.q:
        term = "%" + filters.q.strip().replace("%", "").replace("_", "")[:60] + "%"
        q = q.where(Programme.title.ilike(term) | Programme.description.ilike(term)
                    | Organisation.name.ilike(term))
    return q.order_by(next_start, Programme.title)


def next_sessions(programme_ids, *, now=None) -> dict[int, ProgrammeSession]:
    now = now or utcnow()
    ids = list(programme_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(ProgrammeSession).where(ProgrammeSession.programme_id.in_(ids), ProgrammeSession.status == "scheduled",
                                       ProgrammeSession.starts_at > now).order_by(ProgrammeSession.starts_at)
    ).scalars()
    result = {}
    for s in rows:
        result.setdefault(s.programme_id, s)
    return result


def areas() -> list[str]:
    """Postcode areas with something on, for the filter's suggestions."""
    return sorted(set(db.session.execute(
        select(Programme.postcode_district).join(Organisation)
        .where(Programme.is_published.is_(True), Organisation.status == "approved")).scalars()))


def published_programme(programme_id: int) -> Programme | None:
    return db.session.execute(
        select(Programme).join(Organisation).where(Programme.id == programme_id, Programme.is_published.is_(True),
                                                   Organisation.status == "approved")).scalar_one_or_none()
