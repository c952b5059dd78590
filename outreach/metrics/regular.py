from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from . import metric
from .base import as_float
from ..models import Programme

BANDS = [("1_9", "1–9", 1, 9), ("10_29", "10–29", 10, 29), ("30_59", "30–59", 30, 59), ("60_plus", "60+", 60, None)]


@dataclass(frozen=True)
class Rule:
    """Which rule made the regular attendees: the default share of the sessions offered,
    and the programmes in scope whose lead set a number of sessions instead."""
    share: float
    set_by_programme: tuple = ()  # ((programme_id, title, sessions), ...) by title
    every_programme_set: bool = False  # no programme in scope uses the default

    @property
    def short(self) -> str:
        """For a column heading or a figure's note: "75%+ of sessions offered", "8+ sessions"."""
        default = f"{round(self.share * 100)}%+ of sessions offered"
        numbers = {n for _, _, n in self.set_by_programme}
        if self.every_programme_set and len(numbers) == 1:
            return f"{numbers.pop()}+ sessions"
        return default + (", or as set per programme" if numbers else "")

    def sentence(self) -> str:
        """The rule in words, as a page or a funder return prints it."""
        default = f"came to at least {round(self.share * 100)}% of the sessions offered to them (the default rule)"
        if not self.set_by_programme:
            return f"Regular attendees: young people who {default}."
        own = "; ".join(f"{title}: at least {n} session{'s' if n != 1 else ''}"
                        for _, title, n in self.set_by_programme[:5])
        if len(self.set_by_programme) > 5:
            own += f"; and {len(self.set_by_programme) - 5} more programmes with a number of their own"
        if self.every_programme_set:
            return ("Regular attendees: young people who came to at least the number of sessions set by the "
                    f"programme's lead ({own}).")
        return (f"Regular attendees: young people who {default}, or, in a programme whose lead set a number of "
                f"sessions, came to at least that many ({own}).")


def rule(q) -> Rule:
    """The rule that applies to this view: the default share, and each programme in scope
    whose lead set its own number of sessions."""
    p = Programme.__table__
    programmes = q.rows(q._scoped_programmes(select(p.c.id, p.c.title, p.c.regular_sessions), p))
    own = tuple(sorted(((pid, title, n) for pid, title, n in programmes if n is not None),
                       key=lambda x: (x[1].lower(), x[0])))
    return Rule(q.settings.regular_share, own, every_programme_set=bool(programmes) and len(own) == len(programmes))


def regular_per_person(q):
    """Per young person who attended a held session in the range: young_person_id, n
    (their attendances, as for the bands) and regular (1 or 0, the rule below)."""
    part, p = q.participation(), Programme.__table__
    own = p.c.regular_sessions
    # attended ÷ offered ≥ share, multiplied out (no division by zero); the tolerance keeps
    # 3 of 4 at exactly 75% regular whatever the float rounding.
    by_share = and_(part.c.offered > 0,
                    as_float(part.c.attended) >= as_float(part.c.offered) * q.settings.regular_share - 1e-9)
    regular_in = case((own.is_not(None), case((part.c.attended >= own, 1), else_=0)),
                      else_=case((by_share, 1), else_=0))
    # Each step kept while the dashboard's temporary tables are open: the regular and the
    # equality metrics both read it.
    flags = q._kept("regular_flags", select(part.c.young_person_id, func.max(regular_in).label("regular"))
                    .join(p, p.c.id == part.c.programme_id).group_by(part.c.young_person_id), "regular_flags",
                    index="young_person_id")
    per_person = q.attendances_per_person()
    return q._kept("regular_per_person", select(
        per_person.c.young_person_id, per_person.c.n, func.coalesce(flags.c.regular, 0).label("regular"))
        .outerjoin(flags, flags.c.young_person_id == per_person.c.young_person_id), "regular_per_person")


@metric("regular", "Regular attendees and attendance bands")
def regular(q):
    """Regular attendee = a young person who, in at least one programme in scope, came to
    at least a share (setting, default 75%) of the sessions offered to them there (as in
    the attendance rate), or, in a programme whose lead set a number of sessions, to at
    least that many of its held sessions in the range. Counted once however many
    programmes they are regular in. Bands: sessions attended by a young person = their
    attendances at held sessions in the range, across every programme in scope: 1–9,
    10–29, 30–59 and 60+."""
    per_person = regular_per_person(q)
    n = per_person.c.n
    columns = [func.sum(case((n >= lo, 1), else_=0) * (case((n <= hi, 1), else_=0) if hi else 1))
               for _, _, lo, hi in BANDS]
    row = q.one(select(func.count(), func.sum(per_person.c.regular), *columns).select_from(per_person))
    applied = rule(q)
    return {"young_people": row[0], "regular": int(row[1] or 0), "share": applied.share,
            "set_by_programme": [{"programme_id": pid, "title": title, "sessions": sessions}
                                 for pid, title, sessions in applied.set_by_programme],
            "rule": applied.sentence(), "rule_short": applied.short,
            "bands": [{"key": key, "label": label, "young_people": row[2 + i] or 0}
                      for i, (key, label, _, _) in enumerate(BANDS)]}
