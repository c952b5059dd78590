"""What comes back from the text message providers: replies to reminders, and delivery receipts.

A reply "CANCEL" (or "can't come", or the same in Polish, Urdu or Arabic) to the day-before reminder cancels the booking that reminder
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

# The word each language's reminder asks for (templates/sms/reminder.txt): one means_cancel knows.
REPLY_WORDS = {"en_GB": "CANCEL", "pl": "ANULUJ", "ur": "منسوخ", "ar": "إلغاء"}

# What people text to say it, in each shipped language, as written; compared after _normalise (so in
# any case, with or without accents, apostrophes, spaces between words, Arabic short vowels, or the
# Arabic or Urdu form of a letter), with "please" before or after.
_SAYINGS = (
    "cancel", "can't come", "cannot come", "can not come",
    "anuluj", "anuluję", "nie mogę przyjść", "nie przyjdę", "nie mogę przyjechać",
    "منسوخ", "منسوخ کریں", "نہیں آ سکتا", "نہیں آ سکتی", "نہیں آ سکتے", "نہیں آ سکوں گا", "نہیں آ سکوں گی",
    "إلغاء", "ألغِ", "ألغي", "إلغاء الحجز", "لا أستطيع الحضور", "لا يمكنني الحضور", "لن أحضر",
)
_PLEASE = ("please", "pls", "proszę", "براہ کرم", "برائے مہربانی", "مہربانی", "من فضلك", "لو سمحت", "رجاء")

# One spelling for letters written two ways: Arabic and Urdu yeh, kaf and heh (ي/ی, ك/ک, ه/ہ/ھ),
# alef maksura and teh marbuta; Polish ł (NFKD leaves it whole).
_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u06c1": "\u0647",
                          "\u06be": "\u0647", "\u06d5": "\u0647", "\u0629": "\u0647", "\u0142": "l"})
# Not letters for this purpose: apostrophes, tatweel, invisible direction and joining marks, punctuation
# (Latin, Arabic and Urdu full stops, commas, question and exclamation marks).
_DROP = re.compile("[\u0027\u2019\u2018\u0060\u00b4\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_PUNCTUATION = re.compile("[.!?,;:\u060c\u061b\u061f\u06d4\u066b\u066c]+")


def _normalise(text: str) -> str:
    """Lower case, no accents or Arabic vowel marks (NFKD, combining marks dropped: أ إ آ become ا),
    one form of each look-alike letter, no punctuation, single spaces."""
    text = unicodedata.normalize("NFKD", text).lower()
    text = "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Mn")
    text = _DROP.sub("", text.translate(_LETTERS))
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def _squeezed(text: str) -> str:
    return _normalise(text).replace(" ", "")


_CANCEL = {_squeezed(s) for s in _SAYINGS}
_POLITE = sorted({_squeezed(p) for p in _PLEASE}, key=len, reverse=True)


def reply_word(language: str | None) -> str:
    """The word a reminder in this language asks the family to reply with (English's when unknown)."""
    return REPLY_WORDS.get(language or "", REPLY_WORDS["en_GB"])


def means_cancel(body: str) -> bool:
    text = _squeezed((body or "")[:200])
    for polite in _POLITE:  # "please" once, before or after
        if text.startswith(polite) and text[len(polite):] in _CANCEL:
            return True
        if text.endswith(polite) and text[:-len(polite)] in _CANCEL:
            return True
    return text in _CANCEL


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
    _confirm_to_sender(number, reg, now, actor)
    try:
        promoted = registration.cancel_booking(reg, by=actor, now=now)
    except ConflictError:  # cancelled on the website a moment ago
        return ReplyOutcome("nothing_to_cancel", reg)
    return ReplyOutcome("cancelled", reg, promoted)


def _confirm_to_sender(number: str, reg: Registration, now, actor) -> None:
    """The "done" text back (listeners.py), in the same transaction as the cancellation, in the
    language of the account that replied."""
    signals.booking_cancelled_by_text.send(None, registration=reg, number=number, now=now, by=actor)


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
