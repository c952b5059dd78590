from bisect import bisect_left

from sqlalchemy import String, and_, case, cast, func, select

from . import Table, export
from .. import instruments
from ._common import file_name, local, participant_code, period, stream, subject
from ..models import (Attendance, FeedbackAnswer, FeedbackResponse, Programme, Survey, SurveyQuestion,
                      YoungPerson)


@export("evaluator_dataset", "Evaluator dataset", level="organisation", leaves_organisation=True,
        description="One row per participant and session offered to them, under a pseudonymous participant "
                    "code: age band, gender, district, programme, start and end survey answers and questionnaire "
                    "scores (SWEMWBS metric score, Stirling score; not a comparison group's), then the "
                    "session's date, whether they attended and after-session answers. No names, birth dates, "
                    "contacts, notes or database ids.")
def evaluator_dataset(ctx):
    q = ctx.metric_query()
    part, held = q.participants(), q.held()
    yp, a, p = YoungPerson.__table__, Attendance.__table__, Programme.__table__
    sv, sq, fr, fa = Survey.__table__, SurveyQuestion.__table__, FeedbackResponse.__table__, FeedbackAnswer.__table__

    # Each programme's held sessions in date order, with their local dates: bounded by the
    # number of sessions, not rows. The rows for the sessions offered are made from these.
    tz, offered = ctx.organisation.timezone, {}
    for programme_id, session_id, starts in q.rows(select(held.c.programme_id, held.c.session_id, held.c.starts_at)
                                                   .order_by(held.c.programme_id, held.c.starts_at, held.c.session_id)):
        starts_at, sessions = offered.setdefault(programme_id, ([], []))
        starts_at.append(starts)
        sessions.append((str(session_id), local(starts, tz, "%Y-%m-%d")))
    # As a list, not a subquery, so PostgreSQL picks the surveys before joining their answers.
    programme_ids = list(offered)
    codes = q.rows(select(sv.c.kind, sq.c.code).distinct().join(sq, sq.c.survey_id == sv.c.id)
                   .where(sv.c.programme_id.in_(q._scoped_programmes(select(p.c.id), p)), sq.c.code.is_not(None))
                   .order_by(sv.c.kind, sq.c.code))
    course_codes = sorted({c for kind, c in codes if kind in ("start", "end")})
    session_codes = sorted({c for kind, c in codes if kind == "session"})

    answers = select(sv.c.programme_id, sv.c.kind, fr.c.young_person_id, fr.c.session_id, sq.c.code, fa.c.value) \
        .join(fr, fr.c.survey_id == sv.c.id).join(fa, fa.c.response_id == fr.c.id) \
        .join(sq, sq.c.id == fa.c.question_id) \
        .where(fr.c.young_person_id.is_not(None), sq.c.code.is_not(None), sv.c.programme_id.in_(programme_ids),
               fr.c.comparison.is_(False)) \
        .cte("answers")
    course = select(answers.c.programme_id, answers.c.young_person_id, *[
        func.max(case((and_(answers.c.kind == kind, answers.c.code == code), answers.c.value))).label(f"{kind}_{code}")
        for kind in ("start", "end") for code in course_codes]) \
        .where(answers.c.kind.in_(["start", "end"])) \
        .group_by(answers.c.programme_id, answers.c.young_person_id).subquery()
    after = select(answers.c.session_id, answers.c.young_person_id, *[
        func.max(case((answers.c.code == code, answers.c.value))).label(f"session_{code}") for code in session_codes]) \
        .where(answers.c.kind == "session").group_by(answers.c.session_id, answers.c.young_person_id).subquery()

    course_columns = [course.c[f"{kind}_{code}"] for kind in ("start", "end") for code in course_codes]
    scored, scores = instrument_scores(q, programme_ids)
    no_scores = (None,) * (2 * len(scored))
    after_columns = [after.c[f"session_{code}"] for code in session_codes]
    # One row per participant of a programme, in export order: their start, the sessions
    # they came to (one string of ids) and their own cells. The rows for the sessions
    # offered to them are made from the programme's list of held sessions above, so the
    # database sends one row per participant, not one per participant and session.
    came = select(held.c.programme_id, a.c.young_person_id,
                  func.aggregate_strings(cast(a.c.session_id, String), ",").label("session_ids")) \
        .join(held, held.c.session_id == a.c.session_id) \
        .group_by(held.c.programme_id, a.c.young_person_id).subquery()
    participant_stmt = select(part.c.young_person_id, part.c.programme_id, part.c.since, came.c.session_ids,
                              q.age_band_of(yp.c.date_of_birth, labels=True), func.coalesce(yp.c.gender, "unknown"),
                              func.coalesce(yp.c.postcode_district, "unknown"), p.c.title, *course_columns) \
        .select_from(part.join(yp, yp.c.id == part.c.young_person_id)
                     .join(p, p.c.id == part.c.programme_id)
                     .outerjoin(came, and_(came.c.programme_id == part.c.programme_id,
                                           came.c.young_person_id == part.c.young_person_id))
                     .outerjoin(course, and_(course.c.programme_id == part.c.programme_id,
                                             course.c.young_person_id == part.c.young_person_id))) \
        .order_by(part.c.young_person_id, part.c.programme_id)
    # After-session answers, few next to the rows, in the same order.
    after_stmt = select(after.c.young_person_id, held.c.programme_id, after.c.session_id, *after_columns) \
        .join(held, held.c.session_id == after.c.session_id) \
        .order_by(after.c.young_person_id, held.c.programme_id)
    key = ctx.pseudonym_key

    def groups():
        participants = stream(participant_stmt)
        answers_after = stream(after_stmt) if after_columns else None
        try:
            answers_of = _answers_by_session(answers_after or (), len(after_columns))
            code_of = {}
            for person, programme_id, since, session_ids, *cells in participants:
                starts_at, sessions = offered.get(programme_id, ((), ()))
                # Sessions offered: those starting at or after the participant's start.
                first = bisect_left(starts_at, since)
                if first == len(sessions):
                    continue
                came_to = set(session_ids.split(",")) if session_ids else ()
                if after_columns:
                    answers = answers_of(person, programme_id)
                    rows = [(day, "yes" if sid in came_to else "no", *answers(sid)) for sid, day in sessions[first:]]
                else:  # the usual case, and the export's hot loop
                    rows = [(day, "yes" if sid in came_to else "no") for sid, day in sessions[first:]]
                if person not in code_of:
                    code_of = {person: participant_code(key, person)}  # rows come grouped by person
                if scored:
                    cells = [*cells, *scores.get((person, programme_id), no_scores)]
                yield [code_of[person], *cells], rows
        finally:
            # A reader that stops early leaves server-side cursors open on PostgreSQL.
            participants.close()
            if answers_after is not None:
                answers_after.close()

    # What belongs to the participant first, then what belongs to the session.
    header = ["Participant code", "Age band", "Gender", "Postcode district", "Programme",
              *[f"{kind} survey: {code}" for kind in ("start", "end") for code in course_codes],
              *[f"{kind} score: {instruments.get(code).score_name}" for kind in ("start", "end") for code in scored],
              "Session date", "Attended", *[f"after-session survey: {code}" for code in session_codes]]
    return Table(filename=file_name(ctx, "evaluator-dataset", period(ctx)[1]), groups=groups(),
                 title=f"Evaluator dataset · {subject(ctx)[0]} · {period(ctx)[0]}",
                 date_columns={header.index("Session date"): "date"},
                 header=header,
                 # Dates, yes/no and survey answers (1-5) after the participant's own cells.
                 text_columns=())


def _answers_by_session(rows, width):
    """For a reader walking participants in (person, programme) order: the after-session
    answers of each, read from rows of (person, programme, session id, *answers) in the
    same order, as a lookup by session id (as text); no answers are `width` blanks."""
    rows, blanks = iter(rows), (None,) * width
    row = next(rows, None)

    def answers_of(person, programme_id):
        nonlocal row
        found = {}
        while row is not None and (row[0], row[1]) < (person, programme_id):
            row = next(rows, None)
        while row is not None and (row[0], row[1]) == (person, programme_id):
            found[str(row[2])] = tuple(row[3:])
            row = next(rows, None)
        return lambda session_id: found.get(session_id, blanks)
    return answers_of


def instrument_scores(q, programme_ids) -> tuple[list[str], dict]:
    """The scored instruments on these programmes' start and end surveys (registry order),
    and per (young person, programme) their published score at the start and at the end
    (the instrument's own scoring, e.g. SWEMWBS's conversion table), each None when they did
    not answer every scored item. Cells in header order: every instrument's start score,
    then every end score. Comparison group answers are left out, as everywhere here."""
    sv, sq, fr, fa = Survey.__table__, SurveyQuestion.__table__, FeedbackResponse.__table__, FeedbackAnswer.__table__
    has_score = [code for code, inst in instruments.REGISTRY.items() if inst.has_score]
    present = set(q.rows(select(sq.c.instrument).distinct().join(sv, sv.c.id == sq.c.survey_id)
                         .where(sv.c.programme_id.in_(programme_ids), sv.c.kind.in_(["start", "end"]),
                                sq.c.instrument.in_(has_score))))
    scored = [code for code in has_score if (code,) in present]
    if not scored:
        return [], {}
    # Only the instruments' items: a few per answered survey, far fewer than the export's rows.
    rows = q.rows(select(fr.c.young_person_id, sv.c.programme_id, sv.c.kind, sq.c.instrument, sq.c.item_number,
                         fa.c.value)
                  .join(sv, sv.c.id == fr.c.survey_id).join(fa, fa.c.response_id == fr.c.id)
                  .join(sq, sq.c.id == fa.c.question_id)
                  .where(sv.c.programme_id.in_(programme_ids), sv.c.kind.in_(["start", "end"]),
                         sq.c.instrument.in_(scored), fr.c.young_person_id.is_not(None), fr.c.comparison.is_(False))
                  .order_by(fr.c.id))
    answers: dict[tuple, dict[tuple, dict[int, int]]] = {}
    for person, programme_id, kind, code, item, value in rows:
        answers.setdefault((person, programme_id), {}).setdefault((kind, code), {})[item] = value
    scores = {key: tuple(instruments.get(code).score(by.get((kind, code), {}))
                         for kind in ("start", "end") for code in scored)
              for key, by in answers.items()}
    return scored, scores
