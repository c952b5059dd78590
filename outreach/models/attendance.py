from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of

CHECKIN_METHODS = ("qr", "manual", "walk_in", "offline_sync")


class Attendance(db.Model):
    """A young person at a session. The unique constraint is what turns a second
    scan, a replayed offline queue or two phones at once into one row."""

    __tablename__ = "attendances"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_people.id", ondelete="CASCADE"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(12))
    # The scanning client's id for this check-in; a repeat with the same id is a no-op.
    client_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    # An offline scan is recorded at the time the phone scanned it. When the phone's time could not be
    # right (in the future, or outside the session's check-in window), it is kept here and
    # checked_in_at is the server's time when the scan arrived: the register flags such a time.
    phone_time_refused: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    collected_by: Mapped[str | None] = mapped_column(String(120))
    went_home_alone: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    session = relationship("ProgrammeSession")
    young_person = relationship("YoungPerson")

    @property
    def time_from_server_not_phone(self) -> bool:
        """True when checked_in_at is the time an offline scan reached the server (the phone's clock was wrong)."""
        return self.phone_time_refused is not None

    @property
    def how_they_left(self) -> str | None:
        """'went home alone' or 'collected by <name>', once checked out."""
        if self.checked_out_at is None:
            return None
        if self.went_home_alone:
            return "went home alone"
        # Erasure blanks the collector's name and keeps the row.
        return f"collected by {self.collected_by}" if self.collected_by else "collected (name not kept)"

    __table_args__ = (
        UniqueConstraint("session_id", "young_person_id"),
        one_of("method", CHECKIN_METHODS, "method"),
        CheckConstraint("checked_out_at IS NULL OR checked_out_at >= checked_in_at", name="out_after_in"),
        # Retention and reach walk a young person's attendances in time order.
        Index("ix_attendances_young_person", "young_person_id", "session_id"),
    )
