"""Milestones: what a young person reached ("Back into education", "Joined a club"), chosen from
a list the organisation's leads keep.

- A lead adds kinds to the list and retires them (a retired kind is no longer offered; the
  milestones already recorded keep it). A name is unique within the organisation.
- Any member records a milestone for a young person the organisation knows, with the date and,
  optionally, the programme and a short note.
- Kept for RETENTION_MILESTONES_DAYS after the date reached (services/retention.py). Erasing or
  anonymising the young person keeps the milestone, anonymous, for the programme's counts (like
  their attendance), and removes its note.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, update

from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import Milestone, MilestoneKind, Organisation, YoungPerson
from ..timeutil import utcnow
from . import audit
from .contact_notes import check_date, check_programme, check_young_person

# Offered to a new organisation's lead as a start (PRODUCT: "for example").
SUGGESTED = ["Back into education", "Joined a club", "Gained an award", "Started volunteering",
             "Into work or training"]


def _clean(value):
    value = " ".join((value or "").split())
    return value or None


def kinds(org: Organisation, *, include_retired: bool = False) -> list[MilestoneKind]:
    query = select(MilestoneKind).where(MilestoneKind.organisation_id == org.id)
    if not include_retired:
        query = query.where(MilestoneKind.retired_at.is_(None))
    return db.session.execute(query.order_by(MilestoneKind.retired_at.is_not(None), func.lower(MilestoneKind.name))
                              ).scalars().all()


def add_kind(org: Organisation, lead, name: str, *, now: datetime | None = None) -> MilestoneKind:
    """Codes: name_required, name_too_long, name_taken."""
    now = now or utcnow()
    name = _clean(name)
    if not name:
        raise ValidationError("Enter the milestone's name.", code="name_required", field="name")
    if len(name) > 80:
        raise ValidationError("Keep the name under 80 characters.", code="name_too_long", field="name")
    taken = db.session.execute(select(MilestoneKind).where(MilestoneKind.organisation_id == org.id,
                                                           func.lower(MilestoneKind.name) == name.lower())
                               ).scalar_one_or_none()
    if taken is not None:
        if taken.retired_at is not None:  # adding a retired one again brings it back
            taken.retired_at = None
            audit.record("milestone_kind.restored", actor=lead, organisation=org, subject=taken, now=now)
            db.session.commit()
            return taken
        raise ConflictError(f"“{taken.name}” is already on the list.", code="name_taken")
    kind = MilestoneKind(organisation_id=org.id, name=name, created_at=now)
    db.session.add(kind)
    db.session.flush()
    audit.record("milestone_kind.added", actor=lead, organisation=org, subject=kind, now=now)
    db.session.commit()
    return kind


def retire_kind(org: Organisation, kind: MilestoneKind, lead, *, now: datetime | None = None) -> MilestoneKind:
    """No longer offered; milestones already recorded keep it. Retiring twice changes nothing."""
    now = now or utcnow()
    if kind.organisation_id != org.id:
        raise ValidationError("Choose a milestone from the list.", code="unknown_kind", field="kind")
    if kind.retired_at is None:
        kind.retired_at = now
        audit.record("milestone_kind.retired", actor=lead, organisation=org, subject=kind, now=now)
    db.session.commit()
    return kind


@dataclass
class MilestoneDetails:
    kind_id: int | None
    reached_on: date | None
    programme_id: int | None = None
    note: str | None = None


def record_milestone(org: Organisation, recorder, yp: YoungPerson, details: MilestoneDetails, *,
                     now: datetime | None = None) -> Milestone:
    """Codes: unknown_young_person, unknown_kind, unknown_programme, date_required,
    date_in_future, note_too_long."""
    now = now or utcnow()
    check_young_person(org, yp)
    kind = db.session.get(MilestoneKind, details.kind_id) if isinstance(details.kind_id, int) else None
    if kind is None or kind.organisation_id != org.id or kind.retired_at is not None:
        raise ValidationError("Choose a milestone from the list.", code="unknown_kind", field="kind")
    programme = check_programme(org, details.programme_id)
    reached_on = check_date(details.reached_on, now=now, field="reached_on")
    note = (details.note or "").strip() or None
    if note and len(note) > 500:
        raise ValidationError("Keep the note under 500 characters.", code="note_too_long", field="note")
    milestone = Milestone(organisation_id=org.id, young_person_id=yp.id, kind_id=kind.id,
                          programme_id=programme.id if programme else None, reached_on=reached_on, note=note,
                          recorded_by_id=recorder.id, recorded_at=now)
    db.session.add(milestone)
    db.session.flush()
    audit.record("milestone.recorded", actor=recorder, organisation=org, subject=yp, now=now, milestone=milestone.id)
    db.session.commit()
    return milestone


def reached_by(org: Organisation, yp: YoungPerson) -> list[Milestone]:
    return db.session.execute(select(Milestone).where(Milestone.organisation_id == org.id,
                                                      Milestone.young_person_id == yp.id)
                              .order_by(Milestone.reached_on.desc(), Milestone.id.desc())).scalars().all()


def counts_by_kind(org: Organisation) -> dict[int, int]:
    return dict(db.session.execute(select(Milestone.kind_id, func.count()).where(Milestone.organisation_id == org.id)
                                   .group_by(Milestone.kind_id)).all())


# ------------------------------------------------------------------ erasure, anonymisation, retention

def on_erased(yp: YoungPerson) -> int:
    """Erased or anonymised: the milestones stay, anonymous, for the counts; their notes go."""
    return db.session.execute(update(Milestone).where(Milestone.young_person_id == yp.id)
                              .values(note=None)).rowcount or 0


def purge(*, now: datetime, days: int, dry_run: bool = False) -> int:
    where = Milestone.reached_on < (now - timedelta(days=days)).date()
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(Milestone).where(where))
    return db.session.execute(delete(Milestone).where(where)).rowcount or 0
