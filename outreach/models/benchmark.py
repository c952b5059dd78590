"""A figure for the programme's own police force area, typed by its lead, shown beside the
programme's figure and the national one (issue 17, point 5). The national figures ship
with the code (outreach/instruments/benchmarks.py); this is the lead's local addition."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import utcnow


class AreaBenchmark(db.Model):
    __tablename__ = "area_benchmarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    # The shared question code the figure is for ("csew_police_1").
    question: Mapped[str] = mapped_column(String(40))
    area: Mapped[str] = mapped_column(String(120))
    percent: Mapped[float] = mapped_column()
    year: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(300))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
        # One local figure per programme and question: a new one replaces the old.
        UniqueConstraint("programme_id", "question"),
    )
