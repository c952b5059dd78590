"""The day-before reminder (an hourly task, or cron). Never sends the same reminder twice."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Programme, ProgrammeSession, Registration, ReminderSent
from ..timeutil import utcnow


@dataclass
class Due:
    session: ProgrammeSession
    young_person_id: int


def due_reminders(now, window=timedelta(hours=36), lead=timedelta(hours=12)) -> list[Due]:
    """Confirmed young people on scheduled sessions starting between `lead` and `window` from now
    (so a daily run at tea time catches tomorrow's sessions), not yet reminded."""
    start, end = now + lead, now + window
    booked = (
        select(ProgrammeSession, Registration.young_person_id)
        .join(Programme, Programme.id == ProgrammeSession.programme_id)
        .join(Registration, or_(Registration.session_id == ProgrammeSession.id,
                                and_(Registration.programme_id == Programme.id,
                                     Programme.registration_mode == "enrol")))
        .outerjoin(ReminderSent, and_(ReminderSent.session_id == ProgrammeSession.id,
                                      ReminderSent.young_person_id == Registration.young_person_id))
        .where(ProgrammeSession.status == "scheduled", ProgrammeSession.starts_at >= start,
               ProgrammeSession.starts_at < end, Registration.status == "confirmed", ReminderSent.id.is_(None))
        .order_by(ProgrammeSession.starts_at)
    )
    return [Due(s, yp_id) for s, yp_id in db.session.execute(booked)]


def claim(due: Due, now) -> bool:
    """Record the reminder in the current transaction; False when another run got there first
    (the unique constraint; a savepoint keeps the rest of the transaction)."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderSent(session_id=due.session.id, young_person_id=due.young_person_id,
                                        sent_at=now))
    except IntegrityError:
        return False
    return True


def send_due_reminders(send, now=None) -> int:
    """Claim each due reminder and queue its email in one transaction, so a reminder is
    recorded exactly when its email is queued; `send(session, young_person_id)` queues the
    mail (listeners.send_reminder) and the outbox worker sends it."""
    now = now or utcnow()
    sent = 0
    for due in due_reminders(now):
        session, young_person_id = due.session, due.young_person_id
        if claim(due, now):
            send(session, young_person_id)
            db.session.commit()
            sent += 1
        else:
            db.session.commit()
    return sent
