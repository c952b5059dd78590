"""Feedback surveys: after a session, and at a programme's start and end.

Start and end surveys always carry the core questions, under codes shared by
every programme, so change can be compared for the same young people and across
partners. A lead may add validated questionnaires (outreach/instruments/), whole
and word for word, to a start or end survey, and questions of their own. Each
question has its own answer scale; an instrument's items are asked only of young
people of the ages it was made for."""
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import instruments
from . import comparison, survey_timing
from ..database import lock_row
from ..errors import N_, ConflictError, NotFoundError, ValidationError
from ..extensions import db
from ..models import (Attendance, FeedbackAnswer, FeedbackResponse, Programme, ProgrammeSession, Survey,
                      SurveyQuestion, YoungPerson)
from ..timeutil import age_on, utcnow

CORE_QUESTIONS = [
    ("felt_safe", N_("I feel safe when I'm out in my area")),
    ("trust_police", N_("I trust the police in my area")),
    ("trust_youth_services", N_("I trust youth workers and youth services")),
    ("trusted_adult", N_("There is an adult I can talk to if something is wrong")),
]
SESSION_QUESTIONS = [
    ("felt_safe_session", N_("I felt safe at this session")),
    ("enjoyed", N_("I enjoyed this session")),
    ("would_return", N_("I'd come again")),
]
CORE_TEXT = dict(CORE_QUESTIONS) | dict(SESSION_QUESTIONS)
TITLES = {"session": N_("After the session"), "start": N_("Start of the programme"), "end": N_("End of the programme")}
MAX_QUESTIONS = 8  # core and own questions; an instrument's items come on top, whole
INSTRUMENT_KINDS = ("start", "end")
# The 1..5 scale: each value is drawn as a face and always labelled with words.
SCALE = [(1, N_("Not at all")), (2, N_("Not really")), (3, N_("Not sure")), (4, N_("Mostly")), (5, N_("Very much"))]


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
    """A lead's own question on the 1–5 scale, after the survey's other questions."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write the question.", code="empty", field="text")
    if sum(1 for q in survey.questions if q.instrument is None) >= MAX_QUESTIONS:
        raise ValidationError(f"A survey has at most {MAX_QUESTIONS} questions of its own, so it stays quick "
                              "to answer.", code="too_many", field="text")
    question = SurveyQuestion(survey_id=survey.id, position=_next_position(survey), text=text[:200],
                              min_value=SCALE[0][0], max_value=SCALE[-1][0])
    db.session.add(question)
    db.session.commit()
    return question


def _next_position(survey) -> int:
    return max((q.position for q in survey.questions), default=0) + 1


def instruments_on(survey) -> list:
    """The instruments whose items this survey asks, in the order they appear."""
    codes = list(dict.fromkeys(q.instrument for q in survey.questions if q.instrument))
    return [instruments.get(code) for code in codes if instruments.get(code)]


def instruments_offered(programme, survey) -> list:
    """Instruments a lead may add to this survey: start and end surveys only, made for
    some of the programme's ages, and not on the survey already."""
    if survey is None or survey.kind not in INSTRUMENT_KINDS:
        return []
    present = {i.code for i in instruments_on(survey)}
    return [i for i in instruments.for_ages(programme.min_age, programme.max_age) if i.code not in present]


def add_instrument(programme, survey, code: str) -> list[SurveyQuestion]:
    """Append every item of instrument `code` to a start or end survey of `programme`,
    word for word, in the published order, each on its own published scale."""
    inst = instruments.get(code)
    if inst is None:
        raise NotFoundError("That questionnaire isn't in the library.", code="unknown_instrument")
    if survey.kind not in INSTRUMENT_KINDS:
        raise ValidationError("Questionnaires go on the start and end surveys, so change can be shown.",
                              code="wrong_survey")
    if not inst.overlaps(programme.min_age, programme.max_age):
        raise ValidationError(f"{inst.short_title} is made for ages {inst.ages}; this programme is for ages "
                              f"{programme.min_age}–{programme.max_age}.", code="wrong_ages")
    if inst.code in {i.code for i in instruments_on(survey)}:
        raise ConflictError(f"{inst.short_title} is on this survey already.", code="already_added")
    first = _next_position(survey)
    added = [SurveyQuestion(survey_id=survey.id, position=first + k, code=f"{inst.code}_{item.number}",
                            text=item.text[:200], min_value=item.min_value, max_value=item.max_value,
                            instrument=inst.code, item_number=item.number)
             for k, item in enumerate(inst.items)]
    db.session.add_all(added)
    try:
        db.session.commit()
    except IntegrityError:  # the same form sent twice at once: the first one added it
        db.session.rollback()
        raise ConflictError(f"{inst.short_title} is on this survey already.", code="already_added") from None
    db.session.expire(survey, ["questions"])
    return added


def questions_for(survey, young_person=None, *, now=None) -> list[SurveyQuestion]:
    """The questions this young person is asked: every core and own question, and an
    instrument's items only when their age (on `now`) is one it was made for. Without a
    young person (a phone handed round) no instrument items are asked."""
    day = (now or utcnow()).date()
    dob = young_person.date_of_birth if young_person is not None else None
    age = age_on(dob, day) if dob is not None else None
    out = []
    for question in survey.questions:
        if question.instrument is not None:
            inst = instruments.get(question.instrument)
            if inst is None or not inst.is_for_age(age):
                continue
        out.append(question)
    return out


def options_of(question) -> list[tuple[int, str]]:
    """A question's answers as (value, words): an instrument item's published labels,
    or the faces scale's words for the 1–5 questions."""
    inst = instruments.get(question.instrument)
    if inst is not None:
        return [(o.value, o.label) for o in inst.item(question.item_number).options]
    words = dict(SCALE)
    return [(v, words.get(v, str(v))) for v in range(question.min_value, question.max_value + 1)]


def has_answered(survey, young_person_id, session_id=None) -> bool:
    stmt = select(func.count()).select_from(FeedbackResponse).where(
        FeedbackResponse.survey_id == survey.id, FeedbackResponse.young_person_id == young_person_id)
    if survey.kind == "session":
        stmt = stmt.where(FeedbackResponse.session_id == session_id)
    return db.session.execute(stmt).scalar_one() > 0


def submit(survey, values: dict[int, int], *, young_person_id=None, session_id=None, now=None) -> FeedbackResponse:
    """Store one set of answers (question id -> value on that question's own scale).
    Unanswered questions, and questions this young person is not asked, are skipped;
    a young person answers each survey once (per session for after-session surveys).
    A start or end answer by a member of the programme's comparison group who has not been
    served is stored marked as comparison."""
    young_person = db.session.get(YoungPerson, young_person_id) if young_person_id is not None else None
    asked = {q.id: q for q in questions_for(survey, young_person, now=now)}
    answers = {qid: v for qid, v in values.items() if qid in asked and v is not None}
    if not answers:
        raise ValidationError(N_("Pick at least one answer."), code="empty")
    for qid, v in answers.items():
        question = asked[qid]
        if not isinstance(v, int) or isinstance(v, bool) or not question.min_value <= v <= question.max_value:
            raise ValidationError(N_("Answers to “%(question)s” go from %(lowest)s to %(highest)s."),
                                  code="out_of_range", question=question.text, lowest=question.min_value,
                                  highest=question.max_value)
    if young_person_id is not None:
        # A double tap sends the answers twice at once: the second waits here, then finds the first.
        lock_row(db.session, YoungPerson, young_person_id)
    if young_person_id is not None and has_answered(survey, young_person_id, session_id):
        raise ConflictError(N_("Thanks, you've already answered this one."), code="already_answered")
    # A start or end answer from the programme's comparison group is marked as theirs, so it
    # never counts in the served group's figures (services/comparison.py).
    in_comparison = (young_person_id is not None and survey.kind in comparison.COURSE_SURVEYS
                     and comparison.is_comparison(survey.programme_id, young_person_id))
    response = FeedbackResponse(survey_id=survey.id, young_person_id=young_person_id, session_id=session_id,
                                submitted_at=now or utcnow(), comparison=in_comparison)
    response.answers = [FeedbackAnswer(question_id=qid, value=v) for qid, v in answers.items()]
    db.session.add(response)
    db.session.commit()
    return response


def open_for(young_person_id: int, now) -> list[tuple]:
    """Surveys this young person can answer now, as (survey, session or None, programme title):
    an after-session survey for a session they attended in the last three days, and the
    start and end surveys of programmes they attended in the last 120 days while those are
    due (services/survey_timing.py: the start survey at their first or second session, the
    end survey at the last session or after the programme's set number of weeks)."""
    attended = db.session.execute(
        select(ProgrammeSession, Programme.title).join(Attendance, Attendance.session_id == ProgrammeSession.id)
        .join(Programme, Programme.id == ProgrammeSession.programme_id)
        .where(Attendance.young_person_id == young_person_id, ProgrammeSession.starts_at <= now,
               ProgrammeSession.starts_at >= now - timedelta(days=120))
        .order_by(ProgrammeSession.starts_at.desc())).all()
    if not attended:
        return []
    programme_ids = {s.programme_id for s, _ in attended}
    titles = {s.programme_id: title for s, title in attended}
    after = db.session.execute(select(Survey).where(Survey.programme_id.in_(programme_ids), Survey.kind == "session")
                               .order_by(Survey.id.desc())).scalars().all()
    answered = set(db.session.execute(
        select(FeedbackResponse.survey_id, FeedbackResponse.session_id)
        .where(FeedbackResponse.young_person_id == young_person_id,
               FeedbackResponse.survey_id.in_([s.id for s in after] or [0]))).all())
    out = [(d.survey, None, d.programme_title) for d in survey_timing.due_now(young_person_id, now,
                                                                             programme_ids=programme_ids)]
    for survey in after:
        for session, _ in attended:
            if (session.programme_id == survey.programme_id and session.starts_at >= now - timedelta(days=3)
                    and (survey.id, session.id) not in answered):
                out.append((survey, session, titles[survey.programme_id]))
                break
    return sorted(out, key=lambda x: (x[2], x[0].kind))
