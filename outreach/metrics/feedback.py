from sqlalchemy import case, func, select

from . import metric
from .base import ratio
from .change import paired_change
from .. import instruments
from ..models import FeedbackAnswer, FeedbackResponse, Programme, Survey, SurveyQuestion


@metric("feedback", "Feedback surveys")
def feedback(q):
    """Per survey: responses submitted in the range. Response rate of an after-session
    survey = responses ÷ attendances at that programme's held sessions in the range;
    of a start or end survey = responses ÷ young people who attended that programme
    in the range. Per question: number of answers for each value of its own scale
    (1–5, or an instrument item's published scale) and the mean.
    Change = per question shared across programmes (core questions and instrument
    items) and per instrument score (scored as its publisher says), over young people
    who answered both the start and the end survey of the same programme, and only
    them: mean at start and at end, the mean change with its 95% confidence interval,
    Cohen's d_z, the shares who moved up, stayed or moved down, for questions the
    Wilcoxon signed-rank test, and the smallest change these pairs could detect (see
    "Change from start to end"). Fewer pairs than the minimum (setting, default 20):
    "too few pairs to say". Answers from a programme's comparison group are left out of
    every figure here (see "Comparison group")."""
    sv, sq, fr, fa, p = (Survey.__table__, SurveyQuestion.__table__, FeedbackResponse.__table__,
                         FeedbackAnswer.__table__, Programme.__table__)
    surveys_stmt = q._scoped_programmes(select(sv.c.id, sv.c.programme_id, sv.c.kind, sv.c.title)
                                        .join(p, p.c.id == sv.c.programme_id), p).order_by(sv.c.programme_id, sv.c.id)
    surveys = q.rows(surveys_stmt)
    if not surveys:
        return {"surveys": [], "change": []}
    survey_ids = [s.id for s in surveys]

    responses = responses_of(q, survey_ids)

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
    questions = q.rows(select(sq.c.id, sq.c.survey_id, sq.c.code, sq.c.text, sq.c.min_value, sq.c.max_value,
                              sq.c.instrument, sq.c.item_number)
                       .where(sq.c.survey_id.in_(survey_ids)).order_by(sq.c.survey_id, sq.c.position))

    out = []
    for s in surveys:
        denominator = attendances.get(s.programme_id, 0) if s.kind == "session" else attendees.get(s.programme_id, 0)
        qs = []
        for question in (x for x in questions if x.survey_id == s.id):
            values = distribution.get(question.id, {})
            total = sum(values.values())
            qs.append({"id": question.id, "code": question.code, "text": question.text,
                       "min": question.min_value, "max": question.max_value, "instrument": question.instrument,
                       "counts": [values.get(v, 0) for v in range(question.min_value, question.max_value + 1)],
                       "answers": total, "mean": ratio(sum(v * n for v, n in values.items()), total)})
        out.append({"id": s.id, "programme_id": s.programme_id, "kind": s.kind, "title": s.title,
                    "responses": counts.get(s.id, 0), "eligible": denominator,
                    "response_rate": ratio(counts.get(s.id, 0), denominator), "questions": qs})
    min_pairs = q.settings.min_pairs
    return {"surveys": out, "change": _change(q, responses, sv, sq, fr, fa, min_pairs),
            "scores": _scores(q, responses, sv, sq, fr, fa, min_pairs), "min_pairs": min_pairs}


def responses_of(q, survey_ids, *, comparison=False):
    """A builder of SELECTs over the responses to these surveys submitted in the range, by
    the filtered young people: the served group's (comparison=False) or the comparison
    group's (comparison=True), never both."""
    fr = FeedbackResponse.__table__

    def responses(*columns):
        stmt = select(*columns).select_from(fr).where(fr.c.survey_id.in_(survey_ids), fr.c.comparison.is_(comparison),
                                                      *q._in_range(fr.c.submitted_at))
        if q.filters.filters_people:
            stmt = q._only_people(stmt, fr.c.young_person_id)
        return stmt
    return responses


def _change(q, responses, sv, sq, fr, fa, min_pairs):
    """Start-to-end change per shared question code, paired by young person and programme."""
    out = []
    for code, (before, after) in question_pairs(q, responses).items():
        stats = paired_change(before, after, min_pairs=min_pairs, ordinal=True)
        out.append({"code": code, "pairs": stats.pairs, "mean_start": stats.mean_before,
                    "mean_end": stats.mean_after, "change": stats.mean_change,
                    "improved": stats.up, "same": stats.same, "worse": stats.down, "stats": stats})
    return out


def question_pairs(q, responses) -> dict[str, tuple[list, list]]:
    """Per shared question code (in code order): the start and the end answers of the young
    people who answered both for the same programme, one pair each, as two lists."""
    sv, sq, fr, fa = Survey.__table__, SurveyQuestion.__table__, FeedbackResponse.__table__, FeedbackAnswer.__table__
    # Each person's start and end answers side by side per programme and code (the mean,
    # should a programme have two surveys of a kind): one row per pair, not per answer.
    def mean_at(kind):
        return func.avg(case((sv.c.kind == kind, fa.c.value))).label(kind)

    answered = responses(sq.c.code, mean_at("start"), mean_at("end")) \
        .join(sv, sv.c.id == fr.c.survey_id).join(fa, fa.c.response_id == fr.c.id) \
        .join(sq, sq.c.id == fa.c.question_id) \
        .where(sv.c.kind.in_(["start", "end"]), sq.c.code.is_not(None), fr.c.young_person_id.is_not(None)) \
        .group_by(sv.c.programme_id, fr.c.young_person_id, sq.c.code).subquery()
    pairs: dict[str, tuple[list, list]] = {}
    for code, start, end in q.rows(select(answered.c.code, answered.c.start, answered.c.end)
                                   .where(answered.c.start.is_not(None), answered.c.end.is_not(None))
                                   .order_by(answered.c.code)):
        before, after = pairs.setdefault(code, ([], []))
        before.append(float(start))
        after.append(float(end))
    return pairs


def _scores(q, responses, sv, sq, fr, fa, min_pairs):
    """Start-to-end change of each instrument's published score, for young people who
    answered it at the start and at the end of the same programme."""
    return [{"instrument": code, "name": instruments.get(code).score_name,
             "stats": paired_change(before, after, min_pairs=min_pairs, ordinal=False)}
            for code, (before, after) in score_pairs(q, responses).items()]


def score_pairs(q, responses) -> dict[str, tuple[list, list]]:
    """Per scored instrument (in registry order, only those with a pair): the published
    score at the start and at the end of the young people who could be scored at both for
    the same programme, one pair each, as two lists."""
    sv, sq, fr, fa = Survey.__table__, SurveyQuestion.__table__, FeedbackResponse.__table__, FeedbackAnswer.__table__
    scored = [i.code for i in instruments.REGISTRY.values() if i.has_score]
    rows = q.rows(responses(sv.c.programme_id, fr.c.young_person_id, sv.c.kind, sq.c.instrument, sq.c.item_number,
                            fa.c.value)
                  .join(sv, sv.c.id == fr.c.survey_id).join(fa, fa.c.response_id == fr.c.id)
                  .join(sq, sq.c.id == fa.c.question_id)
                  .where(sv.c.kind.in_(["start", "end"]), sq.c.instrument.in_(scored),
                         fr.c.young_person_id.is_not(None))
                  .order_by(fr.c.id))
    # (instrument, programme, person) -> kind -> item number -> value; a later response wins.
    answers: dict[tuple, dict[str, dict[int, int]]] = {}
    for programme_id, person, kind, code, item, value in rows:
        answers.setdefault((code, programme_id, person), {}).setdefault(kind, {})[item] = value
    out = {}
    for code in scored:
        inst = instruments.get(code)
        before, after = [], []
        for (c, _, _), by_kind in answers.items():
            if c != code:
                continue
            start, end = inst.score(by_kind.get("start", {})), inst.score(by_kind.get("end", {}))
            if start is not None and end is not None:
                before.append(start)
                after.append(end)
        if before:
            out[code] = (before, after)
    return out
