"""The retention schedule: personal data kept no longer than the work needs it, one class per
kind of record, each with its own setting (Schedule, from the RETENTION_* settings):

| class | rule | setting |
| --- | --- | --- |
| medical notes | removed `medical_notes_days` after the young person's last activity | RETENTION_MEDICAL_NOTES_DAYS |
| young people | anonymised `anonymise_days` after it | RETENTION_ANONYMISE_DAYS |
| outgoing messages | removed `outbox_keep_days` after written, once sent, failed or dropped | OUTBOX_KEEP_DAYS |
| one-time form tokens | removed after one_time.KEEP_DAYS (30) | (fixed) |
| safeguarding concerns | never removed; reported once past the young person's `safeguarding_review_age`th birthday plus `safeguarding_years_after` years, for the designated safeguarding lead to review | RETENTION_SAFEGUARDING_REVIEW_AGE, RETENTION_SAFEGUARDING_YEARS_AFTER |
| incidents | removed `incident_years` after the incident and after the 18th birthday of every young person in it | RETENTION_INCIDENT_YEARS |
| contact notes (all staff) | removed `contact_notes_days` after written; with the young person's record when it is erased or anonymised | RETENTION_CONTACT_NOTES_DAYS |
| contact notes (leads only) | removed `restricted_notes_days` after written; with the record when the family erases it; kept, name taken out, when it is anonymised | RETENTION_RESTRICTED_NOTES_DAYS |
| milestones | removed `milestones_days` after the date reached; kept, anonymous and without their note, when the record is erased or anonymised | RETENTION_MILESTONES_DAYS |
| referrals | removed `referrals_days` after the referral's date; kept, anonymous and without notes, when the record is erased or anonymised | RETENTION_REFERRALS_DAYS |

A young person's last activity is the latest of: a session they attended or were booked on, a
booking made, the profile being created. Anonymising removes names, contacts, medical notes,
authorised collectors, guardian links, their own login and live passes; the row, its
attendance and bookings stay with date of birth, gender and postcode district, so the
evaluation's anonymous counts do not change. Their safeguarding concerns and incidents stay,
with their initials and date of birth and their name taken out of the text
(safeguarding.keep_for_erased, incidents.keep_for_erased).

Safeguarding concerns follow the IRMS Information Management Toolkit for Schools (child
protection files: the child's date of birth plus 25 years, then review) and the NSPCC's "Child
protection records retention and storage guidance" (2023): destroying one is a designated lead's
decision, never a timer's, also because the Independent Inquiry into Child Sexual Abuse asked
organisations to keep records that may be relevant to it.

Each class is a RetentionClass in CLASSES, applied in order; a new kind of record adds its own
with `register` (its setting in config.py, its line in the README's table). `purge_expired(now=...)`
applies them all and reports each; running it again the same day does nothing more.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import func, select, union_all

from ..extensions import db
from ..models import (Attendance, GuardianLink, Membership, Pass, ProgrammeSession, Registration,
                      User, YoungPerson)
from . import audit, contact_notes, incidents, milestones, one_time, outbox, referrals, safeguarding


@dataclass(frozen=True)
class Schedule:
    medical_notes_days: int
    anonymise_days: int
    outbox_keep_days: int = 30
    safeguarding_review_age: int = 25
    safeguarding_years_after: int = 0
    incident_years: int = 3
    contact_notes_days: int = 3 * 365
    restricted_notes_days: int = 6 * 365
    milestones_days: int = 6 * 365
    referrals_days: int = 6 * 365

    @classmethod
    def from_config(cls, config) -> "Schedule":
        return cls(medical_notes_days=config["RETENTION_MEDICAL_NOTES_DAYS"],
                   anonymise_days=config["RETENTION_ANONYMISE_DAYS"],
                   outbox_keep_days=config["OUTBOX_KEEP_DAYS"],
                   safeguarding_review_age=config["RETENTION_SAFEGUARDING_REVIEW_AGE"],
                   safeguarding_years_after=config["RETENTION_SAFEGUARDING_YEARS_AFTER"],
                   incident_years=config["RETENTION_INCIDENT_YEARS"],
                   contact_notes_days=config["RETENTION_CONTACT_NOTES_DAYS"],
                   restricted_notes_days=config["RETENTION_RESTRICTED_NOTES_DAYS"],
                   milestones_days=config["RETENTION_MILESTONES_DAYS"],
                   referrals_days=config["RETENTION_REFERRALS_DAYS"])


@dataclass(frozen=True)
class ClassResult:
    key: str
    line: str  # what purge-expired prints for it
    count: int


@dataclass(frozen=True)
class RetentionClass:
    """One kind of record's rule. `apply(schedule, now, dry_run, notes)` does it (or, dry, counts
    it) and returns how many records it touched; `notes` is a dict shared by the classes of one
    run for figures beside the count. `line(schedule, count, dry_run)` says it in words."""

    key: str
    apply: Callable
    line: Callable


CLASSES: list[RetentionClass] = []


def register(key: str, line: Callable):
    """Decorator adding a class to the schedule, applied after those already there."""
    def decorator(apply):
        CLASSES.append(RetentionClass(key, apply, line))
        return apply
    return decorator


@dataclass(frozen=True)
class PurgeReport:
    medical_notes_removed: int
    anonymised: int
    logins_removed: int
    attendances_kept: int
    dry_run: bool
    form_tokens_removed: int = 0
    messages_removed: int = 0
    concerns_kept: int = 0
    concerns_due_for_review: int = 0
    incidents_removed: int = 0
    classes: tuple = field(default=())

    def count(self, key: str) -> int:
        return next((c.count for c in self.classes if c.key == key), 0)


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


def _would(dry_run: bool) -> str:
    return "would be " if dry_run else ""


@register("medical_notes", lambda s, n, dry: f"Medical notes {_would(dry)}removed: {n} young people "
                                            f"(last activity over {s.medical_notes_days} days ago).")
def _medical_notes(schedule: Schedule, now: datetime, dry_run: bool, notes: dict) -> int:
    due = _due(now - timedelta(days=schedule.medical_notes_days), YoungPerson.medical_notes.is_not(None))
    if not dry_run:
        for yp in due:
            yp.medical_notes = None
            audit.record("young_person.medical_notes_removed", subject=yp, now=now,
                         rule=f"{schedule.medical_notes_days} days after last activity")
    return len(due)


@register("anonymised", lambda s, n, dry: f"Young people {_would(dry)}anonymised: {n} "
                                          f"(last activity over {s.anonymise_days} days ago).")
def _anonymised(schedule: Schedule, now: datetime, dry_run: bool, notes: dict) -> int:
    due = _due(now - timedelta(days=schedule.anonymise_days), YoungPerson.anonymised_at.is_(None))
    logins = 0
    if dry_run:
        logins = sum(1 for yp in due if yp.user_id)
    else:
        for yp in due:
            logins += _anonymise(yp, now=now)
            audit.record("young_person.anonymised", subject=yp, now=now,
                         rule=f"{schedule.anonymise_days} days after last activity")
    notes["logins_removed"] = logins
    return len(due)


@register("logins", lambda s, n, dry: f"Own logins of anonymised young people {_would(dry)}removed: {n}.")
def _logins(schedule, now, dry_run, notes) -> int:
    return notes.get("logins_removed", 0)


@register("outgoing_messages", lambda s, n, dry: f"Outgoing messages {_would(dry)}removed: {n} "
                                                 f"(sent, failed or dropped over {s.outbox_keep_days} days ago).")
def _outgoing_messages(schedule: Schedule, now: datetime, dry_run: bool, notes: dict) -> int:
    return outbox.purge_old(now - timedelta(days=schedule.outbox_keep_days), dry_run=dry_run)


@register("form_tokens", lambda s, n, dry: f"One-time form tokens {_would(dry)}removed: {n} "
                                           f"(over {one_time.KEEP_DAYS} days old).")
def _form_tokens(schedule: Schedule, now: datetime, dry_run: bool, notes: dict) -> int:
    if dry_run:
        from ..models import FormToken

        return db.session.scalar(select(func.count()).select_from(FormToken).where(
            FormToken.created_at < now - timedelta(days=one_time.KEEP_DAYS)))
    return one_time.purge(now=now)


@register("concerns_due_for_review", lambda s, n, dry: (
    f"Safeguarding concerns past their review date ({s.safeguarding_review_age}th birthday"
    f"{f' plus {s.safeguarding_years_after} years' if s.safeguarding_years_after else ''}): {n}. "
    "None removed: the designated safeguarding lead reviews them."))
def _concerns(schedule: Schedule, now: datetime, dry_run: bool, notes: dict) -> int:
    # Never deleted here: see the module docstring.
    return safeguarding.due_for_review(now=now, age=schedule.safeguarding_review_age,
                                       years_after=schedule.safeguarding_years_after)


@register("incidents", lambda s, n, dry: f"Incidents {_would(dry)}removed: {n} ({s.incident_years} years after the "
                                         "incident and after the 18th birthday of each young person in it).")
def _incidents(schedule: Schedule, now: datetime, dry_run: bool, notes: dict) -> int:
    return incidents.purge(now=now, years=schedule.incident_years, dry_run=dry_run)


def _removed(action: str, n: int, *, now: datetime, dry_run: bool, rule: str) -> int:
    # One audit event per run and kind, with the count: the rows themselves are gone.
    if n and not dry_run:
        audit.record(action, now=now, removed=n, rule=rule)
    return n


@register("contact_notes", lambda s, n, dry: f"Contact notes for all staff {_would(dry)}removed: {n} "
                                             f"(written over {s.contact_notes_days} days ago).")
def _contact_notes(schedule: Schedule, now: datetime, dry_run: bool, notes: dict) -> int:
    return _removed("contact_notes.removed", contact_notes.purge(
        now=now, days=schedule.contact_notes_days, restricted=False, dry_run=dry_run),
        now=now, dry_run=dry_run, rule=f"{schedule.contact_notes_days} days after written")


@register("restricted_notes", lambda s, n, dry: f"Contact notes for leads only {_would(dry)}removed: {n} "
                                                f"(written over {s.restricted_notes_days} days ago).")
def _restricted_notes(schedule: Schedule, now: datetime, dry_run: bool, notes: dict) -> int:
    return _removed("restricted_notes.removed", contact_notes.purge(
        now=now, days=schedule.restricted_notes_days, restricted=True, dry_run=dry_run),
        now=now, dry_run=dry_run, rule=f"{schedule.restricted_notes_days} days after written")


@register("milestones", lambda s, n, dry: f"Milestones {_would(dry)}removed: {n} "
                                          f"(reached over {s.milestones_days} days ago).")
def _milestones(schedule: Schedule, now: datetime, dry_run: bool, notes: dict) -> int:
    return _removed("milestones.removed", milestones.purge(now=now, days=schedule.milestones_days, dry_run=dry_run),
                    now=now, dry_run=dry_run, rule=f"{schedule.milestones_days} days after reached")


@register("referrals", lambda s, n, dry: f"Referrals {_would(dry)}removed: {n} "
                                         f"(made over {s.referrals_days} days ago).")
def _referrals(schedule: Schedule, now: datetime, dry_run: bool, notes: dict) -> int:
    return _removed("referrals.removed", referrals.purge(now=now, days=schedule.referrals_days, dry_run=dry_run),
                    now=now, dry_run=dry_run, rule=f"{schedule.referrals_days} days after the referral's date")


def purge_expired(schedule: Schedule, *, now: datetime, dry_run: bool = False) -> PurgeReport:
    """Apply every class of the schedule in order (CLASSES), in one transaction, and report each."""
    notes: dict = {}
    results = []
    for cls in CLASSES:
        count = cls.apply(schedule, now, dry_run, notes)
        results.append(ClassResult(cls.key, cls.line(schedule, count, dry_run), count))
    if not dry_run:
        db.session.commit()
    kept = db.session.execute(select(func.count()).select_from(Attendance)).scalar_one()
    from ..models import Concern

    concerns = db.session.scalar(select(func.count()).select_from(Concern))
    by_key = {r.key: r.count for r in results}
    return PurgeReport(medical_notes_removed=by_key["medical_notes"], anonymised=by_key["anonymised"],
                       logins_removed=by_key["logins"], attendances_kept=kept, dry_run=dry_run,
                       form_tokens_removed=by_key["form_tokens"], messages_removed=by_key["outgoing_messages"],
                       concerns_kept=concerns, concerns_due_for_review=by_key["concerns_due_for_review"],
                       incidents_removed=by_key["incidents"], classes=tuple(results))


def _anonymise(yp: YoungPerson, *, now: datetime) -> int:
    # Their concerns and incidents stay, without the name in their text (read it before it goes).
    safeguarding.keep_for_erased(yp, reason="anonymised after the retention period", now=now)
    incidents.keep_for_erased(yp, now=now)
    # The timeline: staff notes go, leads-only notes, milestones and referrals stay without the name.
    contact_notes.on_anonymised(yp)
    milestones.on_erased(yp)
    referrals.on_erased(yp)
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
    from . import follow_up
    follow_up.forget(yp)  # contact attempts are notes about reaching them
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
