from sqlalchemy import and_, func, or_, select

from . import Table, export
from ._common import file_name, local, person_name as _name
from ..extensions import db
from ..models import Attendance, Pass, Registration, User, YoungPerson
from ..services.passes import pass_code


WRONG_CLOCK_NOTE = ("Time in is when the scan reached the server: it was scanned without signal on a phone "
                    "whose clock was wrong.")


def _notes(att):
    """The worker's notes, and the flag for a time in that is not the scan's own (services/checkin.py)."""
    if att is None:
        return None
    parts = [att.notes] if att.notes else []
    if att.phone_time_refused is not None:
        parts.append(WRONG_CLOCK_NOTE)
    return " ".join(parts) or None


@export("session_register", "Session register", level="session",
        description="Everyone booked or checked in at one session, with times in and out. Identified: "
                    "for your organisation only.")
def session_register(ctx):
    session, tz = ctx.session, ctx.organisation.timezone
    programme = session.programme
    r, a, yp = Registration.__table__, Attendance.__table__, YoungPerson.__table__
    bookings = db.session.execute(
        select(r.c.young_person_id, r.c.programme_id, r.c.status, r.c.cancelled_at, r.c.source)
        .where(or_(r.c.session_id == session.id, r.c.programme_id == programme.id),
               r.c.confirmed_at.is_not(None), r.c.confirmed_at <= session.starts_at)
        .order_by(r.c.created_at)).all()
    booked = {}
    for young_person_id, course, status, cancelled_at, source in bookings:
        if status == "cancelled" and cancelled_at <= session.starts_at:
            # A course enrolment cancelled earlier means they left the course: not on this register.
            if course is None:
                booked.setdefault(young_person_id, "cancelled")
            continue
        booked[young_person_id] = "walk-in" if source == "walk_in" else "booked"
    checked_in = User.__table__.alias("checked_in_by")
    attendance = {row.young_person_id: row for row in db.session.execute(
        select(a, checked_in.c.full_name.label("in_by"))
        .outerjoin(checked_in, checked_in.c.id == a.c.checked_in_by_id)
        .where(a.c.session_id == session.id)).all()}
    ids = set(booked) | set(attendance)
    people = db.session.execute(
        select(yp.c.id, yp.c.first_name, yp.c.last_name, yp.c.erased_at, yp.c.anonymised_at, Pass.secret)
        .outerjoin(Pass, and_(Pass.young_person_id == yp.c.id, Pass.revoked_at.is_(None)))
        .where(yp.c.id.in_(ids)).order_by(func.lower(yp.c.last_name), func.lower(yp.c.first_name), yp.c.id)).all()
    ended = session.ends_at <= ctx.as_of

    def rows():
        for person in people:
            att = attendance.get(person.id)
            booking = booked.get(person.id, "walk-in")
            if session.status == "cancelled" or booking == "cancelled":
                status = "cancelled"
            elif att is not None:
                status = "present"
            else:
                status = "absent" if ended else "expected"
            name = _name(person)
            yield [name, pass_code(person.secret) if person.secret else None,
                   "walk-in" if booking == "walk-in" or (att is not None and att.method == "walk_in") else "booked",
                   status, local(att.checked_in_at, tz, "%H:%M") if att else None, att.in_by if att else None,
                   local(att.checked_out_at, tz, "%H:%M") if att else None,
                   ("went home alone" if att.went_home_alone else att.collected_by) if att else None,
                   _notes(att)]

    return Table(filename=file_name(ctx, "register", local(session.starts_at, tz, "%Y-%m-%d-%H%M")), rows=rows(),
                 title=f"Session register · {programme.title} · {local(session.starts_at, tz, '%a %-d %b %Y %H:%M')}",
                 header=["Name", "Pass code", "Booking", "Status", "Time in", "Checked in by", "Time out",
                         "Collected by", "Notes"], date_columns={4: "time", 6: "time"})

