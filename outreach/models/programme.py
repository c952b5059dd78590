from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import N_
from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of, utcnow

# Marked for translation; the catalogue shows them in the reader's language (_(label)), staff
# pages and exports in English.
CATEGORIES = {
    "sport": N_("Sport and fitness"),
    "arts": N_("Arts, music and media"),
    "mentoring": N_("Mentoring"),
    "safety": N_("Safety and wellbeing"),
    "skills": N_("Skills and careers"),
    "outdoor": N_("Outdoor and adventure"),
    "social": N_("Youth club and social"),
}
REGISTRATION_MODES = {
    "enrol": N_("Enrol for the whole course"),
    "per_session": N_("Book each session"),
    "drop_in": N_("Drop in, no booking"),
}
SESSION_STATUSES = ("scheduled", "cancelled")


class ProgrammeText(db.Model):
    """A programme's title, description and venue directions in another language than English:
    the catalogue, the booking pages and the emails show the reader's, else the English."""

    __tablename__ = "programme_texts"
    __table_args__ = (db.UniqueConstraint("programme_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    venue_directions: Mapped[str] = mapped_column(Text, default="")


class Programme(db.Model):
    """What a partner runs: a course, a series of one-off events, or an open club."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20))
    venue_name: Mapped[str] = mapped_column(String(120))
    venue_address: Mapped[str] = mapped_column(String(300))
    # How to find the door ("side entrance, by the car park"), in English; other languages in texts.
    venue_directions: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Outward part of the postcode ("M13"): the catalogue's "area" filter.
    postcode_district: Mapped[str] = mapped_column(String(8))
    min_age: Mapped[int] = mapped_column()
    max_age: Mapped[int] = mapped_column()
    capacity: Mapped[int] = mapped_column()
    registration_mode: Mapped[str] = mapped_column(String(12))
    # A regular attendee of this programme came to at least this many of its sessions;
    # none: the default rule, a share of the sessions offered to them (EVAL_REGULAR_SHARE).
    regular_sessions: Mapped[int | None] = mapped_column()
    # The end survey falls due this many weeks after a young person's first session (or, for
    # a comparison group member, after they joined), if that comes before the programme's
    # last session; none: at the last session only (services/survey_timing.py).
    end_survey_weeks: Mapped[int | None] = mapped_column()
    # The follow-up list (services/follow_up.py): a regular is judged on their first this many
    # sessions offered, and is followed up after missing this many in a row; none: the settings
    # FOLLOW_UP_FIRST_SESSIONS and FOLLOW_UP_MISSED_IN_A_ROW.
    follow_up_first_sessions: Mapped[int | None] = mapped_column()
    follow_up_missed: Mapped[int | None] = mapped_column()
    is_published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation = relationship("Organisation", back_populates="programmes")
    texts = relationship("ProgrammeText", cascade="all, delete-orphan", order_by="ProgrammeText.language")
    sessions = relationship("ProgrammeSession", back_populates="programme", cascade="all, delete-orphan",
                            order_by="ProgrammeSession.starts_at")

    __table_args__ = (
        one_of("category", tuple(CATEGORIES), "category"),
        one_of("registration_mode", tuple(REGISTRATION_MODES), "registration_mode"),
        CheckConstraint("min_age >= 0 AND max_age <= 25", name="age_bounds"),
        CheckConstraint("min_age <= max_age", name="age_order"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("regular_sessions IS NULL OR regular_sessions >= 1", name="regular_sessions_positive"),
        CheckConstraint("end_survey_weeks IS NULL OR end_survey_weeks BETWEEN 1 AND 104", name="end_survey_weeks_range"),
        CheckConstraint("follow_up_first_sessions IS NULL OR follow_up_first_sessions >= 1",
                        name="follow_up_first_sessions_positive"),
        CheckConstraint("follow_up_missed IS NULL OR follow_up_missed >= 1", name="follow_up_missed_positive"),
        Index("ix_programmes_org", "organisation_id"),
        Index("ix_programmes_catalogue", "is_published", "category"),
    )

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)

    @property
    def mode_label(self) -> str:
        return REGISTRATION_MODES.get(self.registration_mode, self.registration_mode)


class ProgrammeSession(db.Model):
    """One dated occurrence of a programme ("session" to everyone who uses it)."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Null means "as the programme": a session can move venue or shrink for a night.
    venue_name: Mapped[str | None] = mapped_column(String(120))
    venue_address: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme = relationship("Programme", back_populates="sessions")

    __table_args__ = (
        one_of("status", SESSION_STATUSES, "status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        # The scanner's "today" list and the catalogue's "upcoming" both range over starts_at.
        Index("ix_sessions_programme_start", "programme_id", "starts_at"),
        Index("ix_sessions_start", "starts_at"),
    )

    @property
    def effective_capacity(self) -> int:
        return self.capacity if self.capacity is not None else self.programme.capacity

    @property
    def effective_venue_name(self) -> str:
        return self.venue_name or self.programme.venue_name

    @property
    def effective_venue_address(self) -> str:
        return self.venue_address or self.programme.venue_address

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"
