from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
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

    __table_args__ = (one_of("kind", SURVEY_KINDS, "kind"),)


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    # Core questions share a code across programmes ("felt_safe", "trust_police")
    # so start/end change can be compared platform-wide.
    code: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(200))

    survey = relationship("Survey", back_populates="questions")


class FeedbackResponse(db.Model):
    __tablename__ = "feedback_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    young_person_id: Mapped[int | None] = mapped_column(ForeignKey("young_people.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

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
        CheckConstraint("value BETWEEN 1 AND 5", name="value_range"),
    )
