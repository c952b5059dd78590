"""Feedback surveys: after a session, and at a programme's start and end.

Start and end surveys always carry the core questions, under codes shared by
every programme, so change can be compared for the same young people and across
partners. A lead may add questions of their own."""
from datetime import timedelta

from sqlalchemy import func, select

from ..database import lock_row
from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import (Attendance, FeedbackAnswer, FeedbackResponse, Programme, ProgrammeSession, Survey,
                      SurveyQuestion, YoungPerson)
from ..timeutil import utcnow

CORE_QUESTIONS = [
    ("felt_safe", "I feel safe when I'm out in my area"),
    ("trust_police", "I trust the police in my area"),
    ("trust_youth_services", "I trust youth workers and youth services"),
    ("trusted_adult", "There is an adult I can talk to if something is wrong"),
]
SESSION_QUESTIONS = [
    ("felt_safe_session", "I felt safe at this session"),
    ("enjoyed", "I enjoyed this session"),
    ("would_return", "I'd come again"),
]
CORE_TEXT = dict(CORE_QUESTIONS) | dict(SESSION_QUESTIONS)
TITLES = {"session": "After the session", "start": "Start of the programme", "end": "End of the programme"}
MAX_QUESTIONS = 8
# The 1..5 scale: each value is drawn as a face and always labelled with words.
SCALE = [(1, "Not at all"), (2, "Not really"), (3, "Not sure"), (4, "Mostly"), (5, "Very much")]


def surveys_of(programme) -> dict[str, Survey]:
    """The programme's surveys by kind (the first made, should there be two of a kind)."""
    return {s.kind: s for s in db.session.execute(
        select(Survey).where(Survey.programme_id == programme.id).order_by(Survey.id.desc())).scalars()}


def survey_of(programme, kind):
    return surveys_of(programme).get(kind)


def ensure_survey(programme, kind, *, now=None) -> Survey:
    """The programme's survey of this kind, created with its standard questions if missing."""
    if kind not in TITLES:
        raise ValidationError("Unknown kind of survey.", code="unknown_survey")
    existing = survey_of(programme, kind)
    if existing is not None:
        return existing
    questions = SESSION_QUESTIONS if kind == "session" else CORE_QUESTIONS
    survey = Survey(programme_id=programme.id, kind=kind, title=TITLES[kind], created_at=now or utcnow())
    survey.questions = [SurveyQuestion(position=i + 1, code=code, text=text) for i, (code, text) in enumerate(questions)]
    db.session.add(survey)
    db.session.commit()
    return survey


def add_question(survey, text: str) -> SurveyQuestion:
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write the question.", code="empty", field="text")
    if len(survey.questions) >= MAX_QUESTIONS:
        raise ValidationError(f"A survey has at most {MAX_QUESTIONS} questions, so it stays quick to answer.",
                              code="too_many", field="text")
    question = SurveyQuestion(survey_id=survey.id, position=len(survey.questions) + 1, text=text[:200])
    db.session.add(question)
    db.session.commit()
    return question


def has_answered(survey, young_person_id, session_id=None) -> bool:
    stmt = select(func.count()).select_from(FeedbackResponse).where(
        FeedbackResponse.survey_id == survey.id, FeedbackResponse.young_person_id == young_person_id)
    if survey.kind == "session":
        stmt = stmt.where(FeedbackResponse.session_id == session_id)
    return db.session.execute(stmt).scalar_one() > 0


def submit(survey, values: dict[int, int], *, young_person_id=None, session_id=None, now=None) -> FeedbackResponse:
    """Store one set of answers (question id -> 1..5). Unanswered questions are skipped;
    a young person answers each survey once (per session for after-session surveys)."""
    known = {q.id for q in survey.questions}
    answers = {qid: v for qid, v in values.items() if qid in known and v is not None}
    if not answers:
        raise ValidationError("Pick at least one answer.", code="empty")
    if any(not isinstance(v, int) or not 1 <= v <= 5 for v in answers.values()):
        raise ValidationError("Answers go from 1 to 5.", code="out_of_range")
    if young_person_id is not None:
        # A double tap sends the answers twice at once: the second waits here, then finds the first.
        lock_row(db.session, YoungPerson, young_person_id)
    if young_person_id is not None and has_answered(survey, young_person_id, session_id):
        raise ConflictError("Thanks, you've already answered this one.", code="already_answered")
    response = FeedbackResponse(survey_id=survey.id, young_person_id=young_person_id, session_id=session_id,
                                submitted_at=now or utcnow())
    response.answers = [FeedbackAnswer(question_id=qid, value=v) for qid, v in answers.items()]
    db.session.add(response)
    db.session.commit()
    return response


def open_for(young_person_id: int, now) -> list[tuple]:
    """Surveys this young person can answer now, as (survey, session or None, programme title):
    an after-session survey for a session they attended in the last three days, a start
    survey for a programme they have attended, and an end survey once that programme has
    no session left more than a week ahead."""
    attended = db.session.execute(
        select(ProgrammeSession, Programme.title).join(Attendance, Attendance.session_id == ProgrammeSession.id)
        .join(Programme, Programme.id == ProgrammeSession.programme_id)
        .where(Attendance.young_person_id == young_person_id, ProgrammeSession.starts_at <= now,
               ProgrammeSession.starts_at >= now - timedelta(days=120))
        .order_by(ProgrammeSession.starts_at.desc())).all()
    if not attended:
        return []
    programme_ids = {s.programme_id for s, _ in attended}
    surveys = db.session.execute(select(Survey).where(Survey.programme_id.in_(programme_ids))).scalars().all()
    answered = set(db.session.execute(
        select(FeedbackResponse.survey_id, FeedbackResponse.session_id)
        .where(FeedbackResponse.young_person_id == young_person_id,
               FeedbackResponse.survey_id.in_([s.id for s in surveys] or [0]))).all())
    answered_surveys = {survey_id for survey_id, _ in answered}
    titles = {s.programme_id: title for s, title in attended}
    later = dict(db.session.execute(
        select(ProgrammeSession.programme_id, func.max(ProgrammeSession.starts_at))
        .where(ProgrammeSession.programme_id.in_(programme_ids), ProgrammeSession.status == "scheduled")
        .group_by(ProgrammeSession.programme_id)).all())
    out = []
    for survey in sorted(surveys, key=lambda s: (titles[s.programme_id], s.kind)):
        if survey.kind == "session":
            for session, _ in attended:
                if (session.programme_id == survey.programme_id and session.starts_at >= now - timedelta(days=3)
                        and (survey.id, session.id) not in answered):
                    out.append((survey, session, titles[survey.programme_id]))
                    break
        elif survey.id not in answered_surveys:
            last = later.get(survey.programme_id)
            if survey.kind == "start" or (last is not None and last <= now + timedelta(days=7)):
                out.append((survey, None, titles[survey.programme_id]))
    return out
