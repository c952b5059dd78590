from sqlalchemy import case, func, select

from . import metric
from .base import ratio
from ..models import FeedbackAnswer, FeedbackResponse, Programme, Survey, SurveyQuestion


@metric("feedback", "Feedback surveys")
def feedback(q):
    """Per survey: responses submitted in the range. Response rate of an after-session
    survey = responses ÷ attendances at that programme's held sessions in the range;
    of a start or end survey = responses ÷ young people who attended that programme
    in the range. Per question: number of answers for each value 1–5 and the mean.
    Change = for core questions, over young people who answered both the start and the
    end survey of the same programme (and only them): mean at start, mean at end, and
    how many moved up, stayed, or moved down."""
    sv, sq, fr, fa, p = (Survey.__table__, SurveyQuestion.__table__, FeedbackResponse.__table__,
                         FeedbackAnswer.__table__, Programme.__table__)
    surveys_stmt = q._scoped_programmes(select(sv.c.id, sv.c.programme_id, sv.c.kind, sv.c.title)
                                        .join(p, p.c.id == sv.c.programme_id), p).order_by(sv.c.programme_id, sv.c.id)
    surveys = q.rows(surveys_stmt)
    if not surveys:
        return {"surveys": [], "change": []}
    survey_ids = [s.id for s in surveys]

    def responses(*columns):
        stmt = select(*columns).select_from(fr).where(fr.c.survey_id.in_(survey_ids), *q._in_range(fr.c.submitted_at))
        if q.filters.filters_people:
            stmt = q._only_people(stmt, fr.c.young_person_id)
        return stmt

    counts = dict(q.rows(responses(fr.c.survey_id, func.count()).group_by(fr.c.survey_id)))
    per = q.attendance_per_participant()
    per_programme = q.rows(select(per.c.programme_id, func.sum(per.c.attended), func.count())
                           .group_by(per.c.programme_id))
    attendances = {pid: int(n) for pid, n, _ in per_programme}
    attendees = {pid: people for pid, _, people in per_programme}
    # The answers of the responses in question, as a membership test rather than a join:
    # SQLite then reads the answers in index order and counts them three times faster.
    answered = select(fa.c.question_id, fa.c.value, func.count()).where(fa.c.response_id.in_(responses(fr.c.id))) \
        .group_by(fa.c.question_id, fa.c.value)
    distribution: dict[int, dict[int, int]] = {}
    for question_id, value, n in q.rows(answered):
        distribution.setdefault(question_id, {})[value] = n
    questions = q.rows(select(sq.c.id, sq.c.survey_id, sq.c.code, sq.c.text)
                       .where(sq.c.survey_id.in_(survey_ids)).order_by(sq.c.survey_id, sq.c.position))

    out = []
    for s in surveys:
        denominator = attendances.get(s.programme_id, 0) if s.kind == "session" else attendees.get(s.programme_id, 0)
        qs = []
        for question in (x for x in questions if x.survey_id == s.id):
            values = distribution.get(question.id, {})
            total = sum(values.values())
            qs.append({"id": question.id, "code": question.code, "text": question.text,
                       "counts": [values.get(v, 0) for v in range(1, 6)], "answers": total,
                       "mean": ratio(sum(v * n for v, n in values.items()), total)})
        out.append({"id": s.id, "programme_id": s.programme_id, "kind": s.kind, "title": s.title,
                    "responses": counts.get(s.id, 0), "eligible": denominator,
                    "response_rate": ratio(counts.get(s.id, 0), denominator), "questions": qs})
    return {"surveys": out, "change": _change(q, responses, sv, sq, fr, fa, survey_ids)}


def _change(q, responses, sv, sq, fr, fa, survey_ids):
    """Start-to-end change per core question code, paired by young person and programme."""
    # One pass: each person's start and end means side by side per programme and code.
    def mean_at(kind):
        return func.avg(case((sv.c.kind == kind, fa.c.value))).label(kind)

    answered = responses(sq.c.code, mean_at("start"), mean_at("end")) \
        .join(sv, sv.c.id == fr.c.survey_id).join(fa, fa.c.response_id == fr.c.id) \
        .join(sq, sq.c.id == fa.c.question_id) \
        .where(sv.c.kind.in_(["start", "end"]), sq.c.code.is_not(None), fr.c.young_person_id.is_not(None)) \
        .group_by(sv.c.programme_id, fr.c.young_person_id, sq.c.code).subquery()
    start, end = answered.c.start, answered.c.end
    diff = end - start
    rows = q.rows(select(answered.c.code, func.count(), func.avg(start), func.avg(end),
                         func.sum(case((diff > 0, 1), else_=0)), func.sum(case((diff == 0, 1), else_=0)),
                         func.sum(case((diff < 0, 1), else_=0)))
                  .where(start.is_not(None), end.is_not(None))
                  .group_by(answered.c.code).order_by(answered.c.code))
    return [{"code": code, "pairs": n, "mean_start": a, "mean_end": b, "change": (b - a) if n else None,
             "improved": up or 0, "same": same or 0, "worse": down or 0} for code, n, a, b, up, same, down in rows]
