from sqlalchemy import func, select

from . import metric
from .base import ratio
from .feedback import responses_of
from ..instruments import benchmarks
from ..models import AreaBenchmark, FeedbackAnswer, FeedbackResponse, Programme, Survey, SurveyQuestion


@metric("benchmark", "National benchmarks")
def benchmark(q):
    """For each question that has a published national figure (the table shipped in
    outreach/instruments/benchmarks.py: the Crime Survey for England and Wales rating of
    the local police), per programme in scope that asked it: the share of the served
    group's answers to its start survey that are the answers the national figure counts
    (Good or Excellent), and the same for its end survey, over every answer submitted in
    the range (not only young people who answered both; comparison-group answers left
    out). Beside them the national figure with its population, year and source, and the
    lead's own figure for their police force area where they added one, with the year and
    source they gave. The national figure covers adults aged 16 and over across England
    and Wales, so it is a point of reference, not a like-for-like comparison."""
    codes = benchmarks.questions()
    sv, sq, fr, fa, p = (Survey.__table__, SurveyQuestion.__table__, FeedbackResponse.__table__,
                         FeedbackAnswer.__table__, Programme.__table__)
    survey_ids = [sid for (sid,) in q.rows(q._scoped_programmes(
        select(sv.c.id).join(p, p.c.id == sv.c.programme_id), p).where(sv.c.kind.in_(["start", "end"])))]
    if not survey_ids:
        return {"rows": []}
    responses = responses_of(q, survey_ids)
    counted = {b.question: set(b.values) for b in benchmarks.NATIONAL}
    found: dict[tuple[int, str], dict[str, dict[int, int]]] = {}
    for programme_id, code, kind, value, n in q.rows(
            responses(sv.c.programme_id, sq.c.code, sv.c.kind, fa.c.value, func.count())
            .join(sv, sv.c.id == fr.c.survey_id).join(fa, fa.c.response_id == fr.c.id)
            .join(sq, sq.c.id == fa.c.question_id).where(sq.c.code.in_(codes))
            .group_by(sv.c.programme_id, sq.c.code, sv.c.kind, fa.c.value)):
        found.setdefault((programme_id, code), {}).setdefault(kind, {})[value] = n
    # The lead's own figures for their force area, for the programmes that asked the questions.
    ab = AreaBenchmark.__table__
    local = {(row.programme_id, row.question): {"area": row.area, "percent": row.percent, "year": row.year,
                                                "source": row.source}
             for row in q.rows(select(ab.c.programme_id, ab.c.question, ab.c.area, ab.c.percent, ab.c.year,
                                      ab.c.source).where(ab.c.programme_id.in_({pid for pid, _ in found})))} \
        if found else {}
    out = []
    for (programme_id, code), by_kind in sorted(found.items()):
        shares = {}
        for kind in ("start", "end"):
            values = by_kind.get(kind, {})
            answers = sum(values.values())
            yes = sum(n for v, n in values.items() if v in counted[code])
            shares[kind] = {"counted": yes, "answers": answers, "share": ratio(yes, answers)}
        out.append({"programme_id": programme_id, "question": code, "national": benchmarks.national(code),
                    "area": local.get((programme_id, code)), **shares})
    return {"rows": out}
