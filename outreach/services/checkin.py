"""Check-in at the door: by pass, by name, as a walk-in; undo; check-out.

Every answer is a CheckinResult with a machine `code` and a colour a scanner
maps to its screen: green "ok", amber "warn", red "error". Replays are
harmless: a check-in carries a client reference, and the same reference again
returns the first answer instead of a second row. Two phones scanning the same
young person at once meet the UNIQUE(session, young person) constraint, and
the loser is told "already checked in".
"""
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from . import audit
from .passes import find_by_secret_or_none
from ..database import lock_row
from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import Attendance, Pass, ProgrammeSession, Registration, YoungPerson
from ..timeutil import age_on, utcnow

OK, WARN, ERROR = "ok", "warn", "error"


@dataclass
class CheckinResult:
    status: str
    code: str
    message: str
    young_person: YoungPerson | None = None
    attendance: Attendance | None = None
    flags: list[str] = field(default_factory=list)
    can_walk_in: bool = False
    # The answer as sent, taken before the commit so sending it needs no reload.
    frozen: dict | None = None

    def as_dict(self, tz_name: str | None = None) -> dict:
        if self.frozen is not None:
            return self.frozen
        yp = self.young_person
        data = {"status": self.status, "code": self.code, "message": self.message, "flags": self.flags,
                "can_walk_in": self.can_walk_in, "attendance_id": self.attendance.id if self.attendance else None}
        if yp is not None and yp.erased_at is None:
            data["young_person"] = {"id": yp.id, "first_name": yp.first_name,
                                    "age": age_on(yp.date_of_birth, utcnow().date()) if yp.date_of_birth else None}
        if self.attendance is not None:
            data["checked_in_at"] = self.attendance.checked_in_at.isoformat()
        return data


def secret_from_scan(text: str) -> str:
    """A scanner may read the whole pass URL or just its secret."""
    text = (text or "").strip()
    if "/p/" in text:
        text = text.rsplit("/p/", 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].strip("/")[:64]


def secret_hash(secret: str) -> str:
    """What an offline roster carries instead of the secret itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


def flags_for(yp: YoungPerson) -> list[str]:
    """What a worker must know at once, in words (the scanner also shows icons)."""
    flags = []
    if yp.medical_notes:
        flags.append("Medical or allergy note")
    if not yp.photo_consent:
        flags.append("No photos")
    if yp.may_go_home_alone:
        flags.append("May go home alone")
    else:
        flags.append("Must be collected")
    return flags


def _local_hm(moment: datetime, tz_name: str) -> str:
    from ..timeutil import to_local
    return to_local(moment, tz_name).strftime("%H:%M")


def booking_status(yp: YoungPerson, session: ProgrammeSession) -> tuple[str, Registration | None]:
    """'booked', 'waitlisted', 'other_session', 'not_booked' or 'drop_in' for this young person and session."""
    programme = session.programme
    if programme.registration_mode == "drop_in":
        return "drop_in", None
    if programme.registration_mode == "enrol":
        reg = db.session.execute(select(Registration).where(
            Registration.young_person_id == yp.id, Registration.programme_id == programme.id,
            Registration.status != "cancelled")).scalar_one_or_none()
    else:
        reg = db.session.execute(select(Registration).where(
            Registration.young_person_id == yp.id, Registration.session_id == session.id,
            Registration.status != "cancelled")).scalar_one_or_none()
        if reg is None:
            other = db.session.execute(select(Registration).join(ProgrammeSession, Registration.session_id ==
                                                                 ProgrammeSession.id).where(
                Registration.young_person_id == yp.id, ProgrammeSession.programme_id == programme.id,
                Registration.status == "confirmed").limit(1)).scalar_one_or_none()
            if other is not None:
                return "other_session", other
    if reg is None:
        return "not_booked", None
    return ("booked" if reg.status == "confirmed" else "waitlisted"), reg


def check_in(yp: YoungPerson, session: ProgrammeSession, *, by=None, method="qr", client_ref=None,
             walk_in=False, now=None, tz_name="Europe/London") -> CheckinResult:
    """Check a known young person in to a session, or say why not."""
    now = now or utcnow()
    if client_ref:
        replay = db.session.execute(select(Attendance).where(Attendance.client_ref == client_ref)).scalar_one_or_none()
        if replay is not None:
            return CheckinResult(OK, "checked_in", f"{yp.first_name} is checked in.", yp, replay, flags_for(yp))
    if session.status == "cancelled":
        return CheckinResult(ERROR, "session_cancelled",
                             "This session is cancelled. Check the session you have open.", yp)
    programme = session.programme
    if yp.date_of_birth is not None:
        age = age_on(yp.date_of_birth, session.starts_at.date())
        if not programme.min_age <= age <= programme.max_age:
            return CheckinResult(ERROR, "outside_age_range",
                                 f"{yp.first_name} is {age}; this session is for ages {programme.min_age} to "
                                 f"{programme.max_age}. Speak to the session lead.", yp)
    existing = db.session.execute(select(Attendance).where(
        Attendance.session_id == session.id, Attendance.young_person_id == yp.id)).scalar_one_or_none()
    if existing is not None:
        return CheckinResult(WARN, "already_checked_in",
                             f"{yp.first_name} was already checked in at {_local_hm(existing.checked_in_at, tz_name)}.",
                             yp, existing, flags_for(yp))
    status, reg = booking_status(yp, session)
    if status in ("waitlisted", "other_session", "not_booked") and not walk_in:
        message = {
            "waitlisted": f"{yp.first_name} is on the waiting list, not booked.",
            "other_session": f"{yp.first_name} is booked on another session of this programme.",
            "not_booked": f"{yp.first_name} isn't booked on this session.",
        }[status]
        return CheckinResult(WARN, status, message + " Check them in as a walk-in if there's room.", yp,
                             flags=flags_for(yp), can_walk_in=True)
    attendance = Attendance(session_id=session.id, young_person_id=yp.id, checked_in_at=now,
                            checked_in_by_id=getattr(by, "id", None), client_ref=client_ref or None,
                            method="walk_in" if walk_in and status != "booked" else method)
    db.session.add(attendance)
    try:
        db.session.flush()
    except IntegrityError:
        # Another phone checked them in a moment ago, or this exact scan was replayed.
        db.session.rollback()
        if client_ref:
            replay = db.session.execute(
                select(Attendance).where(Attendance.client_ref == client_ref)).scalar_one_or_none()
            if replay is not None:
                return CheckinResult(OK, "checked_in", f"{yp.first_name} is checked in.", yp, replay, flags_for(yp))
        existing = db.session.execute(select(Attendance).where(
            Attendance.session_id == session.id, Attendance.young_person_id == yp.id)).scalar_one()
        return CheckinResult(WARN, "already_checked_in",
                             f"{yp.first_name} was already checked in at {_local_hm(existing.checked_in_at, tz_name)}.",
                             yp, existing, flags_for(yp))
    result = CheckinResult(OK, "checked_in", f"{yp.first_name} is checked in.", yp, attendance, flags_for(yp))
    result.frozen = result.as_dict(tz_name)
    db.session.commit()
    return result


def check_in_by_pass(scanned: str, session: ProgrammeSession, **kwargs) -> CheckinResult:
    """Check in from a scanned pass (the URL or just the secret)."""
    found: Pass | None = find_by_secret_or_none(secret_from_scan(scanned))
    if found is None:
        return CheckinResult(ERROR, "unknown_pass",
                             "This isn't an Outreach pass. Find the young person by name instead.")
    if found.is_revoked:
        return CheckinResult(ERROR, "revoked_pass",
                             "This pass was replaced and no longer works. Find the young person by name, "
                             "and ask their family to show the new pass.")
    yp = found.young_person
    if yp.erased_at is not None:
        return CheckinResult(ERROR, "unknown_pass", "This pass is no longer in use.")
    return check_in(yp, session, **kwargs)


def undo_check_in(attendance: Attendance, *, by=None, now=None) -> bool:
    """Remove a check-in made by mistake. Audit-logged, since attendance feeds the evaluation.

    Undo tapped twice, or on two phones at once, undoes once: False when another
    request removed it first."""
    attendance_id, session_id, young_person_id = attendance.id, attendance.session_id, attendance.young_person_id
    removed = db.session.execute(delete(Attendance).where(Attendance.id == attendance_id)).rowcount
    if removed:
        audit.record("attendance.undone", actor=by, subject=attendance, now=now or utcnow(),
                     session_id=session_id, young_person_id=young_person_id)
    db.session.commit()
    return bool(removed)


def check_out(attendance: Attendance, *, by=None, collected_by: str | None = None, went_home_alone=False,
              now=None) -> Attendance:
    """Record who collected the young person, or that they went home alone (only with that consent)."""
    now = now or utcnow()
    # Two workers checking out the same young person at once: the first one's answer stands.
    if lock_row(db.session, Attendance, attendance.id) is None:
        raise ConflictError("This check-in was undone, so there is nothing to check out.", code="undone")
    if attendance.checked_out_at is not None:
        raise ConflictError(f"Already checked out: {attendance.how_they_left}.", code="already_checked_out")
    yp = attendance.young_person
    if went_home_alone:
        if not yp.may_go_home_alone:
            raise ValidationError(f"{yp.first_name} doesn't have consent to go home alone: they must be collected.",
                                  code="no_home_alone_consent", field="went_home_alone")
    elif not (collected_by or "").strip():
        raise ValidationError("Say who collected them.", code="collector_required", field="collected_by")
    attendance.checked_out_at = max(now, attendance.checked_in_at)
    attendance.checked_out_by_id = getattr(by, "id", None)
    attendance.went_home_alone = bool(went_home_alone)
    attendance.collected_by = None if went_home_alone else collected_by.strip()[:120]
    db.session.commit()
    return attendance


# ---------------------------------------------------------------- the door's lists

@dataclass
class RosterLine:
    young_person: YoungPerson
    booking: str            # booked / waitlisted / walk_in / drop_in
    attendance: Attendance | None
    pass_hash: str | None
    age: int | None


def todays_sessions(org, now, tz_name: str):
    """The organisation's sessions that start on the local calendar day of `now`, and
    any that began the evening before and are still running (a late session after midnight)."""
    from datetime import time, timedelta

    from sqlalchemy import and_, or_

    from ..models import Programme
    from ..timeutil import local_to_utc, to_local

    day = to_local(now, tz_name).date()
    start, end = local_to_utc(day, time(0), tz_name), local_to_utc(day + timedelta(days=1), time(0), tz_name)
    starts_today = and_(ProgrammeSession.starts_at >= start, ProgrammeSession.starts_at < end)
    still_running = and_(ProgrammeSession.starts_at < start, ProgrammeSession.ends_at > now)
    return db.session.execute(
        select(ProgrammeSession).join(Programme).where(
            Programme.organisation_id == org.id, or_(starts_today, still_running))
        .order_by(ProgrammeSession.starts_at)).scalars().all()


def sessions_now(org_ids, now, *, early_minutes=60):
    """Sessions of these organisations happening now (or starting within the hour)."""
    from datetime import timedelta

    from ..models import Programme

    return db.session.execute(
        select(ProgrammeSession).join(Programme).where(
            Programme.organisation_id.in_(org_ids), ProgrammeSession.status == "scheduled",
            ProgrammeSession.starts_at <= now + timedelta(minutes=early_minutes), ProgrammeSession.ends_at >= now)
        .order_by(ProgrammeSession.starts_at)).scalars().all()


def roster(session: ProgrammeSession, *, now=None) -> list[RosterLine]:
    """Everyone expected or present: bookings (live) and attendances, by name."""
    now = now or utcnow()
    programme = session.programme
    if programme.registration_mode == "enrol":
        target = Registration.programme_id == programme.id
    else:
        target = Registration.session_id == session.id
    regs = db.session.execute(select(Registration).where(target, Registration.status != "cancelled")).scalars().all()
    atts = {a.young_person_id: a for a in db.session.execute(
        select(Attendance).where(Attendance.session_id == session.id)).scalars()}
    people = {r.young_person_id: ("booked" if r.status == "confirmed" else "waitlisted") for r in regs}
    for yp_id, att in atts.items():
        people.setdefault(yp_id, "walk_in" if att.method == "walk_in" else "drop_in")
    if not people:
        return []
    yps = {yp.id: yp for yp in db.session.execute(select(YoungPerson).where(YoungPerson.id.in_(people))).scalars()}
    secrets = dict(db.session.execute(select(Pass.young_person_id, Pass.secret).where(
        Pass.young_person_id.in_(people), Pass.revoked_at.is_(None))).all())
    lines = [RosterLine(yps[i], booking, atts.get(i), secret_hash(secrets[i]) if i in secrets else None,
                        age_on(yps[i].date_of_birth, session.starts_at.date()) if yps[i].date_of_birth else None)
             for i, booking in people.items() if yps[i].erased_at is None]
    lines.sort(key=lambda line: ((line.young_person.first_name or "").lower(),
                                 (line.young_person.last_name or "").lower()))
    return lines


def headcount(lines: list[RosterLine]) -> dict:
    return {"checked_in": sum(1 for x in lines if x.attendance is not None),
            "on_site": sum(1 for x in lines if x.attendance is not None and x.attendance.checked_out_at is None),
            "booked": sum(1 for x in lines if x.booking == "booked")}


def walk_in(org, staff_user, session: ProgrammeSession, *, first_name, last_name, date_of_birth,
            guardian_name, guardian_phone, medical_notes=None, consent_by_phone=False, age_of_consent=13,
            client_ref=None, once=None, now=None):
    """A young person at the door: create them, book them if there's room, and check them in, in one step.

    `once` is the form's one-time token: a repeat raises one_time.AlreadySavedError and adds nobody."""
    from . import consent, passes as pass_service, registration
    from . import one_time

    now = now or utcnow()
    if date_of_birth > now.date():
        raise ValidationError("The date of birth can't be in the future.", code="dob_in_future",
                              field="date_of_birth")
    programme = session.programme
    age = age_on(date_of_birth, session.starts_at.date())
    if not programme.min_age <= age <= programme.max_age:
        raise ValidationError(f"This session is for ages {programme.min_age} to {programme.max_age}; they are {age}.",
                              code="outside_age_range", field="date_of_birth")
    if age_on(date_of_birth, now.date()) < age_of_consent and not consent_by_phone:
        raise ValidationError("Under-13s need a parent or carer's consent: phone them and tick the box.",
                              code="consent_required", field="consent_by_phone")
    if session.status == "cancelled":
        raise ConflictError("This session is cancelled.", code="session_cancelled")
    claimed = one_time.claim(staff_user, "walk_in", once, now=now)
    yp = YoungPerson(first_name=first_name, last_name=last_name, date_of_birth=date_of_birth,
                     emergency_contact_name=guardian_name, emergency_contact_phone=guardian_phone,
                     medical_notes=medical_notes or None, created_by_organisation_id=org.id,
                     created_by_id=staff_user.id, created_at=now)
    db.session.add(yp)
    db.session.flush()
    if consent_by_phone:
        consent.record_consent(yp, given_by=staff_user, kind="guardian", now=now)
    pass_service.ensure_pass(yp, now=now, commit=False)
    booked = False
    if programme.registration_mode != "drop_in":
        target = registration.target_for(programme, session)
        registration._lock(target)
        if registration.confirmed_count(target) < target.capacity:
            db.session.add(Registration(
                young_person_id=yp.id, status="confirmed", confirmed_at=now, source="walk_in", created_at=now,
                created_by_id=staff_user.id, session_id=session.id if target.session else None,
                programme_id=None if target.session else programme.id))
            booked = True
    attendance = Attendance(session_id=session.id, young_person_id=yp.id, checked_in_at=now,
                            checked_in_by_id=staff_user.id, method="walk_in", client_ref=client_ref or None)
    db.session.add(attendance)
    db.session.flush()
    one_time.made(claimed, attendance)
    audit.record("young_person.created", actor=staff_user, organisation=org, subject=yp, now=now, via="walk_in")
    db.session.commit()
    return attendance, booked
