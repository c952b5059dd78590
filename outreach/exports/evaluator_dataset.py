from itertools import groupby
from operator import itemgetter

from sqlalchemy import and_, case, exists, func, select

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

    # As a list, not a subquery, so PostgreSQL picks the surveys before joining their answers.
    programme_ids = [pid for (pid,) in q.rows(select(held.c.programme_id).distinct())]
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
    # Two streams in the same order, by person then programme: what is known once per
    # participant of a programme, and the sessions offered to them. Each participant's
    # cells are read, checked and encoded once, not once per session.
    lead_stmt = select(part.c.young_person_id, part.c.programme_id, q.age_band_of(yp.c.date_of_birth, labels=True),
                       func.coalesce(yp.c.gender, "unknown"), func.coalesce(yp.c.postcode_district, "unknown"),
                       p.c.title, *course_columns) \
        .select_from(part.join(yp, yp.c.id == part.c.young_person_id)
                     .join(p, p.c.id == part.c.programme_id)
                     .outerjoin(course, and_(course.c.programme_id == part.c.programme_id,
                                             course.c.young_person_id == part.c.young_person_id))) \
        .order_by(part.c.young_person_id, part.c.programme_id)
    # Attendances at the sessions in question only, for PostgreSQL to hash instead of every attendance.
    came = select(a.c.session_id, a.c.young_person_id).where(a.c.session_id.in_(select(held.c.session_id))).subquery()
    offered = part.join(held, and_(held.c.programme_id == part.c.programme_id, held.c.starts_at >= part.c.since)) \
        .outerjoin(came, and_(came.c.session_id == held.c.session_id,
                              came.c.young_person_id == part.c.young_person_id))
    if after_columns:
        offered = offered.outerjoin(after, and_(after.c.session_id == held.c.session_id,
                                                after.c.young_person_id == part.c.young_person_id))
    # The session's id, turned into its local date from a dict of the sessions: a row
    # carries no timestamp to parse.
    session_stmt = select(part.c.young_person_id, part.c.programme_id, held.c.session_id,
                          case((came.c.session_id.is_not(None), "yes"), else_="no"), *after_columns) \
        .select_from(offered) \
        .order_by(part.c.young_person_id, part.c.programme_id, held.c.starts_at)
    key, tz = ctx.pseudonym_key, ctx.organisation.timezone

    def groups():
        # One entry per session: bounded by the number of sessions, not rows.
        day = {sid: local(starts, tz, "%Y-%m-%d") for sid, starts in q.rows(select(held.c.session_id, held.c.starts_at))}
        if after_columns:
            def session_cells(sessions):
                return [[day[row[2]], *row[3:]] for row in sessions]
        else:  # the usual case, and the export's hot loop: date and attended only
            def session_cells(sessions):
                return [(day[session_id], attended) for _, _, session_id, attended in sessions]
        leads, offered_sessions = stream(lead_stmt), stream(session_stmt)
        try:
            lead_rows, code_of = iter(leads), {}
            lead = next(lead_rows, None)
            for (person, programme_id), sessions in groupby(offered_sessions, key=itemgetter(0, 1)):
                # Every participant offered a session has a lead row; a participant offered
                # nothing yet (started after the last session) has a lead row and no sessions.
                while (lead[0], lead[1]) != (person, programme_id):
                    lead = next(lead_rows)
                if person not in code_of:
                    code_of = {person: participant_code(key, person)}  # rows come grouped by person
                yield [code_of[person], *lead[2:]], session_cells(sessions)
        finally:
            # The participants left unread keep a server-side cursor open on PostgreSQL.
            leads.close()
            offered_sessions.close()

    return Table(filename=f"evaluator-dataset-{ctx.organisation.slug}", groups=groups(),
                 # What belongs to the participant first, then what belongs to the session.
                 header=["Participant code", "Age band", "Gender", "Postcode district", "Programme",
                         *[f"{kind} survey: {code}" for kind in ("start", "end") for code in course_codes],
                         "Session date", "Attended", *[f"after-session survey: {code}" for code in session_codes]],
                 # Dates, yes/no and survey answers (1-5) after the participant's own cells.
                 text_columns=())
