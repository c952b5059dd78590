from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import N_
from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of, utcnow

GENDERS = {
    "girl": N_("Girl or young woman"),
    "boy": N_("Boy or young man"),
    "non_binary": N_("Non-binary"),
    "other": N_("Describes themselves another way"),
    "prefer_not": N_("Prefers not to say"),
}
CONSENT_KINDS = ("guardian", "self")


class YoungPerson(db.Model):
    """A participant. Personal fields are nullable because erasure blanks them
    while the row (and its anonymous attendance) stays for the evaluation."""

    __tablename__ = "young_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str | None] = mapped_column(String(60))
    last_name: Mapped[str | None] = mapped_column(String(60))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(12))
    postcode_district: Mapped[str | None] = mapped_column(String(8), index=True)
    emergency_contact_name: Mapped[str | None] = mapped_column(String(120))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(40))
    medical_notes: Mapped[str | None] = mapped_column(Text)
    photo_consent: Mapped[bool] = mapped_column(default=False)
    may_go_home_alone: Mapped[bool] = mapped_column(default=False)
    # Their own login, once old enough (unique: one profile per account).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    # Set for walk-ins added at the door, so staff of that partner can see them.
    created_by_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the retention schedule: name, contacts and notes gone; date of
    # birth, gender and district kept for the evaluation's anonymous counts.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    guardian_links = relationship("GuardianLink", back_populates="young_person", cascade="all, delete-orphan")
    collectors = relationship("AuthorisedCollector", back_populates="young_person", cascade="all, delete-orphan")
    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (
        one_of("gender", tuple(GENDERS), "gender"),
        Index("ix_young_people_name", "last_name", "first_name"),
    )

    @property
    def display_name(self) -> str:
        if self.erased_at:
            return "Erased record"
        if self.anonymised_at:
            return "Anonymised record"
        return f"{self.first_name or ''} {self.last_name or ''}".strip() or "Name not given"

    @property
    def short_name(self) -> str:
        """The first name for messages ("Ava is checked in"), or display_name when there is none."""
        return self.first_name if self.first_name and not (self.erased_at or self.anonymised_at) \
            else self.display_name


class GuardianLink(db.Model):
    __tablename__ = "guardian_links"

    guardian_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"), primary_key=True, index=True)
    relationship_label: Mapped[str] = mapped_column(String(40), default="Parent or carer")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    young_person = relationship("YoungPerson", back_populates="guardian_links")
    guardian = relationship("User")


class AuthorisedCollector(db.Model):
    """Someone a guardian allows to collect the young person at check-out."""

    __tablename__ = "authorised_collectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_people.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    relationship_label: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(40))

    young_person = relationship("YoungPerson", back_populates="collectors")


class Consent(db.Model):
    """Consent as given: by whom, for whom, to which wording, when. Never updated, only added."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_people.id", ondelete="CASCADE"), index=True)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10))
    wording_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (one_of("kind", CONSENT_KINDS, "kind"),)
