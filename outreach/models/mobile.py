from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import utcnow


class MobileNumber(db.Model):
    """An account's mobile number for text messages: optional, confirmed with a code before any
    text is sent to it, with the account's choice of what to receive by text.

    One per account (a guardian, or a young person from the age of consent). The code is kept
    only as a keyed hash, expires, and allows a few tries (services/mobile.py)."""

    __tablename__ = "mobile_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # E.164 (+447700900123), as providers expect and inbound texts arrive.
    number: Mapped[str] = mapped_column(String(20), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    code_attempts: Mapped[int] = mapped_column(default=0)
    codes_sent: Mapped[int] = mapped_column(default=0)
    code_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What to receive by text (email always comes too).
    text_bookings: Mapped[bool] = mapped_column(default=True)  # booked, and moved off the waiting list
    text_reminders: Mapped[bool] = mapped_column(default=True)  # the day before, with "reply CANCEL"
    text_cancellations: Mapped[bool] = mapped_column(default=True)  # a session called off
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", backref=db.backref("mobile", uselist=False, passive_deletes=True))

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    def wants(self, kind: str) -> bool:
        return self.confirmed and {"booking_confirmed": self.text_bookings, "booking_promoted": self.text_bookings,
                                   "reminder": self.text_reminders,
                                   "session_cancelled": self.text_cancellations}.get(kind, False)
