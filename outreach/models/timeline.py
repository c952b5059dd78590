"""The young person's timeline, kept by an organisation that knows them: contact notes,
milestones (from a list the lead keeps) and referrals in and out. Who reads what is decided in
access.py; how long each is kept in services/retention.py."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of, utcnow

NOTE_CONTACTS = {
    "in_person": "In person",
    "phone": "Phone call",
    "message": "Message or email",
    "other": "Other",
}
# Who referred a young person to the organisation (a referral in).
REFERRAL_SOURCES = {
    "school": "School",
    "police": "Police",
    "social_care": "Social care",
    "self": "Self",
    "family": "Family",
    "other": "Other",
}
# What came of signposting a young person elsewhere (a referral out).
REFERRAL_OUTCOMES = {
    "waiting": "Not known yet",
    "engaged": "Took it up",
    "declined": "Chose not to",
    "not_accepted": "Not accepted there",
    "lost_contact": "Lost contact",
}
REFERRAL_DIRECTIONS = {"in": "Referred in", "out": "Signposted out"}


class ContactNote(db.Model):
    """A note of contact with a young person. `restricted` notes are read only by the
    organisation's leads and designated safeguarding leads (access.may_read_note); the others by
    all its staff."""

    __tablename__ = "contact_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_people.id", ondelete="CASCADE"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"))
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    contact_on: Mapped[date] = mapped_column(Date)
    contact: Mapped[str] = mapped_column(String(15), default="in_person")
    text: Mapped[str] = mapped_column(Text)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)

    written_by = relationship("User")
    programme = relationship("Programme")
    organisation = relationship("Organisation")

    __table_args__ = (
        one_of("contact", tuple(NOTE_CONTACTS), "contact_note_contact"),
        Index("ix_contact_notes_org_person", "organisation_id", "young_person_id"),
    )

    @property
    def contact_label(self) -> str:
        return NOTE_CONTACTS.get(self.contact, self.contact)


class MilestoneKind(db.Model):
    """One entry of the organisation's milestone list ("Back into education"), kept by its leads.
    Retired kinds are no longer offered; milestones already recorded keep them."""

    __tablename__ = "milestone_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("organisation_id", "name", name="uq_milestone_kind_name"),)


class Milestone(db.Model):
    """A milestone a young person reached, of one of the organisation's kinds."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_people.id", ondelete="CASCADE"))
    kind_id: Mapped[int] = mapped_column(ForeignKey("milestone_kinds.id"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"))
    reached_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    kind = relationship("MilestoneKind")
    programme = relationship("Programme")
    recorded_by = relationship("User")

    __table_args__ = (Index("ix_milestones_org_person", "organisation_id", "young_person_id"),)


class Referral(db.Model):
    """A referral in (who referred the young person to a programme) or out (signposted to whom
    from a programme, and what came of it)."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_people.id", ondelete="CASCADE"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"))
    direction: Mapped[str] = mapped_column(String(3))
    referred_on: Mapped[date] = mapped_column(Date)
    # In: who referred them.
    source: Mapped[str | None] = mapped_column(String(15))
    source_other: Mapped[str | None] = mapped_column(String(120))
    # Out: to whom, and what came of it.
    signposted_to: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(String(15))
    outcome_note: Mapped[str | None] = mapped_column(String(1000))
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(1000))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme = relationship("Programme")
    recorded_by = relationship("User")
    organisation = relationship("Organisation")

    __table_args__ = (
        one_of("direction", tuple(REFERRAL_DIRECTIONS), "referral_direction"),
        one_of("source", tuple(REFERRAL_SOURCES), "referral_source"),
        one_of("outcome", tuple(REFERRAL_OUTCOMES), "referral_outcome"),
        Index("ix_referrals_org_person", "organisation_id", "young_person_id"),
        Index("ix_referrals_programme", "programme_id", "direction"),
    )

    @property
    def source_label(self) -> str:
        if self.source == "other" and self.source_other:
            return f"Other: {self.source_other}"
        return REFERRAL_SOURCES.get(self.source or "", "")

    @property
    def outcome_label(self) -> str:
        return REFERRAL_OUTCOMES.get(self.outcome or "waiting", "")
