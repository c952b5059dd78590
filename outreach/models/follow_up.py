from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of, utcnow

# How a worker tried to get in touch, and what came of it.
CONTACT_METHODS = {
    "phone": "Phone call",
    "text": "Text message",
    "email": "Email",
    "in_person": "In person",
    "school": "Through their school",
    "home_visit": "Home visit",
    "other_agency": "Through another service",
    "other": "Another way",
}
CONTACT_OUTCOMES = {
    "no_answer": "No answer",
    "left_message": "Left a message",
    "spoke": "Spoke with them or their family",
    "coming_back": "Said they will come back",
    "not_coming_back": "Said they will not come back",
    "wrong_details": "Contact details were wrong",
    "other": "Something else (see the note)",
}


class FollowUp(db.Model):
    """One spell of absence of a regular from a programme, once a worker has acted on it.

    Who is on the follow-up list is worked out from the register (services/follow_up.py); a row
    exists only when a worker records a contact attempt or closes the spell. A spell is named by
    the session they were last seen at: when they come back, that changes, and a later absence is
    a new spell with a new row, so closing one never hides the next."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_people.id", ondelete="CASCADE"), index=True)
    last_seen_session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    close_reason: Mapped[str | None] = mapped_column(Text)

    contacts = relationship("FollowUpContact", back_populates="follow_up", order_by="FollowUpContact.made_at",
                            cascade="all, delete-orphan")
    closed_by = relationship("User", foreign_keys=[closed_by_id])

    __table_args__ = (
        UniqueConstraint("programme_id", "young_person_id", "last_seen_session_id", name="uq_follow_up_spell"),
        Index("ix_follow_ups_programme", "programme_id"),
    )


class FollowUpContact(db.Model):
    """An attempt to get in touch with a young person on the follow-up list: who, when, how, outcome."""

    __tablename__ = "follow_up_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_ups.id", ondelete="CASCADE"), index=True)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    method: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    follow_up = relationship("FollowUp", back_populates="contacts")
    made_by = relationship("User", foreign_keys=[made_by_id])

    __table_args__ = (
        one_of("method", tuple(CONTACT_METHODS), "method"),
        one_of("outcome", tuple(CONTACT_OUTCOMES), "outcome"),
    )

    @property
    def method_label(self) -> str:
        return CONTACT_METHODS.get(self.method, self.method)

    @property
    def outcome_label(self) -> str:
        return CONTACT_OUTCOMES.get(self.outcome, self.outcome)
