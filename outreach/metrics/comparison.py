from sqlalchemy import func, select

from . import metric
from .change import difference_in_change
from .feedback import question_pairs, responses_of, score_pairs
from ..models import ComparisonMember, FeedbackResponse, Programme, Survey
from ..models.comparison import served_by


@metric("comparison", "Comparison group")
def comparison(q):
    """For each programme with a comparison group (its waiting list, or young people it has
    not yet served, who answer the same start and end surveys without taking part): per
    shared question and per instrument score, change from start to end in the served
    group (answers not marked as comparison) beside change in the comparison group
    (answers marked as comparison, from young people the programme has still not served:
    never given a place on it nor come to it), each over the young people who answered
    both surveys in the range, and the difference of the two mean changes with Welch's 95%
    confidence interval (see "Difference between the groups"). A finding needs the
    minimum number of pairs (setting, default 20) in each group. Also the group's size
    by how its members came in. Not randomised: the groups may differ in ways that affect
    the result."""
    p, cm, sv = Programme.__table__, ComparisonMember.__table__, Survey.__table__
    sizes: dict[int, dict[str, int]] = {}
    for programme_id, source, n in q.rows(
            q._scoped_programmes(select(cm.c.programme_id, cm.c.source, func.count())
                                 .join(p, p.c.id == cm.c.programme_id), p)
            .group_by(cm.c.programme_id, cm.c.source).order_by(cm.c.programme_id)):
        sizes.setdefault(programme_id, {})[source] = n
    out = []
    for programme_id, by_source in sizes.items():
        survey_ids = [sid for (sid,) in q.rows(select(sv.c.id).where(sv.c.programme_id == programme_id,
                                                                    sv.c.kind.in_(["start", "end"])))]
        served = responses_of(q, survey_ids)
        as_comparison = responses_of(q, survey_ids, comparison=True)

        def comparison_group(*columns, _build=as_comparison, _pid=programme_id):
            # Someone given a place or come since they answered is served now: out of the comparison.
            fr = FeedbackResponse.__table__
            return _build(*columns).where(fr.c.young_person_id.not_in(served_by(_pid)))

        rows = []
        for kind, served_pairs, comparison_pairs in (
                ("score", score_pairs(q, served), score_pairs(q, comparison_group)),
                ("question", question_pairs(q, served), question_pairs(q, comparison_group))):
            for code, (before, after) in comparison_pairs.items():
                s_before, s_after = served_pairs.get(code, ([], []))
                rows.append({"kind": kind, "code": code, "stats": difference_in_change(
                    s_before, s_after, before, after, min_pairs=q.settings.min_pairs, ordinal=kind == "question")})
        out.append({"programme_id": programme_id, "members": sum(by_source.values()), "by_source": by_source,
                    "rows": rows})
    return {"programmes": out, "min_pairs": q.settings.min_pairs}
