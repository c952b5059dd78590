from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of, utcnow

CONCERN_STATUSES = {
    "open": "Open",
    "under_review": "Under review",
    "referred": "Referred",
    "closed": "Closed",
}
# Where a designated safeguarding lead refers a concern.
REFERRAL_BODIES = {
    "childrens_social_care": "Children's social care",
    "mash": "MASH (multi-agency safeguarding hub)",
    "police": "Police",
    "lado": "LADO (local authority designated officer)",
    "other": "Other",
}


class Concern(db.Model):
    """A safeguarding concern raised by a member of staff, read only by the organisation's
    designated safeguarding leads (access.py). Never deleted: the retention purge only reports
    concerns past their review date (services/retention.py).

    About a young person the organisation knows (`young_person_id`), or about someone not named
    (`unnamed_description`). `subject_reference` (initials and date of birth, "Z.Q., born
    4 Apr 2013") and `subject_date_of_birth` are copied when it is raised: they outlive the young
    person's own record, which erasure and anonymisation blank, so the designated lead still
    knows whom it was about without the name in clear, and the review date can be worked out.
    """

    __tablename__ = "concerns"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    young_person_id: Mapped[int | None] = mapped_column(ForeignKey("young_people.id", ondelete="SET NULL"),
                                                        index=True)
    subject_reference: Mapped[str | None] = mapped_column(String(80))
    subject_date_of_birth: Mapped[date | None] = mapped_column(Date)
    unnamed_description: Mapped[str | None] = mapped_column(Text)
    # What was seen or said, in the words used.
    what_happened: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(200))
    others_aware: Mapped[str | None] = mapped_column(Text)
    action_taken: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(15), default="open")
    referred_to: Mapped[str | None] = mapped_column(String(30))
    referred_to_other: Mapped[str | None] = mapped_column(String(120))
    referral_reference: Mapped[str | None] = mapped_column(String(80))
    referred_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation")
    raised_by = relationship("User", foreign_keys=[raised_by_id])
    session = relationship("ProgrammeSession")
    young_person = relationship("YoungPerson")
    changes = relationship("ConcernChange", back_populates="concern", order_by="ConcernChange.id",
                           cascade="all, delete-orphan")

    __table_args__ = (
        one_of("status", tuple(CONCERN_STATUSES), "status"),
        one_of("referred_to", tuple(REFERRAL_BODIES), "referred_to"),
        Index("ix_concerns_org_status", "organisation_id", "status"),
    )

    @property
    def status_label(self) -> str:
        return CONCERN_STATUSES.get(self.status, self.status)

    @property
    def referred_to_label(self) -> str:
        if self.referred_to == "other" and self.referred_to_other:
            return self.referred_to_other
        return REFERRAL_BODIES.get(self.referred_to or "", "")


class ConcernChange(db.Model):
    """One step in a concern's history: raised, a status change (from, to), a note. Append-only;
    read only by the designated safeguarding leads, like the concern."""

    __tablename__ = "concern_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(15))
    to_status: Mapped[str | None] = mapped_column(String(15))
    note: Mapped[str | None] = mapped_column(Text)

    concern = relationship("Concern", back_populates="changes")
    by = relationship("User")
