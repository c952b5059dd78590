from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of, utcnow

ORG_STATUSES = ("pending", "approved", "declined")
ORG_ROLES = ("lead", "worker")
ORG_KINDS = {
    "police": "Police community team",
    "youth_service": "Youth service",
    "charity": "Charity",
    "sports_club": "Sports club",
    "other": "Other",
}


class Organisation(db.Model):
    """A partner. Publishes nothing until a platform admin approves it."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    description: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    memberships = relationship("Membership", back_populates="organisation", cascade="all, delete-orphan")
    programmes = relationship("Programme", back_populates="organisation")

    __table_args__ = (
        one_of("status", ORG_STATUSES, "status"),
        one_of("kind", tuple(ORG_KINDS), "kind"),
    )

    @property
    def is_approved(self) -> bool:
        return self.status == "approved"

    @property
    def kind_label(self) -> str:
        return ORG_KINDS.get(self.kind, self.kind)


class Membership(db.Model):
    """A user's role in one organisation."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    # A designated safeguarding lead: receives and alone reads the organisation's safeguarding
    # concerns. Given by a lead on the team page, to a lead or a worker; an organisation needs
    # one to publish (services/organisations.py).
    is_safeguarding_lead: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation", back_populates="memberships")
    user = relationship("User", back_populates="memberships", foreign_keys=[user_id])

    __table_args__ = (
        UniqueConstraint("organisation_id", "user_id"),
        one_of("role", ORG_ROLES, "role"),
    )


class Invitation(db.Model):
    """An emailed invite to join an organisation. Only a hash of the token is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation = relationship("Organisation")

    __table_args__ = (one_of("role", ORG_ROLES, "role"),)
