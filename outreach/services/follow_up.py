"""Following up the young people who stop coming: the programme's follow-up list, contact attempts,
closing a follow-up, and the sessions held with no register taken.

Definitions (the README prints the same):

- *Sessions offered* to a young person, on one programme: its held sessions (not cancelled, ended
  by now) that start after they first had a place and for which they had one: on a course
  (`enrol`), every session while their enrolment was confirmed; on a programme booked session by
  session (`per_session`), the sessions they were booked on (a booking cancelled before the session
  started does not count, a waiting-list place never does); on a drop-in programme, every session
  from their first attendance on. A session they attended always counts, booked or not. A session
  with no register taken (nobody checked in at all) counts neither way: an empty register is not
  evidence that everyone stayed away, and the leads see it on "Registers not taken" instead.
  Cancelled sessions never count.
- *Regular*: came to at least N of the first M sessions offered to them. M is the programme's own
  number (Programme.follow_up_first_sessions) or the setting FOLLOW_UP_FIRST_SESSIONS (4). N is the
  evaluation's rule for a regular attendee, reused: the programme's "sessions that make a regular
  attendee" (Programme.regular_sessions) where its lead set it, otherwise EVAL_REGULAR_SHARE (75%)
  of M, rounded up. M is never fewer than N.
- *On the follow-up list*: a regular who missed the last K sessions offered to them in a row (the
  programme's Programme.follow_up_missed, or FOLLOW_UP_MISSED_IN_A_ROW, 3), shown with the date
  they were last seen. They leave the list when they come back (their latest session offered is
  attended), or when a worker closes the follow-up with a reason; a closed follow-up stays closed
  until they come back, and a later absence opens a new one.

Who the list may name is privacy.py's rule: only young people the programme's organisation knows
(which everyone with a place or an attendance on its programme is); anyone erased or anonymised is
left out.
"""
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, select

from . import audit
from ..errors import NotFoundError, ValidationError
from ..extensions import db
from ..models import (CONTACT_METHODS, CONTACT_OUTCOMES, Attendance, FollowUp, FollowUpContact, Programme,
                      ProgrammeSession, Registration, YoungPerson)
from ..privacy import known_young_people
from ..timeutil import utcnow

MAX_FIRST_SESSIONS = 200
MAX_MISSED = 52
MAX_NOTE = 2000
MAX_REASON = 500


@dataclass(frozen=True)
class Rule:
    """Who counts as a regular for the follow-up list, and after how many missed sessions."""
    first_sessions: int      # M
    attended_at_least: int   # N
    missed_in_a_row: int     # K

    def sentence(self) -> str:
        return (f"Young people who came to at least {self.attended_at_least} of the first {self.first_sessions} "
                f"sessions offered to them, and missed the last {self.missed_in_a_row} in a row.")


def rule_for(programme: Programme, *, regular_share: float = 0.75, first_sessions: int = 4,
             missed_in_a_row: int = 3) -> Rule:
    """The programme's rule: its own numbers where its lead set them, else the settings (passed in)."""
    m = programme.follow_up_first_sessions or first_sessions
    if programme.regular_sessions:
        n = programme.regular_sessions
    else:
        # The same tolerance as the evaluation's share (metrics/regular.py): 3 of 4 is 75%.
        n = max(1, math.ceil(m * regular_share - 1e-9))
    return Rule(first_sessions=max(m, n), attended_at_least=n,
                missed_in_a_row=programme.follow_up_missed or missed_in_a_row)


def rule_from_settings(programme: Programme, settings) -> Rule:
    return rule_for(programme, regular_share=settings.get("EVAL_REGULAR_SHARE", 0.75),
                    first_sessions=settings.get("FOLLOW_UP_FIRST_SESSIONS", 4),
                    missed_in_a_row=settings.get("FOLLOW_UP_MISSED_IN_A_ROW", 3))


@dataclass
class Line:
    """One young person on the follow-up list."""
    young_person: YoungPerson
    last_seen: ProgrammeSession          # the last session offered that they came to
    missed: int                          # sessions offered missed since, all in a row
    first_missed: ProgrammeSession
    follow_up: FollowUp | None = None    # a worker's record of this spell, if any yet
    contacts: list = field(default_factory=list)

    @property
    def latest_contact(self):
        return self.contacts[-1] if self.contacts else None


def _held(programme: Programme, now: datetime) -> list[ProgrammeSession]:
    return db.session.execute(select(ProgrammeSession).where(
        ProgrammeSession.programme_id == programme.id, ProgrammeSession.status == "scheduled",
        ProgrammeSession.ends_at <= now).order_by(ProgrammeSession.starts_at, ProgrammeSession.id)).scalars().all()


def _offered(programme: Programme, held: list[ProgrammeSession], attended: dict[int, set[int]]) -> dict[int, list]:
    """{young person id: [sessions offered to them, in order]} (the module docstring's definition)."""
    taken = set().union(*attended.values()) if attended else set()
    counted = [s for s in held if s.id in taken]  # sessions whose register was taken
    offered: dict[int, set[int]] = {yp_id: set(ids) for yp_id, ids in attended.items()}
    if programme.registration_mode == "enrol":
        regs = db.session.execute(select(Registration).where(
            Registration.programme_id == programme.id, Registration.confirmed_at.is_not(None))).scalars()
        for r in regs:
            until = r.cancelled_at if r.status == "cancelled" else None
            offered.setdefault(r.young_person_id, set()).update(
                s.id for s in counted if s.starts_at >= r.confirmed_at and (until is None or s.starts_at < until))
    elif programme.registration_mode == "per_session":
        by_id = {s.id: s for s in counted}
        regs = db.session.execute(select(Registration).where(
            Registration.session_id.in_(list(by_id)), Registration.confirmed_at.is_not(None))).scalars() \
            if by_id else []
        for r in regs:
            s = by_id[r.session_id]
            if r.status == "confirmed" or (r.status == "cancelled" and r.cancelled_at is not None
                                           and r.cancelled_at >= s.starts_at):
                offered.setdefault(r.young_person_id, set()).add(s.id)
    else:  # drop_in: open to all, so every session from their first attendance on
        for yp_id, ids in attended.items():
            first = min(s.starts_at for s in counted if s.id in ids)
            offered[yp_id].update(s.id for s in counted if s.starts_at >= first)
    return {yp_id: [s for s in counted if s.id in ids] for yp_id, ids in offered.items()}


def _spells(programme: Programme, rule: Rule, now: datetime) -> dict[int, tuple]:
    """{young person id: (last seen session, first missed session, missed)} for every regular
    whose last K sessions offered were missed, before closed follow-ups are taken off."""
    held = _held(programme, now)
    if not held:
        return {}
    attended: dict[int, set[int]] = {}
    for yp_id, session_id in db.session.execute(select(Attendance.young_person_id, Attendance.session_id).where(
            Attendance.session_id.in_([s.id for s in held]))):
        attended.setdefault(yp_id, set()).add(session_id)
    found = {}
    for yp_id, sessions in _offered(programme, held, attended).items():
        came = attended.get(yp_id, set())
        if sum(1 for s in sessions[:rule.first_sessions] if s.id in came) < rule.attended_at_least:
            continue
        missed = 0
        for s in reversed(sessions):
            if s.id in came:
                break
            missed += 1
        if missed >= rule.missed_in_a_row:
            last_seen = sessions[len(sessions) - missed - 1]
            found[yp_id] = (last_seen, sessions[len(sessions) - missed], missed)
    return found


def follow_up_list(programme: Programme, rule: Rule, *, now=None) -> list[Line]:
    """The programme's follow-up list (module docstring), longest absent first."""
    now = now or utcnow()
    spells = _spells(programme, rule, now)
    if not spells:
        return []
    people = {yp.id: yp for yp in db.session.execute(select(YoungPerson).where(
        YoungPerson.id.in_(list(spells)), YoungPerson.id.in_(known_young_people(programme.organisation_id)),
        YoungPerson.erased_at.is_(None), YoungPerson.anonymised_at.is_(None))).scalars()}
    records = {(f.young_person_id, f.last_seen_session_id): f for f in db.session.execute(select(FollowUp).where(
        FollowUp.programme_id == programme.id, FollowUp.young_person_id.in_(list(people)))).scalars()}
    lines = []
    for yp_id, (last_seen, first_missed, missed) in spells.items():
        if yp_id not in people:
            continue
        record = records.get((yp_id, last_seen.id))
        if record is not None and record.closed_at is not None:
            continue
        lines.append(Line(people[yp_id], last_seen, missed, first_missed, record,
                          list(record.contacts) if record else []))
    lines.sort(key=lambda x: (x.last_seen.starts_at, (x.young_person.first_name or "").lower(),
                              (x.young_person.last_name or "").lower(), x.young_person.id))
    return lines


def line_for(programme: Programme, young_person: YoungPerson, rule: Rule, *, now=None) -> Line:
    """This young person's line on the programme's follow-up list; NotFoundError when they are not on it."""
    for line in follow_up_list(programme, rule, now=now):
        if line.young_person.id == young_person.id:
            return line
    raise NotFoundError("They are not on this programme's follow-up list: they came back, the follow-up "
                        "was closed, or they were never a regular here.", code="not_on_list")


def _record(programme, line: Line, now) -> FollowUp:
    if line.follow_up is not None:
        return line.follow_up
    record = FollowUp(programme_id=programme.id, young_person_id=line.young_person.id,
                      last_seen_session_id=line.last_seen.id, created_at=now)
    db.session.add(record)
    db.session.flush()
    line.follow_up = record
    return record


@dataclass
class ContactDetails:
    method: str
    outcome: str
    made_at: datetime
    note: str = ""


def record_contact(programme: Programme, young_person: YoungPerson, by, details: ContactDetails, rule: Rule,
                   *, now=None) -> FollowUpContact:
    """Record an attempt to get in touch with a young person on the follow-up list."""
    now = now or utcnow()
    if details.method not in CONTACT_METHODS:
        raise ValidationError("Choose how you tried to get in touch.", code="invalid_method", field="method")
    if details.outcome not in CONTACT_OUTCOMES:
        raise ValidationError("Choose what came of it.", code="invalid_outcome", field="outcome")
    if details.made_at > now + timedelta(minutes=5):
        raise ValidationError("The time can't be in the future.", code="made_in_future", field="made_at")
    note = (details.note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(f"Keep the note under {MAX_NOTE:,} characters.", code="note_too_long", field="note")
    if details.outcome == "other" and not note:
        raise ValidationError("Say what came of it in the note.", code="note_required", field="note")
    line = line_for(programme, young_person, rule, now=now)
    if details.made_at < line.last_seen.starts_at:
        raise ValidationError("That is before they were last seen: give the time of this attempt.",
                              code="made_before_last_seen", field="made_at")
    record = _record(programme, line, now)
    contact = FollowUpContact(follow_up_id=record.id, made_at=details.made_at, made_by_id=getattr(by, "id", None),
                              recorded_at=now, method=details.method, outcome=details.outcome, note=note or None)
    db.session.add(contact)
    db.session.flush()
    audit.record("follow_up.contact_recorded", actor=by, organisation=programme.organisation, subject=young_person,
                 now=now, programme_id=programme.id, method=details.method, outcome=details.outcome)
    db.session.commit()
    return contact


def close_follow_up(programme: Programme, young_person: YoungPerson, by, reason: str, rule: Rule,
                    *, now=None) -> FollowUp:
    """Take a young person off the follow-up list, with a reason, until they come back."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the follow-up is closed.", code="reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(f"Keep the reason under {MAX_REASON} characters.", code="reason_too_long",
                              field="reason")
    line = line_for(programme, young_person, rule, now=now)
    record = _record(programme, line, now)
    record.closed_at, record.closed_by_id, record.close_reason = now, getattr(by, "id", None), reason
    audit.record("follow_up.closed", actor=by, organisation=programme.organisation, subject=young_person, now=now,
                 programme_id=programme.id)
    db.session.commit()
    return record


def registers_not_taken(org, *, now=None, limit=100) -> list[ProgrammeSession]:
    """The organisation's sessions held with no register taken: not cancelled, ended more than a
    day ago, and nobody checked in. Newest first, at most `limit`."""
    now = now or utcnow()
    return db.session.execute(
        select(ProgrammeSession).join(Programme).where(
            Programme.organisation_id == org.id, ProgrammeSession.status == "scheduled",
            ProgrammeSession.ends_at <= now - timedelta(days=1),
            ~exists().where(Attendance.session_id == ProgrammeSession.id))
        .order_by(ProgrammeSession.starts_at.desc(), ProgrammeSession.id.desc()).limit(limit)).scalars().all()


def forget(young_person) -> int:
    """Remove a young person's follow-ups and contact notes (erasure, and anonymisation by the
    retention purge): they are working notes about reaching them, of no use once they are gone.
    Returns how many follow-ups were removed; the caller commits."""
    ids = db.session.execute(select(FollowUp.id).where(FollowUp.young_person_id == young_person.id)).scalars().all()
    if ids:
        db.session.execute(FollowUpContact.__table__.delete().where(FollowUpContact.follow_up_id.in_(ids)))
        db.session.execute(FollowUp.__table__.delete().where(FollowUp.id.in_(ids)))
    return len(ids)
