from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime


class HealthCheck(db.Model):
    """One row that /healthz rewrites, to prove the database still takes a committed write
    (a full disk or a read-only database answers reads but fails every booking)."""

    __tablename__ = "health_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
