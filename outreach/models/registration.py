from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of, utcnow

REGISTRATION_STATUSES = ("confirmed", "waitlisted", "cancelled")
REGISTRATION_SOURCES = ("online", "staff", "walk_in")


class Registration(db.Model):
    """A young person on a programme (enrol) or on one session (per_session).

    Exactly one of programme_id / session_id is set. At most one live
    (not cancelled) registration per young person and target, held by partial
    unique indexes so a double click cannot book twice.
    """

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_people.id", ondelete="CASCADE"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))
    # Order on the waiting list; a time of joining, so positions never need renumbering.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(10), default="online")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    young_person = relationship("YoungPerson")
    programme = relationship("Programme")
    session = relationship("ProgrammeSession")

    __table_args__ = (
        one_of("status", REGISTRATION_STATUSES, "status"),
        one_of("source", REGISTRATION_SOURCES, "source"),
        CheckConstraint("(programme_id IS NULL) <> (session_id IS NULL)", name="one_target"),
        Index("uq_registrations_live_programme", "young_person_id", "programme_id", unique=True,
              sqlite_where=text("status <> 'cancelled' AND programme_id IS NOT NULL"),
              postgresql_where=text("status <> 'cancelled' AND programme_id IS NOT NULL")),
        Index("uq_registrations_live_session", "young_person_id", "session_id", unique=True,
              sqlite_where=text("status <> 'cancelled' AND session_id IS NOT NULL"),
              postgresql_where=text("status <> 'cancelled' AND session_id IS NOT NULL")),
        # Capacity counts and waiting-list order per target.
        Index("ix_registrations_programme_status", "programme_id", "status", "waitlisted_at"),
        Index("ix_registrations_session_status", "session_id", "status", "waitlisted_at"),
        Index("ix_registrations_young_person", "young_person_id"),
    )
