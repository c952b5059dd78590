from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime


class CalendarFeed(db.Model):
    """A family's private calendar feed: one per account, found by a secret held only in its URL.

    Only the secret's SHA-256 is stored, so a copy of the database gives nobody the family's
    calendar. A new secret replaces the row's hash (the old URL stops working); removing the
    row stops the feed."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When a calendar app last fetched it: lets the family see the link is in use.
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
