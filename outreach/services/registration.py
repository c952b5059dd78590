"""Booking places: capacity, waiting lists, cancellations and promotion.

Capacity is held in the database transaction. The row that owns the places
(the session for `per_session`, the programme for `enrol`) is locked before
the confirmed bookings are counted: SELECT ... FOR UPDATE on PostgreSQL, and
on SQLite the database's write lock taken at that point (database.py), so two
requests can never both take the last place.
"""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..database import lock_row
from ..errors import N_, ConflictError, Day, DomainError, NotFoundError, ValidationError
from ..extensions import db
from ..models import Programme, ProgrammeSession, Registration
from ..timeutil import age_on, utcnow


@dataclass(frozen=True)
class Target:
    """What a booking is for: a whole programme (enrol) or one session."""

    programme: Programme
    session: ProgrammeSession | None

    @property
    def filters(self):
        if self.session is not None:
            return [Registration.session_id == self.session.id]
        return [Registration.programme_id == self.programme.id]

    @property
    def capacity(self) -> int:
        return self.session.effective_capacity if self.session is not None else self.programme.capacity


def target_for(programme: Programme, session: ProgrammeSession | None) -> Target:
    mode = programme.registration_mode
    if mode == "drop_in":
        raise ValidationError(N_("This is a drop-in programme: just come along, no booking needed."),
                              code="no_booking_needed")
    if mode == "per_session":
        if session is None or session.programme_id != programme.id:
            raise ValidationError(N_("Choose a session to book."), code="session_required", field="session_id")
        return Target(programme, session)
    return Target(programme, None)


def lock_places(programme: Programme, session: ProgrammeSession | None = None) -> None:
    """Hold the rows that own places until the commit, and reload them, since their status
    or capacity may have changed since they were read: the programme, then the session.

    Every booking, cancellation and edit that counts places goes through here, always in
    that order, so they queue one behind another and never deadlock. On PostgreSQL this is
    SELECT ... FOR UPDATE; on SQLite (where FOR UPDATE is not rendered) the write lock.
    """
    lock_row(db.session, Programme, programme.id)
    if session is not None:
        lock_row(db.session, ProgrammeSession, session.id)


def _lock(target: Target):
    lock_places(target.programme, target.session)


def _next_session(programme: Programme, now):
    return db.session.execute(
        select(ProgrammeSession).where(ProgrammeSession.programme_id == programme.id,
                                       ProgrammeSession.status == "scheduled",
                                       ProgrammeSession.starts_at > now)
        .order_by(ProgrammeSession.starts_at).limit(1)
    ).scalar_one_or_none()


def check_eligibility_of_target(target: Target, *, now) -> ProgrammeSession:
    """The target's own rules (published, not cancelled, not started, sessions left);
    returns the session whose date the age range is checked on."""
    programme = target.programme
    if not programme.is_published or programme.organisation.status != "approved":
        raise NotFoundError(N_("This programme isn't open for booking."), code="not_bookable")
    session = target.session or _next_session(programme, now)
    if target.session is not None:
        if session.status == "cancelled":
            raise ValidationError(N_("This session has been cancelled."), code="session_cancelled")
        if session.starts_at <= now:
            raise ValidationError(N_("This session has already started."), code="session_past")
    elif session is None:
        raise ValidationError(N_("This programme has no sessions left to book."), code="no_upcoming_sessions")
    return session


def check_eligibility(young_person, target: Target, *, now) -> None:
    programme = target.programme
    session = check_eligibility_of_target(target, now=now)
    if young_person.date_of_birth is None:
        raise ValidationError(N_("We need a date of birth to check the age range."), code="no_date_of_birth")
    age = age_on(young_person.date_of_birth, session.starts_at.date())
    if not programme.min_age <= age <= programme.max_age:
        raise ValidationError(
            N_("This programme is for ages %(min)s to %(max)s; %(name)s will be %(age)s on %(day)s."),
            code="outside_age_range", min=programme.min_age, max=programme.max_age, name=young_person.first_name,
            age=age, day=Day(session.starts_at))


def _live(target: Target, young_person_id=None):
    q = select(Registration).where(*target.filters, Registration.status != "cancelled")
    if young_person_id is not None:
        q = q.where(Registration.young_person_id == young_person_id)
    return q


def confirmed_count(target: Target) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration)
                             .where(*target.filters, Registration.status == "confirmed"))


def book_place(young_person, programme: Programme, session: ProgrammeSession | None = None, *,
               booked_by=None, source="online", now=None) -> Registration:
    """Book a young person: confirmed while places last, else on the waiting list.

    Raises ValidationError (no_booking_needed, session_required, session_cancelled,
    session_past, no_upcoming_sessions, outside_age_range), NotFoundError
    (not_bookable) or ConflictError (already_booked).
    """
    now = now or utcnow()
    target = target_for(programme, session)
    # Locked before the checks, so a session cancelled a moment ago is seen as cancelled.
    _lock(target)
    check_eligibility(young_person, target, now=now)
    if db.session.execute(_live(target, young_person.id)).first() is not None:
        db.session.rollback()
        raise _already_booked(young_person)
    reg = Registration(young_person_id=young_person.id, source=source, created_at=now,
                       created_by_id=getattr(booked_by, "id", None),
                       programme_id=programme.id if target.session is None else None,
                       session_id=target.session.id if target.session is not None else None)
    if confirmed_count(target) < target.capacity:
        reg.status, reg.confirmed_at = "confirmed", now
    else:
        reg.status, reg.waitlisted_at = "waitlisted", now
    db.session.add(reg)
    try:
        db.session.flush()
        if reg.status == "confirmed":
            # Its email is written in this transaction: no booking without it, no email without the booking.
            signals.booking_confirmed.send(None, registration=reg)
        db.session.commit()
    except IntegrityError:
        # The partial unique index caught a simultaneous double booking.
        db.session.rollback()
        raise _already_booked(young_person)
    return reg


def _already_booked(young_person) -> ConflictError:
    return ConflictError(N_("%(name)s is already booked on this."), code="already_booked",
                         name=young_person.first_name)


def waitlist_position(reg: Registration) -> int | None:
    """1 for the first on the list. Ties in time are broken by id, so positions never repeat."""
    if reg.status != "waitlisted":
        return None
    target_filter = (Registration.session_id == reg.session_id) if reg.session_id else (
        Registration.programme_id == reg.programme_id)
    ahead = db.session.scalar(
        select(func.count()).select_from(Registration).where(
            target_filter, Registration.status == "waitlisted",
            or_(Registration.waitlisted_at < reg.waitlisted_at,
                and_(Registration.waitlisted_at == reg.waitlisted_at, Registration.id < reg.id))))
    return ahead + 1


def _target_of(reg: Registration) -> Target:
    if reg.session_id is not None:
        session = db.session.get(ProgrammeSession, reg.session_id)
        return Target(session.programme, session)
    return Target(db.session.get(Programme, reg.programme_id), None)


def promote_waiting(target: Target, *, now) -> list[Registration]:
    """Fill free places from the head of the waiting list (caller holds the lock)."""
    free = target.capacity - confirmed_count(target)
    if free <= 0:
        return []
    waiting = db.session.execute(
        select(Registration).where(*target.filters, Registration.status == "waitlisted")
        .order_by(Registration.waitlisted_at, Registration.id).limit(free)).scalars().all()
    for reg in waiting:
        reg.status, reg.confirmed_at = "confirmed", now
    return waiting


def cancel_booking(reg: Registration, *, by=None, now=None) -> list[Registration]:
    """Cancel a booking; a confirmed place freed goes to the first on the waiting list.

    Returns the registrations promoted (so callers and tests can see who moved up).
    """
    now = now or utcnow()
    target = _target_of(reg)
    _lock(target)
    db.session.refresh(reg)
    if reg.status == "cancelled":
        db.session.rollback()
        raise ConflictError(N_("This booking was already cancelled."), code="already_cancelled")
    reg.status, reg.cancelled_at, reg.cancelled_by_id = "cancelled", now, getattr(by, "id", None)
    db.session.flush()
    promoted = promote_waiting(target, now=now)
    db.session.flush()
    for moved in promoted:
        signals.booking_promoted.send(None, registration=moved)
    db.session.commit()
    return promoted


def move_to_waiting_list(reg: Registration, *, by=None, now=None) -> Registration:
    """Staff move a confirmed booking to the head of the waiting list (their place is kept
    free for whoever staff confirm next; nobody is promoted automatically)."""
    now = now or utcnow()
    target = _target_of(reg)
    _lock(target)
    db.session.refresh(reg)
    if reg.status != "confirmed":
        db.session.rollback()
        raise ConflictError("Only a confirmed booking can move to the waiting list.", code="not_confirmed")
    head = db.session.scalar(select(func.min(Registration.waitlisted_at))
                             .where(*target.filters, Registration.status == "waitlisted"))
    reg.status, reg.confirmed_at = "waitlisted", None
    reg.waitlisted_at = min(head, now) - timedelta(seconds=1) if head else now
    db.session.commit()
    return reg


def confirm_from_waiting_list(reg: Registration, *, by=None, now=None) -> Registration:
    """Staff give a waiting-list booking a place, if one is free."""
    now = now or utcnow()
    target = _target_of(reg)
    _lock(target)
    db.session.refresh(reg)
    if reg.status != "waitlisted":
        db.session.rollback()
        raise ConflictError("Only a waiting-list booking can be confirmed.", code="not_waitlisted")
    if confirmed_count(target) >= target.capacity:
        db.session.rollback()
        raise ConflictError("No place is free. Move someone to the waiting list first, or raise the capacity.",
                            code="full")
    reg.status, reg.confirmed_at = "confirmed", now
    db.session.flush()
    signals.booking_promoted.send(None, registration=reg)
    db.session.commit()
    return reg


def registrations_for(programme: Programme, session: ProgrammeSession | None = None):
    """(confirmed, waiting) for a programme (enrol) or one of its sessions, waiting list in order."""
    target = Target(programme, session if programme.registration_mode != "enrol" else None)
    rows = db.session.execute(
        select(Registration).where(*target.filters, Registration.status != "cancelled")
        .order_by(Registration.waitlisted_at, Registration.id)).scalars().all()
    confirmed = sorted((r for r in rows if r.status == "confirmed"),
                       key=lambda r: ((r.young_person.last_name or "").lower(), (r.young_person.first_name or "")))
    waiting = [r for r in rows if r.status == "waitlisted"]
    return confirmed, waiting


# ------------------------------------------------------------------ a family books several at once

@dataclass(frozen=True)
class ChildResult:
    """What became of one young person in a family's booking: `status` is confirmed,
    waitlisted or refused; a refused one has the error's `code` and `message`."""

    young_person: object
    status: str
    registration: Registration | None = None
    code: str | None = None
    message: str | None = None
    waitlist_position: int | None = None
    error: DomainError | None = None  # why it was refused, for a page to word in its reader's language

    def translated(self) -> str:
        return self.error.translated() if self.error is not None else (self.message or "")


def check_child(young_person, target: Target, *, now) -> None:
    """The rules for one young person on a target that do not count places: the age range
    and not already booked. Raises ValidationError(outside_age_range, no_date_of_birth) or
    ConflictError(already_booked)."""
    check_eligibility(young_person, target, now=now)
    if db.session.execute(_live(target, young_person.id)).first() is not None:
        raise _already_booked(young_person)


def eligibility(people, programme: Programme, session: ProgrammeSession | None, *, now) -> dict[int, str | None]:
    """For the booking page, before anything is sent: per young person id, None when they
    can be booked, else why not (outside the age range, already booked). Read-only; booking
    checks again under the lock."""
    return {yp_id: (err.message if err is not None else None)
            for yp_id, err in eligibility_errors(people, programme, session, now=now).items()}


def eligibility_errors(people, programme: Programme, session: ProgrammeSession | None, *,
                       now) -> dict[int, DomainError | None]:
    """As eligibility, with the error itself, which a page words in its reader's language."""
    target = target_for(programme, session)
    result = {}
    for yp in people:
        try:
            check_child(yp, target, now=now)
        except (ValidationError, ConflictError) as err:
            result[yp.id] = err
        else:
            result[yp.id] = None
    return result


_CHILD_ERRORS = ("outside_age_range", "no_date_of_birth", "already_booked")


def book_places(young_people, programme: Programme, session: ProgrammeSession | None = None, *,
                booked_by, once: str | None = None, source="online", now=None) -> list[ChildResult]:
    """Book several young people of one family onto a session or a course in one step.

    All or nothing per young person: each is confirmed while places last, else waitlisted,
    else refused with the reason (outside_age_range, no_date_of_birth, already_booked), and
    one refusal does not stop the others. Places are taken in the order given, under the
    same lock as book_place, so capacity holds against anyone booking at the same moment.
    Errors about the target itself (not_bookable, session_cancelled, session_past,
    session_required, no_booking_needed, no_upcoming_sessions) refuse the whole booking.
    `once` is the form's one-time token: a repeat raises one_time.AlreadySavedError.
    """
    from . import one_time

    now = now or utcnow()
    target = target_for(programme, session)
    _lock(target)
    try:
        # The target's own rules, once: they hold for every child or none.
        check_eligibility_of_target(target, now=now)
        claimed = one_time.claim(booked_by, "book_family", once, now=now)
    except Exception:
        db.session.rollback()
        raise
    results: list[ChildResult] = []
    for yp in young_people:
        try:
            check_child(yp, target, now=now)
        except DomainError as err:
            if err.code not in _CHILD_ERRORS:
                db.session.rollback()
                raise
            results.append(ChildResult(yp, "refused", code=err.code, message=err.message, error=err))
            continue
        reg = Registration(young_person_id=yp.id, source=source, created_at=now,
                           created_by_id=getattr(booked_by, "id", None),
                           programme_id=programme.id if target.session is None else None,
                           session_id=target.session.id if target.session is not None else None)
        if confirmed_count(target) < target.capacity:
            reg.status, reg.confirmed_at = "confirmed", now
        else:
            reg.status, reg.waitlisted_at = "waitlisted", now
        try:
            # A savepoint per child: a double booking caught by the unique index refuses
            # that child only.
            with db.session.begin_nested():
                db.session.add(reg)
        except IntegrityError:
            err = _already_booked(yp)
            results.append(ChildResult(yp, "refused", code=err.code, message=err.message, error=err))
            continue
        results.append(ChildResult(yp, reg.status, registration=reg))
    made = [r.registration for r in results if r.registration is not None]
    if not made:
        # Nothing booked: nothing to keep, the form's token included, so the family can
        # change their choice and send the same form again.
        db.session.rollback()
        return results
    one_time.made(claimed, made[0])
    for reg in made:
        if reg.status == "confirmed":
            signals.booking_confirmed.send(None, registration=reg)
    db.session.commit()
    return [ChildResult(r.young_person, r.status, r.registration, r.code, r.message,
                        waitlist_position(r.registration) if r.status == "waitlisted" else None, r.error)
            for r in results]
