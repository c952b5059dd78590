from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import utcnow


class User(UserMixin, db.Model):
    """Anyone who signs in: staff, guardians, young people with their own login, admins.

    Roles are not a column: staff roles come from memberships, "guardian" from
    guardian links, "young person" from a linked YoungPerson.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # False from sign-up until the emailed link is opened: sign-up answers the
    # same for known and unknown addresses, so the address must be proved.
    email_confirmed: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped on password change; part of reset tokens and the login session,
    # so old reset links and other devices' sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    # The language chosen with the switcher (outreach/i18n.py): its pages, emails and texts.
    # Null: the browser's language for pages, English (UK) for mail until one is chosen.
    language: Mapped[str | None] = mapped_column(String(10))

    memberships = relationship("Membership", back_populates="user", cascade="all, delete-orphan",
                               foreign_keys="Membership.user_id")

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.is_active_account

    def get_id(self) -> str:
        # The version makes a password change sign out every other session.
        return f"{self.id}:{self.session_version}"

    def __repr__(self):
        return f"<User {self.id} {self.email}>"
