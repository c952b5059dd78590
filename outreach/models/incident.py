from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import utcnow


class Incident(db.Model):
    """An accident or incident at a session: read by the organisation's leads and the worker who
    recorded it (access.py), since it can hold medical detail. Removed by the retention purge once
    the claims period of everyone involved has passed (services/retention.py)."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(200))
    what_happened: Mapped[str] = mapped_column(Text)
    first_aid: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)

    organisation = relationship("Organisation")
    session = relationship("ProgrammeSession")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    people = relationship("IncidentPerson", back_populates="incident", order_by="IncidentPerson.id",
                          cascade="all, delete-orphan")
    staff = relationship("IncidentStaff", back_populates="incident", order_by="IncidentStaff.id",
                         cascade="all, delete-orphan")

    __table_args__ = (Index("ix_incidents_org_time", "organisation_id", "occurred_at"),)

    @property
    def injured(self) -> list["IncidentPerson"]:
        return [p for p in self.people if p.injured]


class IncidentPerson(db.Model):
    """A young person involved in an incident. `reference` (initials and date of birth) and
    `date_of_birth` are copied when it is recorded: the claims period runs from the 18th birthday,
    and they outlive an erased or anonymised record."""

    __tablename__ = "incident_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    young_person_id: Mapped[int | None] = mapped_column(ForeignKey("young_people.id", ondelete="SET NULL"),
                                                        index=True)
    reference: Mapped[str | None] = mapped_column(String(80))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    injured: Mapped[bool] = mapped_column(default=False)
    # When the guardians' email was queued (the outbox sends it).
    guardians_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    incident = relationship("Incident", back_populates="people")
    young_person = relationship("YoungPerson")


class IncidentStaff(db.Model):
    """A member of staff involved (there, or giving first aid); the name is kept as it was."""

    __tablename__ = "incident_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120))

    incident = relationship("Incident", back_populates="staff")
