from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime


class FormToken(db.Model):
    """One row per form that created someone or a booking, by the one-time token the form carried.

    Written in the same transaction as what the form created, so a repeat of the same form (a retry
    after an error page, a double tap, the back button) finds it and creates nothing; the primary
    key is what makes two copies sent at once create one. Per user and form: someone else's token
    is just an unused token of theirs, and leads to nothing of the first user's."""

    __tablename__ = "form_tokens"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    action: Mapped[str] = mapped_column(String(40), primary_key=True)  # add_child, walk_in, book_on_behalf
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    # What the first submission made, so a repeat can lead to it: a model name and its id.
    result_type: Mapped[str | None] = mapped_column(String(40))
    result_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_form_tokens_created_at", "created_at"),)
