"""What comes back from the text message providers: replies to reminders, and delivery receipts.

A reply "CANCEL" (or "can't come") to the day-before reminder cancels the booking that reminder
was about, and the freed place goes to the first on the waiting list (registration.cancel_booking,
which tells them). It is matched by the number the reply came from, against the latest reminder
texted to that number in the last REPLY_WINDOW; the number must still be a confirmed mobile of an
account that manages the young person. Anything else (an unknown number, no reminder, a booking
already cancelled or a session already begun, other words) touches nothing: the provider gets its
usual answer and nobody is told, so texting random words to the number learns nothing.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from ..errors import ConflictError
from ..extensions import db
from ..models import MobileNumber, OutgoingMessage, Registration
from ..timeutil import utcnow
from .. import signals
from . import audit, registration, sms

REPLY_WINDOW = timedelta(hours=48)

# Said as people text it: any case, with or without the apostrophe, a full stop or "please".
_CANCEL = re.compile(r"^(?:please\s+)?(?:cancel|can'?t\s+come|cannot\s+come|can\s+not\s+come)(?:\s+please)?$")


def means_cancel(body: str) -> bool:
    text = unicodedata.normalize("NFKC", body or "")[:200].lower().replace("\u2019", "'")
    text = re.sub(r"[.!,]+", " ", text)
    return bool(_CANCEL.match(" ".join(text.split())))


@dataclass
class ReplyOutcome:
    # cancelled | not_understood | unknown_number | no_reminder | nothing_to_cancel | too_late
    code: str
    registration: Registration | None = None
    promoted: list = field(default_factory=list)


def handle_reply(from_number: str, body: str, *, now: datetime | None = None) -> ReplyOutcome:
    """Act on a text sent back to us (each call one transaction)."""
    from .family import may_manage  # the one rule for who acts for a young person

    now = now or utcnow()
    number = sms.normalise_mobile(from_number or "")
    if number is None:
        return ReplyOutcome("unknown_number")
    if not means_cancel(body):
        return ReplyOutcome("not_understood")
    m = OutgoingMessage
    reminder = db.session.scalar(
        select(m).where(m.channel == "sms", m.kind == "reminder", m.recipient == number, m.status == "sent",
                        m.registration_id.is_not(None), m.created_at >= now - REPLY_WINDOW)
        .order_by(m.created_at.desc(), m.id.desc()).limit(1))
    if reminder is None:
        return ReplyOutcome("no_reminder")
    reg = db.session.get(Registration, reminder.registration_id)
    if reg is None:
        return ReplyOutcome("nothing_to_cancel")
    owners = db.session.scalars(select(MobileNumber).where(MobileNumber.number == number,
                                                           MobileNumber.confirmed_at.is_not(None))).all()
    actor = next((o.user for o in owners if may_manage(o.user, reg.young_person)), None)
    if actor is None:  # the number was removed or moved to another account since the reminder
        return ReplyOutcome("unknown_number")
    if reg.status != "confirmed":
        return ReplyOutcome("nothing_to_cancel", reg)
    if reg.session is not None and reg.session.starts_at <= now:
        return ReplyOutcome("too_late", reg)
    session, young_person = reg.session, reg.young_person
    audit.record("registration.cancelled_by_text", actor=actor, subject=reg, now=now,
                 organisation=session.programme.organisation)
    _confirm_to_sender(number, reg, now)
    try:
        promoted = registration.cancel_booking(reg, by=actor, now=now)
    except ConflictError:  # cancelled on the website a moment ago
        return ReplyOutcome("nothing_to_cancel", reg)
    return ReplyOutcome("cancelled", reg, promoted)


def _confirm_to_sender(number: str, reg: Registration, now) -> None:
    """The "done" text back (listeners.py), in the same transaction as the cancellation."""
    signals.booking_cancelled_by_text.send(None, registration=reg, number=number, now=now)


def record_delivery(provider: str, provider_ref: str, status: str, *, now: datetime | None = None) -> bool:
    """A provider's delivery receipt: the message's delivery status becomes sent / delivered / failed.

    False when the id is not one of ours or the status is not one we know (nothing changes). A
    receipt never moves a message back (a late "sent" after "delivered")."""
    now = now or utcnow()
    word = sms.delivery_status(provider, status)
    if word is None or not provider_ref:
        return False
    message = db.session.scalar(select(OutgoingMessage).where(OutgoingMessage.provider_ref == provider_ref[:64],
                                                              OutgoingMessage.channel == "sms"))
    if message is None:
        return False
    rank = {"sent": 0, "failed": 1, "delivered": 1}
    if rank[word] >= rank.get(message.delivery_status or "sent", 0):
        message.delivery_status, message.delivery_updated_at = word, now
    db.session.commit()
    return True
