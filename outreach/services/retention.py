"""The retention schedule: personal data kept no longer than the work needs it.

Two rules, each a number of days after a young person's last activity (the
latest of: a session they attended or were booked on, a booking made, the
profile being created):

- medical notes are removed `medical_notes_days` after it;
- the whole profile is anonymised `anonymise_days` after it: names, contacts,
  medical notes, authorised collectors, guardian links, their own login and
  live passes go; the row, its attendance and bookings stay with date of
  birth, gender and postcode district, so the evaluation's anonymous counts
  (reach, attendance, age bands, areas, retention) do not change.

Outgoing messages (names, addresses, links) are removed `outbox_keep_days`
after they were written, once sent, failed or dropped; one-time form tokens
(no personal data) after one_time.KEEP_DAYS (30 days).

`purge_expired(now=...)` applies them all and reports what it did; running it
again the same day does nothing more.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, union_all

from ..extensions import db
from ..models import (Attendance, GuardianLink, Membership, Pass, ProgrammeSession, Registration,
                      User, YoungPerson)
from . import audit, one_time, outbox


@dataclass(frozen=True)
class Schedule:
    medical_notes_days: int
    anonymise_days: int
    outbox_keep_days: int = 30

    @classmethod
    def from_config(cls, config) -> "Schedule":
        return cls(medical_notes_days=config["RETENTION_MEDICAL_NOTES_DAYS"],
                   anonymise_days=config["RETENTION_ANONYMISE_DAYS"],
                   outbox_keep_days=config["OUTBOX_KEEP_DAYS"])


@dataclass(frozen=True)
class PurgeReport:
    medical_notes_removed: int
    anonymised: int
    logins_removed: int
    attendances_kept: int
    dry_run: bool
    form_tokens_removed: int = 0
    messages_removed: int = 0


def last_activity():
    """(young_person_id, last_activity) for every young person, as a subquery."""
    moments = union_all(
        select(YoungPerson.id.label("yp"), YoungPerson.created_at.label("at")),
        select(Attendance.young_person_id, ProgrammeSession.starts_at)
        .join(ProgrammeSession, ProgrammeSession.id == Attendance.session_id),
        select(Registration.young_person_id, ProgrammeSession.starts_at)
        .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id),
        select(Registration.young_person_id, Registration.created_at),
    ).subquery()
    return select(moments.c.yp, func.max(moments.c.at).label("last")).group_by(moments.c.yp).subquery()


def _due(cutoff: datetime, *conditions):
    last = last_activity()
    return db.session.execute(
        select(YoungPerson).join(last, last.c.yp == YoungPerson.id)
        .where(last.c.last < cutoff, YoungPerson.erased_at.is_(None), *conditions)
        .order_by(YoungPerson.id)).scalars().all()


def purge_expired(schedule: Schedule, *, now: datetime, dry_run: bool = False) -> PurgeReport:
    notes_due = _due(now - timedelta(days=schedule.medical_notes_days), YoungPerson.medical_notes.is_not(None))
    people_due = _due(now - timedelta(days=schedule.anonymise_days), YoungPerson.anonymised_at.is_(None))
    logins = 0 if not dry_run else sum(1 for yp in people_due if yp.user_id)
    tokens = 0
    messages = outbox.purge_old(now - timedelta(days=schedule.outbox_keep_days), dry_run=dry_run)
    if not dry_run:
        for yp in notes_due:
            yp.medical_notes = None
            audit.record("young_person.medical_notes_removed", subject=yp, now=now,
                         rule=f"{schedule.medical_notes_days} days after last activity")
        for yp in people_due:
            logins += _anonymise(yp, now=now)
            audit.record("young_person.anonymised", subject=yp, now=now,
                         rule=f"{schedule.anonymise_days} days after last activity")
        tokens = one_time.purge(now=now)
        db.session.commit()
    kept = db.session.execute(select(func.count()).select_from(Attendance)).scalar_one()
    return PurgeReport(medical_notes_removed=len(notes_due), anonymised=len(people_due), logins_removed=logins,
                       attendances_kept=kept, dry_run=dry_run, form_tokens_removed=tokens,
                       messages_removed=messages)


def _anonymise(yp: YoungPerson, *, now: datetime) -> int:
    for name in ("first_name", "last_name", "emergency_contact_name", "emergency_contact_phone", "medical_notes"):
        setattr(yp, name, None)
    yp.photo_consent = yp.may_go_home_alone = False
    yp.collectors = []
    yp.anonymised_at = now
    for p in db.session.execute(select(Pass).where(Pass.young_person_id == yp.id,
                                                   Pass.revoked_at.is_(None))).scalars():
        p.revoked_at, p.revoke_reason = now, "Anonymised (retention)"
    for a in db.session.execute(select(Attendance).where(Attendance.young_person_id == yp.id)).scalars():
        a.collected_by = None
        a.notes = None
    db.session.execute(GuardianLink.__table__.delete().where(GuardianLink.young_person_id == yp.id))
    # Survey answers stay linked for the start-to-end comparison: with no name
    # on the profile they are anonymous.
    login = yp.user
    yp.user_id = None
    if login is not None and not _has_other_role(login):
        db.session.delete(login)
        return 1
    return 0


def _has_other_role(user: User) -> bool:
    """A young person's login that is also staff, an admin or a guardian is left to its owner."""
    if user.is_platform_admin:
        return True
    staff = db.session.execute(select(Membership.id).where(Membership.user_id == user.id)).first()
    guardian = db.session.execute(select(GuardianLink.guardian_id).where(GuardianLink.guardian_id == user.id)).first()
    return bool(staff or guardian)
