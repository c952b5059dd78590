from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..instruments import HIGHEST_VALUE, LOWEST_VALUE
from ..timeutil import UTCDateTime
from ._common import one_of, utcnow

SURVEY_KINDS = ("session", "start", "end")


class Survey(db.Model):
    """A short questionnaire: after a session, or at a programme's start or end."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questions = relationship("SurveyQuestion", back_populates="survey", cascade="all, delete-orphan",
                             order_by="SurveyQuestion.position")
    # Read only: the pages a young person answers on show the programme's title in their language.
    programme = relationship("Programme", viewonly=True)

    __table_args__ = (one_of("kind", SURVEY_KINDS, "kind"),)


class SurveyQuestion(db.Model):
    """One question and its own answer scale, min_value..max_value (1–5 for the core
    and a lead's own questions; an instrument item's published scale otherwise)."""

    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    # Core questions share a code across programmes ("felt_safe", "trust_police")
    # so start/end change can be compared platform-wide; so do instrument items ("swemwbs_3").
    code: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(200))
    min_value: Mapped[int] = mapped_column(default=1, server_default="1")
    max_value: Mapped[int] = mapped_column(default=5, server_default="5")
    # An instrument's item (outreach/instruments/), asked word for word: its code and item number.
    instrument: Mapped[str | None] = mapped_column(String(40))
    item_number: Mapped[int | None] = mapped_column()

    survey = relationship("Survey", back_populates="questions")

    __table_args__ = (
        CheckConstraint(f"min_value >= {LOWEST_VALUE} AND max_value <= {HIGHEST_VALUE} AND min_value < max_value",
                        name="value_bounds"),
        CheckConstraint("(instrument IS NULL) = (item_number IS NULL)", name="instrument_item"),
        # An instrument is added to a survey once: a double tap cannot add its items twice.
        UniqueConstraint("survey_id", "instrument", "item_number"),
    )


class FeedbackResponse(db.Model):
    __tablename__ = "feedback_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    young_person_id: Mapped[int | None] = mapped_column(ForeignKey("young_people.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Answered by a member of the programme's comparison group (models/comparison.py), who
    # was not taking part: never counted in the served group's figures. Set when the
    # answers are stored, so it stays true after the young person's record is erased.
    comparison: Mapped[bool] = mapped_column(default=False, server_default=false())

    answers = relationship("FeedbackAnswer", back_populates="response", cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_feedback_responses_survey", "survey_id", "young_person_id"),
    )


class FeedbackAnswer(db.Model):
    __tablename__ = "feedback_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("feedback_responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column()

    response = relationship("FeedbackResponse", back_populates="answers")

    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        # The widest scale any question has; each answer is checked against its own
        # question's min_value..max_value when it is stored (services/surveys.py).
        CheckConstraint(f"value BETWEEN {LOWEST_VALUE} AND {HIGHEST_VALUE}", name="value_range"),
    )
