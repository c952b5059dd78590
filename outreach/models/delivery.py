"""How a programme was delivered and what it cost (issue 17, point 6; EMMIE's
"implementation" and "economic cost"): staff and volunteer time per session, and the
programme's cost per term."""
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of, utcnow

STAFF_ROLES = {"staff": "Staff", "volunteer": "Volunteer"}
# One person's time at one session: never more than a day.
MAX_MINUTES_PER_PERSON = 24 * 60
# Largest cost of one programme in one term, in pence (£10 million): beyond any real
# programme, and far inside a 64-bit column, so a typo is a message, never an overflow.
MAX_COST_PENCE = 10_000_000 * 100


class SessionStaffTime(db.Model):
    """One person's time at one session, staff or volunteer, in whole minutes."""

    __tablename__ = "session_staff_time"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    # Who: the name as typed (a volunteer may have no account); the key is its case-folded
    # form, so "Sam Ali" and "sam ali" are one person at one session.
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(10))
    minutes: Mapped[int] = mapped_column()
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session = relationship("ProgrammeSession")

    __table_args__ = (
        one_of("role", tuple(STAFF_ROLES), "staff_time_role"),
        CheckConstraint(f"minutes >= 1 AND minutes <= {MAX_MINUTES_PER_PERSON}", name="staff_time_minutes"),
        UniqueConstraint("session_id", "name_key", name="uq_staff_time_person"),
    )

    @property
    def role_label(self) -> str:
        return STAFF_ROLES.get(self.role, self.role)

    @property
    def hours_text(self) -> str:
        h, m = divmod(self.minutes, 60)
        return f"{h} h {m:02d} min" if m else f"{h} h"


class ProgrammeCost(db.Model):
    """What a programme cost in one term (first and last day, both included), in pence."""

    __tablename__ = "programme_costs"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(String(60))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    # Money is whole pence, never a float.
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme = relationship("Programme")

    __table_args__ = (
        CheckConstraint(f"amount_pence >= 0 AND amount_pence <= {MAX_COST_PENCE}", name="cost_amount"),
        CheckConstraint("last_day >= first_day", name="cost_days_order"),
        Index("ix_programme_costs_programme", "programme_id", "first_day"),
    )
