"""Programmes and their sessions: creating, publishing, scheduling, cancelling.

Times come in as the organisation's wall-clock times and are stored in UTC,
so a weekly 18:00 session stays at 18:00 on both sides of a clock change.
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func, select

from .. import signals
from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import CATEGORIES, REGISTRATION_MODES, Programme, ProgrammeSession, ProgrammeText, Registration
from ..timeutil import local_to_utc, to_local, utcnow
from . import audit, registration
from .organisations import ensure_can_publish

MAX_SESSIONS_PER_RULE = 120
MAX_REGULAR_SESSIONS = 1200  # sessions a lead may set as "regular": ten weekly rules' worth
MAX_END_SURVEY_WEEKS = 104  # an end survey at most two years after someone's first session
MAX_TITLE, MAX_DESCRIPTION, MAX_DIRECTIONS = 120, 5000, 2000
# The languages a programme's texts may be in besides English (outreach/i18n.py ships them; a
# service does not import Flask, so the codes are listed here and a test keeps them in step).
TEXT_LANGUAGES = ("pl", "ur", "ar")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class LanguageText:
    """A programme's words in one other language; all three empty: the language is not offered."""
    title: str = ""
    description: str = ""
    venue_directions: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.title.strip() or self.description.strip() or self.venue_directions.strip())


@dataclass(frozen=True)
class ProgrammeDetails:
    title: str
    category: str
    venue_name: str
    venue_address: str
    postcode_district: str
    min_age: int
    max_age: int
    capacity: int
    registration_mode: str
    description: str = ""
    # Sessions a young person must come to for the evaluation to count them as a regular
    # attendee of this programme; None: the default share of the sessions offered to them.
    regular_sessions: int | None = None
    # Weeks after a young person's first session when their end survey falls due, if the
    # programme's last session has not come first; None: at the last session.
    end_survey_weeks: int | None = None
    # The follow-up list's numbers for this programme (services/follow_up.py); None: the settings.
    follow_up_first_sessions: int | None = None
    follow_up_missed: int | None = None
    # How to find the door, in English ("side entrance, by the car park").
    venue_directions: str = ""
    # The other languages' words by language code; None leaves the programme's texts as they are.
    texts: dict[str, LanguageText] | None = None


def _check_text(value: str, limit: int, field: str, what: str) -> None:
    if len(value) > limit:
        raise ValidationError(f"{what} must be {limit:,} characters or fewer.", code="too_long", field=field)
    if _CONTROL.search(value):
        raise ValidationError(f"{what} has characters that can't be shown: type it again.",
                              code="control_characters", field=field)


def _check_texts(texts: dict[str, LanguageText]) -> None:
    for code, text in texts.items():
        if code not in TEXT_LANGUAGES:
            raise ValidationError("Programme texts are only kept in Polish, Urdu or Arabic.",
                                  code="invalid_language", field="texts")
        for name, limit, what in (("title", MAX_TITLE, "The title"),
                                  ("description", MAX_DESCRIPTION, "The description"),
                                  ("venue_directions", MAX_DIRECTIONS, "How to find the venue")):
            value = getattr(text, name)
            if not isinstance(value, str):
                raise ValidationError(f"{what} must be text.", code="invalid_text", field=f"text_{code}_{name}")
            _check_text(value, limit, f"text_{code}_{name}", what)


def _check(details: ProgrammeDetails) -> None:
    _check_text(details.title, MAX_TITLE, "title", "The title")
    _check_text(details.description or "", MAX_DESCRIPTION, "description", "The description")
    _check_text(details.venue_directions or "", MAX_DIRECTIONS, "venue_directions", "How to find the venue")
    if details.texts is not None:
        _check_texts(details.texts)
    if not details.title.strip():
        raise ValidationError("Give the programme a title.", code="title_required", field="title")
    if details.category not in CATEGORIES:
        raise ValidationError("Choose a category.", code="invalid_category", field="category")
    if details.registration_mode not in REGISTRATION_MODES:
        raise ValidationError("Choose how young people register.", code="invalid_mode", field="registration_mode")
    if not 0 <= details.min_age <= 25 or not 0 <= details.max_age <= 25:
        raise ValidationError("Ages run from 0 to 25.", code="invalid_age", field="min_age")
    if details.min_age > details.max_age:
        raise ValidationError("The youngest age must not be above the oldest.", code="age_order", field="max_age")
    if details.capacity < 1:
        raise ValidationError("Capacity must be at least 1.", code="invalid_capacity", field="capacity")
    if details.regular_sessions is not None and not 1 <= details.regular_sessions <= MAX_REGULAR_SESSIONS:
        raise ValidationError(f"Enter a number of sessions from 1 to {MAX_REGULAR_SESSIONS:,}, or leave it blank.",
                              code="invalid_regular_sessions", field="regular_sessions")
    if details.end_survey_weeks is not None and not 1 <= details.end_survey_weeks <= MAX_END_SURVEY_WEEKS:
        raise ValidationError(f"Enter a number of weeks from 1 to {MAX_END_SURVEY_WEEKS}, or leave it blank.",
                              code="invalid_end_survey_weeks", field="end_survey_weeks")
    from .follow_up import MAX_FIRST_SESSIONS, MAX_MISSED
    if details.follow_up_first_sessions is not None and not 1 <= details.follow_up_first_sessions <= MAX_FIRST_SESSIONS:
        raise ValidationError(f"Enter a number of sessions from 1 to {MAX_FIRST_SESSIONS}, or leave it blank.",
                              code="invalid_follow_up_first_sessions", field="follow_up_first_sessions")
    if details.follow_up_missed is not None and not 1 <= details.follow_up_missed <= MAX_MISSED:
        raise ValidationError(f"Enter a number of sessions from 1 to {MAX_MISSED}, or leave it blank.",
                              code="invalid_follow_up_missed", field="follow_up_missed")


def create(org, details: ProgrammeDetails, *, by, now=None) -> Programme:
    _check(details)
    now = now or utcnow()
    programme = Programme(organisation_id=org.id, created_at=now, updated_at=now, **_clean(details))
    db.session.add(programme)
    db.session.flush()
    if details.texts is not None:
        _save_texts(programme, details.texts)
    audit.record("programme.created", actor=by, organisation=org, subject=programme, now=now)
    db.session.commit()
    return programme


def _clean(details: ProgrammeDetails) -> dict:
    return dict(title=details.title.strip(), description=(details.description or "").strip(),
                category=details.category, venue_name=details.venue_name.strip(),
                venue_address=details.venue_address.strip(), postcode_district=details.postcode_district.strip().upper(),
                min_age=details.min_age, max_age=details.max_age, capacity=details.capacity,
                registration_mode=details.registration_mode, regular_sessions=details.regular_sessions,
                end_survey_weeks=details.end_survey_weeks,
                follow_up_first_sessions=details.follow_up_first_sessions, follow_up_missed=details.follow_up_missed,
                venue_directions=(details.venue_directions or "").strip())


def _save_texts(programme: Programme, texts: dict[str, LanguageText]) -> None:
    """Each language given: its row written, or removed when all its words are empty."""
    rows = {row.language: row for row in programme.texts}
    for code in TEXT_LANGUAGES:
        if code not in texts:
            continue
        text, row = texts[code], rows.get(code)
        if text.is_empty:
            if row is not None:
                programme.texts.remove(row)
            continue
        if row is None:
            row = ProgrammeText(language=code)
            programme.texts.append(row)
        row.title, row.description = text.title.strip(), text.description.strip()
        row.venue_directions = text.venue_directions.strip()


def languages(programme: Programme) -> list[str]:
    """The codes of the languages a programme has words in besides English."""
    return [row.language for row in programme.texts if row.language in TEXT_LANGUAGES]


def _enrolled(programme) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.programme_id == programme.id, Registration.status == "confirmed"))


def _live_registrations(programme) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration)
        .outerjoin(ProgrammeSession, Registration.session_id == ProgrammeSession.id)
        .where((Registration.programme_id == programme.id) | (ProgrammeSession.programme_id == programme.id),
               Registration.status != "cancelled"))


def update(programme: Programme, details: ProgrammeDetails, *, by, now=None) -> Programme:
    _check(details)
    # The counts below must not change before the commit: no booking slips in between.
    registration.lock_places(programme)
    if details.registration_mode != programme.registration_mode and _live_registrations(programme):
        raise ConflictError("People have already booked, so the way of registering can't change now.",
                            code="mode_locked", field="registration_mode")
    if programme.registration_mode == "enrol" and details.capacity < _enrolled(programme):
        raise ConflictError(f"{_enrolled(programme)} people are already enrolled; capacity can't be lower than that.",
                            code="capacity_below_bookings", field="capacity")
    for key, value in _clean(details).items():
        setattr(programme, key, value)
    if details.texts is not None:
        _save_texts(programme, details.texts)
    audit.record("programme.updated", actor=by, organisation=programme.organisation, subject=programme, now=now)
    db.session.commit()
    return programme


def publish(programme: Programme, *, by, now=None) -> Programme:
    now = now or utcnow()
    ensure_can_publish(programme.organisation)
    upcoming = db.session.scalar(select(func.count()).select_from(ProgrammeSession).where(
        ProgrammeSession.programme_id == programme.id, ProgrammeSession.status == "scheduled",
        ProgrammeSession.starts_at > now))
    if not upcoming:
        raise ConflictError("Add at least one upcoming session before publishing, so families know when it runs.",
                            code="no_upcoming_sessions")
    programme.is_published, programme.published_at = True, now
    audit.record("programme.published", actor=by, organisation=programme.organisation, subject=programme, now=now)
    db.session.commit()
    return programme


def unpublish(programme: Programme, *, by, now=None) -> Programme:
    programme.is_published = False
    audit.record("programme.unpublished", actor=by, organisation=programme.organisation, subject=programme, now=now)
    db.session.commit()
    return programme


# ------------------------------------------------------------------ sessions

@dataclass(frozen=True)
class SessionTimes:
    day: date
    start: time
    end: time
    venue_name: str | None = None
    venue_address: str | None = None
    capacity: int | None = None


def _utc_span(times: SessionTimes, tz: str) -> tuple[datetime, datetime]:
    if times.end <= times.start:
        raise ValidationError("The session must end after it starts.", code="ends_before_start", field="end")
    return local_to_utc(times.day, times.start, tz), local_to_utc(times.day, times.end, tz)


def add_session(programme: Programme, times: SessionTimes, *, by, now=None) -> ProgrammeSession:
    now = now or utcnow()
    tz = programme.organisation.timezone
    starts, ends = _utc_span(times, tz)
    if starts <= now:
        raise ValidationError("Choose a date and time in the future.", code="in_the_past", field="day")
    if times.capacity is not None and times.capacity < 0:
        raise ValidationError("Capacity can't be negative.", code="invalid_capacity", field="capacity")
    session = ProgrammeSession(programme_id=programme.id, starts_at=starts, ends_at=ends,
                               venue_name=(times.venue_name or "").strip() or None,
                               venue_address=(times.venue_address or "").strip() or None,
                               capacity=times.capacity, created_at=now)
    db.session.add(session)
    db.session.flush()
    audit.record("session.created", actor=by, organisation=programme.organisation, subject=session, now=now)
    db.session.commit()
    return session


def update_session(session: ProgrammeSession, times: SessionTimes, *, by, now=None) -> ProgrammeSession:
    starts, ends = _utc_span(times, session.programme.organisation.timezone)
    registration.lock_places(session.programme, session)
    if session.is_cancelled:
        raise ConflictError("A cancelled session can't be changed.", code="session_cancelled")
    if times.capacity is not None:
        booked = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.session_id == session.id, Registration.status == "confirmed"))
        if times.capacity < booked:
            raise ConflictError(f"{booked} people are booked on this session; capacity can't be lower.",
                                code="capacity_below_bookings", field="capacity")
    session.starts_at, session.ends_at = starts, ends
    session.venue_name = (times.venue_name or "").strip() or None
    session.venue_address = (times.venue_address or "").strip() or None
    session.capacity = times.capacity
    audit.record("session.updated", actor=by, organisation=session.programme.organisation, subject=session, now=now)
    db.session.commit()
    return session


def people_booked(session: ProgrammeSession) -> list[Registration]:
    """Everyone expecting to come: the session's bookings, or the course's for `enrol`."""
    programme = session.programme
    if programme.registration_mode == "enrol":
        where = Registration.programme_id == programme.id
    else:
        where = Registration.session_id == session.id
    return db.session.execute(select(Registration).where(where, Registration.status != "cancelled")
                              .order_by(Registration.created_at)).scalars().all()


def cancel_session(session: ProgrammeSession, *, reason: str, by, now=None) -> list[Registration]:
    """Cancel one session and tell everyone booked. Per-session bookings are cancelled
    with it; course enrolments stay (the course goes on)."""
    now = now or utcnow()
    if session.is_cancelled:
        raise ConflictError("This session is already cancelled.", code="already_cancelled")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason: families see it in their email.", code="reason_required", field="reason")
    # A booking made while this runs either lands before (and is told) or sees the session cancelled.
    registration.lock_places(session.programme, session)
    if session.is_cancelled:
        raise ConflictError("This session is already cancelled.", code="already_cancelled")
    told = people_booked(session)
    session.status, session.cancelled_at, session.cancel_reason = "cancelled", now, reason
    for reg in told:
        if reg.session_id == session.id:
            reg.status, reg.cancelled_at, reg.cancelled_by_id = "cancelled", now, by.id
    audit.record("session.cancelled", actor=by, organisation=session.programme.organisation, subject=session,
                 now=now, reason=reason, told=len(told))
    db.session.flush()
    signals.session_cancelled.send(None, session=session, registrations=told)
    db.session.commit()
    return told


# -------------------------------------------------------------- weekly rule

@dataclass(frozen=True)
class WeeklyRule:
    weekday: int  # 0 = Monday
    start: time
    end: time
    first_date: date
    last_date: date
    skip_dates: frozenset = field(default_factory=frozenset)


@dataclass(frozen=True)
class PlannedSession:
    day: date
    starts_at: datetime
    ends_at: datetime
    skipped: bool  # a date the lead asked to skip (half-term, bank holiday)
    past: bool
    exists: bool  # a session already starts at that moment

    @property
    def created(self) -> bool:
        return not (self.skipped or self.past or self.exists)


def parse_skip_dates(text: str) -> frozenset:
    """Dates to skip, one per line or comma-separated, as YYYY-MM-DD or DD/MM/YYYY."""
    result = set()
    for chunk in (text or "").replace(",", "\n").splitlines():
        chunk = chunk.strip()
        if not chunk:
            continue
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                result.add(datetime.strptime(chunk, fmt).date())
                break
            except ValueError:
                continue
        else:
            raise ValidationError(f"\u201c{chunk[:20]}\u201d is not a date. Use 2026-10-27 or 27/10/2026.",
                                  code="invalid_skip_date", field="skip_dates")
    return frozenset(result)


def plan(programme: Programme, rule: WeeklyRule, *, now=None) -> list[PlannedSession]:
    """The sessions a rule would make, marking skipped dates and ones that already exist."""
    now = now or utcnow()
    if rule.end <= rule.start:
        raise ValidationError("The session must end after it starts.", code="ends_before_start", field="end")
    if rule.last_date < rule.first_date:
        raise ValidationError("The last date must be on or after the first.", code="dates_order", field="last_date")
    # Counted in day numbers before any date is made: stepping a week at a time towards
    # 9999-12-31 overflows the date type (a 500), and a rule running for centuries would be
    # walked week by week only to be refused.
    first = rule.first_date.toordinal() + (rule.weekday - rule.first_date.weekday()) % 7
    count = (rule.last_date.toordinal() - first) // 7 + 1 if first <= rule.last_date.toordinal() else 0
    if not count:
        raise ValidationError(f"There is no {WEEKDAYS[rule.weekday]} between those dates.", code="no_dates",
                              field="weekday")
    if count > MAX_SESSIONS_PER_RULE:
        raise ValidationError(f"That makes {count} sessions; one rule can make at most {MAX_SESSIONS_PER_RULE} "
                              f"(about two years of weekly sessions). Choose an earlier last date.",
                              code="too_many_sessions", field="last_date")
    days = [date.fromordinal(first + 7 * week) for week in range(count)]
    tz = programme.organisation.timezone
    existing = set(db.session.execute(select(ProgrammeSession.starts_at).where(
        ProgrammeSession.programme_id == programme.id)).scalars())
    planned = []
    for day in days:
        starts, ends = local_to_utc(day, rule.start, tz), local_to_utc(day, rule.end, tz)
        planned.append(PlannedSession(day, starts, ends, skipped=day in rule.skip_dates, past=starts <= now,
                                      exists=starts in existing))
    return planned


def generate(programme: Programme, rule: WeeklyRule, *, by, now=None) -> list[ProgrammeSession]:
    """Create the rule's sessions. Running it twice adds nothing the second time."""
    now = now or utcnow()
    made = []
    for p in plan(programme, rule, now=now):
        if p.created:
            s = ProgrammeSession(programme_id=programme.id, starts_at=p.starts_at, ends_at=p.ends_at, created_at=now)
            db.session.add(s)
            made.append(s)
    if not made:
        raise ValidationError("Every date is skipped, in the past or already has a session: nothing to add.",
                              code="nothing_to_add")
    db.session.flush()
    audit.record("sessions.generated", actor=by, organisation=programme.organisation, subject=programme, now=now,
                 count=len(made), weekday=rule.weekday)
    db.session.commit()
    return made


def local_parts(session: ProgrammeSession) -> SessionTimes:
    tz = session.programme.organisation.timezone
    start, end = to_local(session.starts_at, tz), to_local(session.ends_at, tz)
    return SessionTimes(start.date(), start.time().replace(tzinfo=None), end.time().replace(tzinfo=None),
                        session.venue_name, session.venue_address, session.capacity)


# ---------------------------------------------------------------- overviews

@dataclass
class ProgrammeSummary:
    programme: Programme
    next_session: ProgrammeSession | None
    upcoming: int
    booked: int


def summaries(programmes, *, now=None) -> list[ProgrammeSummary]:
    now = now or utcnow()
    ids = [p.id for p in programmes]
    if not ids:
        return []
    upcoming_rows = db.session.execute(
        select(ProgrammeSession).where(ProgrammeSession.programme_id.in_(ids), ProgrammeSession.status == "scheduled",
                                       ProgrammeSession.starts_at > now).order_by(ProgrammeSession.starts_at)
    ).scalars().all()
    nexts, counts = {}, {}
    for s in upcoming_rows:
        nexts.setdefault(s.programme_id, s)
        counts[s.programme_id] = counts.get(s.programme_id, 0) + 1
    booked = dict(db.session.execute(
        select(func.coalesce(Registration.programme_id, ProgrammeSession.programme_id), func.count(
            func.distinct(Registration.young_person_id)))
        .outerjoin(ProgrammeSession, Registration.session_id == ProgrammeSession.id)
        .where((Registration.programme_id.in_(ids)) | (ProgrammeSession.programme_id.in_(ids)),
               Registration.status == "confirmed")
        .group_by(func.coalesce(Registration.programme_id, ProgrammeSession.programme_id))).all())
    return [ProgrammeSummary(p, nexts.get(p.id), counts.get(p.id, 0), booked.get(p.id, 0)) for p in programmes]
