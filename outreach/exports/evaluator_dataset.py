from sqlalchemy import and_, case, func, select

from . import Table, export
from ._common import local, participant_code, stream
from ..models import (Attendance, FeedbackAnswer, FeedbackResponse, Programme, Survey, SurveyQuestion,
                      YoungPerson)


@export("evaluator_dataset", "Evaluator dataset", level="organisation", leaves_organisation=True,
        description="One row per participant and session offered to them, under a pseudonymous participant "
                    "code: age band, gender, district, programme, date, attended, survey answers. No names, "
                    "birth dates, contacts, notes or database ids.")
def evaluator_dataset(ctx):
    q = ctx.metric_query()
    part, held = q.participants(), q.held()
    yp, a, p = YoungPerson.__table__, Attendance.__table__, Programme.__table__
    sv, sq, fr, fa = Survey.__table__, SurveyQuestion.__table__, FeedbackResponse.__table__, FeedbackAnswer.__table__

    programme_ids = select(held.c.programme_id).distinct().scalar_subquery()
    codes = q.rows(select(sv.c.kind, sq.c.code).distinct().join(sq, sq.c.survey_id == sv.c.id)
                   .where(sv.c.programme_id.in_(q._scoped_programmes(select(p.c.id), p)), sq.c.code.is_not(None))
                   .order_by(sv.c.kind, sq.c.code))
    course_codes = sorted({c for kind, c in codes if kind in ("start", "end")})
    session_codes = sorted({c for kind, c in codes if kind == "session"})

    answers = select(sv.c.programme_id, sv.c.kind, fr.c.young_person_id, fr.c.session_id, sq.c.code, fa.c.value) \
        .join(fr, fr.c.survey_id == sv.c.id).join(fa, fa.c.response_id == fr.c.id) \
        .join(sq, sq.c.id == fa.c.question_id) \
        .where(fr.c.young_person_id.is_not(None), sq.c.code.is_not(None), sv.c.programme_id.in_(programme_ids)) \
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
    after_columns = [after.c[f"session_{code}"] for code in session_codes]
    # The session's id, turned into its local date from a dict of the sessions: a row
    # carries no timestamp to parse. Labels and "unknown" come from the database, so a
    # row needs little work in Python.
    stmt = select(part.c.young_person_id, q.age_band_of(yp.c.date_of_birth, labels=True),
                  func.coalesce(yp.c.gender, "unknown"), func.coalesce(yp.c.postcode_district, "unknown"),
                  p.c.title, held.c.session_id, case((a.c.id.is_not(None), "yes"), else_="no"),
                  *course_columns, *after_columns) \
        .select_from(part.join(held, and_(held.c.programme_id == part.c.programme_id,
                                          held.c.starts_at >= part.c.since))
                     .join(yp, yp.c.id == part.c.young_person_id)
                     .join(p, p.c.id == part.c.programme_id)
                     .outerjoin(a, and_(a.c.session_id == held.c.session_id,
                                        a.c.young_person_id == part.c.young_person_id))
                     .outerjoin(course, and_(course.c.programme_id == part.c.programme_id,
                                             course.c.young_person_id == part.c.young_person_id))
                     .outerjoin(after, and_(after.c.session_id == held.c.session_id,
                                            after.c.young_person_id == part.c.young_person_id))) \
        .order_by(part.c.young_person_id, held.c.starts_at)
    key, tz = ctx.pseudonym_key, ctx.organisation.timezone

    def rows():
        # One entry per session: bounded by the number of sessions, not rows.
        day = {sid: local(starts, tz, "%Y-%m-%d") for sid, starts in q.rows(select(held.c.session_id, held.c.starts_at))}
        person, code = None, None
        for row in stream(stmt):
            if row[0] != person:  # rows come grouped by person
                person, code = row[0], participant_code(key, row[0])
            out = list(row)
            out[0], out[5] = code, day[out[5]]
            yield out

    return Table(filename=f"evaluator-dataset-{ctx.organisation.slug}", rows=rows(),
                 header=["Participant code", "Age band", "Gender", "Postcode district", "Programme", "Session date",
                         "Attended", *[f"{kind} survey: {code}" for kind in ("start", "end") for code in course_codes],
                         *[f"after-session survey: {code}" for code in session_codes]],
                 # District and programme title are typed in; gender is held to a fixed list by a CHECK
                 # constraint and survey answers are 1-5.
                 text_columns=(3, 4))
