"""Check-in at the door: by pass, by name, as a walk-in; undo; check-out.

Every answer is a CheckinResult with a machine `code` and a colour a scanner
maps to its screen: green "ok", amber "warn", red "error". Replays are
harmless: a check-in carries a client reference, and the same reference again
returns the first answer instead of a second row. Two phones scanning the same
young person at once meet the UNIQUE(session, young person) constraint, and
the loser is told "already checked in".

There are two ways to name the young person, and each is the family's own act
(privacy.py): their pass shown at the door (`check_in_by_pass`), or a young
person the organisation already knows, found by name (`check_in_by_name`).
Every way in takes check-ins only while the session's check-in window is open
(CheckinWindow); check-out and undo stay open after it closes. Once the session's register has
locked (register_lock.py), every change (check-in, check-out, undo) needs a reason and is audited.
"""
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from . import audit, survey_timing
from .passes import find_by_secret_or_none
from .register_lock import DEFAULT_LOCK, RegisterLock, record_change
from ..database import lock_row
from ..errors import N_, ConflictError, DomainError, NotFoundError, ValidationError
from ..extensions import db
from ..models import Attendance, Pass, ProgrammeSession, Registration, YoungPerson
from ..privacy import is_known, known_young_people
from ..timeutil import age_on, to_local, utcnow

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
    # Start or end surveys due for them now, in words for the green screen (survey_timing.py).
    surveys_due: list[str] = field(default_factory=list)
    # The answer as sent, taken before the commit so sending it needs no reload.
    frozen: dict | None = None
    # `message` as marked for translation, and what fills it in: the scanner shows it in the worker's
    # language (web/api translates it); empty for a message that was not marked.
    msgid: str = ""
    params: dict = field(default_factory=dict)

    def as_dict(self, tz_name: str | None = None) -> dict:
        if self.frozen is not None:
            return self.frozen
        yp = self.young_person
        data = {"status": self.status, "code": self.code, "message": self.message, "flags": self.flags,
                "can_walk_in": self.can_walk_in, "attendance_id": self.attendance.id if self.attendance else None,
                "surveys_due": self.surveys_due}
        if yp is not None and yp.erased_at is None:
            data["young_person"] = {"id": yp.id, "first_name": yp.first_name,
                                    "age": age_on(yp.date_of_birth, utcnow().date()) if yp.date_of_birth else None}
        if self.attendance is not None:
            data["checked_in_at"] = self.attendance.checked_in_at.isoformat()
            # An offline scan whose phone time was refused: checked_in_at is when it reached the server.
            data["phone_clock_wrong"] = self.attendance.phone_time_refused is not None
        return data


def _said(status: str, code: str, msgid: str, yp=None, attendance=None, flags=None, *, can_walk_in=False,
          surveys_due=None, **params) -> CheckinResult:
    """A result whose message is `msgid` (marked with N_) filled in with `params`."""
    return CheckinResult(status, code, msgid % params if params else msgid, yp, attendance, flags or [],
                         can_walk_in=can_walk_in, surveys_due=surveys_due or [], msgid=msgid, params=params)


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
    return to_local(moment, tz_name).strftime("%H:%M")


def _local_when(moment: datetime, tz_name: str, now: datetime) -> str:
    """"17:00 on Fri 12 Dec", with the year when it is not this year's."""
    local = to_local(moment, tz_name)
    text = local.strftime("%H:%M on %a %-d %b")
    return text if local.year == to_local(now, tz_name).year else f"{text} {local.year}"


def _duration(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    if minutes == 60:
        return "an hour"
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@dataclass(frozen=True)
class CheckinWindow:
    """When a session takes check-ins: from `opens_before` its start until `closes_after` its end.

    A check-in outside it would count as attendance at a session that is not happening (a
    session a year ahead, last month's), so every way in refuses it with the code
    `outside_checkin_window`. Check-out and undo are not limited: people must be signed out.
    """

    opens_before: timedelta = timedelta(minutes=60)
    closes_after: timedelta = timedelta(hours=3)

    @classmethod
    def from_settings(cls, settings: Mapping) -> "CheckinWindow":
        """From CHECKIN_OPENS_MINUTES_BEFORE and CHECKIN_CLOSES_HOURS_AFTER (the app's config)."""
        return cls(opens_before=timedelta(minutes=settings.get("CHECKIN_OPENS_MINUTES_BEFORE", 60)),
                   closes_after=timedelta(hours=settings.get("CHECKIN_CLOSES_HOURS_AFTER", 3)))

    def opens_at(self, session: ProgrammeSession) -> datetime:
        return session.starts_at - self.opens_before

    def closes_at(self, session: ProgrammeSession) -> datetime:
        return session.ends_at + self.closes_after

    def state(self, session: ProgrammeSession, now: datetime) -> str:
        """'not_open' (too early), 'open' or 'closed' (too late)."""
        if now < self.opens_at(session):
            return "not_open"
        return "open" if now <= self.closes_at(session) else "closed"

    def is_open(self, session: ProgrammeSession, now: datetime) -> bool:
        return self.state(session, now) == "open"

    def refusal(self, session: ProgrammeSession, now: datetime, tz_name: str) -> str | None:
        """Why this session takes no check-ins now, with the next step; None while it does."""
        state = self.state(session, now)
        if state == "not_open":
            return (f"Check-in for this session opens at {_local_when(self.opens_at(session), tz_name, now)}, "
                    f"{_duration(self.opens_before)} before it starts. Check you have the right session open, "
                    "or come back then.")
        if state == "closed":
            return (f"Check-in for this session closed at {_local_when(self.closes_at(session), tz_name, now)}, "
                    f"{_duration(self.closes_after)} after it ended. Check you have the right session open.")
        return None


DEFAULT_WINDOW = CheckinWindow()

# A phone's clock a little ahead of the server's is a clock, not a wrong one: a scan time up to this
# far in the future counts as now (and is not flagged).
CLOCK_AHEAD_ALLOWED = timedelta(minutes=2)


def time_of_scan(scanned_at: datetime | None, session: ProgrammeSession, now: datetime,
                 window: CheckinWindow = DEFAULT_WINDOW) -> tuple[datetime, datetime | None]:
    """When an offline scan happened: (the time to record, the phone's time if it was refused).

    A scan queued without signal is sent later, sometimes hours later; its check-in is the moment it
    was scanned, as the phone saw it. A phone's clock can be wrong, so its time is refused when it is
    in the future (beyond CLOCK_AHEAD_ALLOWED) or outside the session's check-in window: then the
    server's time now is recorded and the phone's kept, so the register can flag it."""
    if scanned_at is None:
        return now, None
    if scanned_at > now + CLOCK_AHEAD_ALLOWED or not window.is_open(session, scanned_at):
        return now, scanned_at
    return min(scanned_at, now), None


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


def _check_in(yp: YoungPerson, session: ProgrammeSession, *, by=None, method="qr", client_ref=None,
              walk_in=False, now=None, tz_name="Europe/London", window: CheckinWindow = DEFAULT_WINDOW,
              scanned_at: datetime | None = None, lock: RegisterLock = DEFAULT_LOCK,
              reason: str | None = None) -> CheckinResult:
    """Check in a young person the caller has identified (by pass or by name), or say why not.

    `scanned_at` is the phone's time of an offline scan (see time_of_scan): the check-in is recorded
    then, and the window is judged then, so a queue sent after the window closed still lands. The
    register lock is judged on arrival: a queue reaching a register that has locked since is refused."""
    arrived = now or utcnow()
    now, phone_time_refused = time_of_scan(scanned_at, session, arrived, window)
    if client_ref:
        replay = db.session.execute(select(Attendance).where(Attendance.client_ref == client_ref)).scalar_one_or_none()
        if replay is not None:
            return _said(OK, "checked_in", N_("%(name)s is checked in."), yp, replay, flags_for(yp),
                         name=yp.short_name)
    if session.status == "cancelled":
        return _said(ERROR, "session_cancelled", N_("This session is cancelled. Check the session you have open."), yp)
    refusal = window.refusal(session, now, tz_name)
    if refusal:
        # Not a door moment: the answer names no one (a pass shown now is not for this session).
        return CheckinResult(ERROR, "outside_checkin_window", refusal)
    try:
        reason = lock.reason_for(session, arrived, reason, tz_name)
    except DomainError as err:  # locked and no reason (or one too long): names no one, like the window
        return CheckinResult(ERROR, err.code, err.message)
    programme = session.programme
    if yp.date_of_birth is not None:
        age = age_on(yp.date_of_birth, session.starts_at.date())
        if not programme.min_age <= age <= programme.max_age:
            return _said(ERROR, "outside_age_range",
                         N_("%(name)s is %(age)s; this session is for ages %(min)s to %(max)s. Speak to the "
                            "session lead."), yp, name=yp.short_name, age=age, min=programme.min_age,
                         max=programme.max_age)
    existing = db.session.execute(select(Attendance).where(
        Attendance.session_id == session.id, Attendance.young_person_id == yp.id)).scalar_one_or_none()
    if existing is not None:
        return _said(WARN, "already_checked_in", N_("%(name)s was already checked in at %(time)s."), yp, existing,
                     flags_for(yp), name=yp.short_name, time=_local_hm(existing.checked_in_at, tz_name))
    status, reg = booking_status(yp, session)
    if status in ("waitlisted", "other_session", "not_booked") and not walk_in:
        msgid = {
            "waitlisted": N_("%(name)s is on the waiting list, not booked. Check them in as a walk-in if "
                             "there's room."),
            "other_session": N_("%(name)s is booked on another session of this programme. Check them in as a "
                                "walk-in if there's room."),
            "not_booked": N_("%(name)s isn't booked on this session. Check them in as a walk-in if there's room."),
        }[status]
        return _said(WARN, status, msgid, yp, flags=flags_for(yp), can_walk_in=True, name=yp.short_name)
    attendance = Attendance(session_id=session.id, young_person_id=yp.id, checked_in_at=now,
                            checked_in_by_id=getattr(by, "id", None), client_ref=client_ref or None,
                            method="walk_in" if walk_in and status != "booked" else method,
                            phone_time_refused=phone_time_refused)
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
                return _said(OK, "checked_in", N_("%(name)s is checked in."), yp, replay, flags_for(yp),
                         name=yp.short_name)
        existing = db.session.execute(select(Attendance).where(
            Attendance.session_id == session.id, Attendance.young_person_id == yp.id)).scalar_one()
        return _said(WARN, "already_checked_in", N_("%(name)s was already checked in at %(time)s."), yp, existing,
                     flags_for(yp), name=yp.short_name, time=_local_hm(existing.checked_in_at, tz_name))
    msgid, params = N_("%(name)s is checked in."), {"name": yp.short_name}
    if phone_time_refused is not None:
        msgid = N_("%(name)s is checked in at %(time)s, when the scan reached us: this phone's clock is wrong, so "
                   "the time it scanned could not be used.")
        params["time"] = _local_hm(now, tz_name)
    elif scanned_at is not None:
        msgid = N_("%(name)s is checked in at %(time)s, when the pass was scanned.")
        params["time"] = _local_hm(now, tz_name)
    if reason:
        record_change("check_in", session, reason=reason, by=by, now=arrived, young_person_id=yp.id,
                      attendance_id=attendance.id)
    result = _said(OK, "checked_in", msgid, yp, attendance, flags_for(yp),
                   surveys_due=survey_timing.check_in_note(survey_timing.due_at_session(yp.id, session, now=now),
                                                           yp.first_name), **params)
    result.frozen = result.as_dict(tz_name)
    db.session.commit()
    return result


def check_in_by_pass(scanned: str, session: ProgrammeSession, **kwargs) -> CheckinResult:
    """Check in from a scanned pass (the URL or just the secret): the pass shown at the door is the
    family's act, so anyone holding a live pass may be checked in (as a walk-in when not booked)."""
    found: Pass | None = find_by_secret_or_none(secret_from_scan(scanned))
    if found is None:
        return _said(ERROR, "unknown_pass", N_("This isn't an Outreach pass. Find the young person by name instead."))
    if found.is_revoked:
        return _said(ERROR, "revoked_pass", N_("This pass was replaced and no longer works. Find the young person by "
                                               "name, and ask their family to show the new pass."))
    yp = found.young_person
    if yp.erased_at is not None:
        return _said(ERROR, "unknown_pass", N_("This pass is no longer in use."))
    return _check_in(yp, session, **kwargs)


def check_in_by_name(yp: YoungPerson, session: ProgrammeSession, **kwargs) -> CheckinResult:
    """Check in someone found by name: only a young person the session's organisation already knows
    (privacy.is_known: on its lists, or seen there before). Anyone else raises NotFoundError and
    nothing is written: a stranger at the door shows their pass or is added as a new walk-in."""
    if yp.erased_at is not None or not is_known(session.programme.organisation_id, yp.id):
        raise NotFoundError("We couldn't find that young person on your lists. Scan their pass, "
                            "or add them as a walk-in.", code="not_known")
    return _check_in(yp, session, **kwargs)


def undo_check_in(attendance: Attendance, *, by=None, now=None, lock: RegisterLock = DEFAULT_LOCK,
                  reason: str | None = None, tz_name: str = "Europe/London") -> bool:
    """Remove a check-in made by mistake. Audit-logged, since attendance feeds the evaluation.
    After the register's lock, only with a reason (RegisterLockedError without one).

    Undo tapped twice, or on two phones at once, undoes once: False when another
    request removed it first."""
    now = now or utcnow()
    attendance_id, session_id, young_person_id = attendance.id, attendance.session_id, attendance.young_person_id
    session = attendance.session
    reason = lock.reason_for(session, now, reason, tz_name)
    removed = db.session.execute(delete(Attendance).where(Attendance.id == attendance_id)).rowcount
    if removed:
        audit.record("attendance.undone", actor=by, subject=attendance, now=now,
                     session_id=session_id, young_person_id=young_person_id, **({"reason": reason} if reason else {}))
        if reason:
            record_change("undo", session, reason=reason, by=by, now=now, young_person_id=young_person_id,
                          attendance_id=attendance_id)
    db.session.commit()
    return bool(removed)


def check_out(attendance: Attendance, *, by=None, collected_by: str | None = None, went_home_alone=False,
              now=None, lock: RegisterLock = DEFAULT_LOCK, reason: str | None = None,
              tz_name: str = "Europe/London") -> Attendance:
    """Record who collected the young person, or that they went home alone (only with that consent).
    After the register's lock, only with a reason (RegisterLockedError without one)."""
    now = now or utcnow()
    # Two workers checking out the same young person at once: the first one's answer stands.
    if lock_row(db.session, Attendance, attendance.id) is None:
        raise ConflictError("This check-in was undone, so there is nothing to check out.", code="undone")
    if attendance.checked_out_at is not None:
        raise ConflictError(f"Already checked out: {attendance.how_they_left}.", code="already_checked_out")
    reason = lock.reason_for(attendance.session, now, reason, tz_name)
    yp = attendance.young_person
    if went_home_alone:
        if not yp.may_go_home_alone:
            raise ValidationError(f"{yp.short_name} doesn't have consent to go home alone: they must be collected.",
                                  code="no_home_alone_consent", field="went_home_alone")
    elif not (collected_by or "").strip():
        raise ValidationError("Say who collected them.", code="collector_required", field="collected_by")
    attendance.checked_out_at = max(now, attendance.checked_in_at)
    attendance.checked_out_by_id = getattr(by, "id", None)
    attendance.went_home_alone = bool(went_home_alone)
    attendance.collected_by = None if went_home_alone else collected_by.strip()[:120]
    if reason:
        record_change("check_out", attendance.session, reason=reason, by=by, now=now,
                      young_person_id=attendance.young_person_id, attendance_id=attendance.id)
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


def sessions_taking_checkins(org_ids, now, window: CheckinWindow = DEFAULT_WINDOW):
    """Sessions of these organisations whose check-in window is open now, soonest first."""
    from ..models import Programme

    return db.session.execute(
        select(ProgrammeSession).join(Programme).where(
            Programme.organisation_id.in_(org_ids), ProgrammeSession.status == "scheduled",
            ProgrammeSession.starts_at <= now + window.opens_before,
            ProgrammeSession.ends_at >= now - window.closes_after)
        .order_by(ProgrammeSession.starts_at)).scalars().all()


def attendance_at(yp: YoungPerson, sessions) -> dict[int, Attendance]:
    """This young person's attendances at these sessions, by session id: the state a pass opened at
    the door shows first ("In since 18:44"). Callers pass only sessions of the worker's own
    organisations, so no other organisation's register is read."""
    ids = [s.id for s in sessions]
    if not ids:
        return {}
    return {a.session_id: a for a in db.session.execute(select(Attendance).where(
        Attendance.young_person_id == yp.id, Attendance.session_id.in_(ids))).scalars()}


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


def known_not_on_list(session: ProgrammeSession, query: str, lines: list[RosterLine], *, limit=8):
    """Young people the session's organisation knows (privacy.py) whose name contains `query`
    and who are not on this session's list: someone who came before, at the door without their
    pass. Names only: their safeguarding details show once they are checked in."""
    query = (query or "").strip().lower()
    if not query:
        return []
    on_list = {line.young_person.id for line in lines}
    name = func.lower(func.coalesce(YoungPerson.first_name, "") + " " + func.coalesce(YoungPerson.last_name, ""))
    found = db.session.execute(
        select(YoungPerson).where(YoungPerson.id.in_(known_young_people(session.programme.organisation_id)),
                                  YoungPerson.erased_at.is_(None), YoungPerson.anonymised_at.is_(None),
                                  name.contains(query, autoescape=True))
        .order_by(func.lower(YoungPerson.first_name), func.lower(YoungPerson.last_name), YoungPerson.id)
        .limit(limit + len(on_list))).scalars().all()
    return [yp for yp in found if yp.id not in on_list][:limit]


def headcount(lines: list[RosterLine]) -> dict:
    return {"checked_in": sum(1 for x in lines if x.attendance is not None),
            "on_site": sum(1 for x in lines if x.attendance is not None and x.attendance.checked_out_at is None),
            "booked": sum(1 for x in lines if x.booking == "booked")}


def walk_in(org, staff_user, session: ProgrammeSession, *, first_name, last_name, date_of_birth,
            guardian_name, guardian_phone, medical_notes=None, consent_by_phone=False, age_of_consent=13,
            client_ref=None, once=None, now=None, window: CheckinWindow = DEFAULT_WINDOW,
            lock: RegisterLock = DEFAULT_LOCK, reason: str | None = None):
    """A young person at the door: create them, book them if there's room, and check them in, in one step.

    `once` is the form's one-time token: a repeat raises one_time.AlreadySavedError and adds nobody."""
    from . import consent, passes as pass_service, registration
    from . import one_time

    now = now or utcnow()
    if session.status != "cancelled" and (refusal := window.refusal(session, now, org.timezone)):
        raise ConflictError(refusal, code="outside_checkin_window")
    if session.status != "cancelled":
        reason = lock.reason_for(session, now, reason, org.timezone)
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
    if reason:
        record_change("walk_in", session, reason=reason, by=staff_user, now=now, young_person_id=yp.id,
                      attendance_id=attendance.id)
    db.session.commit()
    return attendance, booked
