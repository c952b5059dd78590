"""When a programme's start and end surveys fall due for a young person (issue 17, point 2).

A start survey measures where someone began, so it is asked while they are new: it is due
at a young person's first or second session of the programme, and not after (by their
third it would no longer be a starting point). An end survey is due at the programme's
last session, or, when the programme's lead set "Weeks until the end survey", that many
weeks after the young person's first session if that comes sooner; not at the last
session when it is their first (they answer the start survey there). Neither is due once
the young person has answered it.

A comparison group member (services/comparison.py) takes no part, so the programme's
sessions stand in for theirs: the moment they joined the group counts as their first
session and each session the programme holds after that as one more, so their start
survey is due until the programme's second session after they joined begins; their end
survey is due from the start of the programme's last session, or the set number of weeks
after they joined.

The check-in screen, the pass page and the reminder email all ask here, so they agree.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import Attendance, ComparisonMember, FeedbackResponse, Programme, ProgrammeSession, Survey
from ..models.comparison import served_by

START_SESSIONS = 2  # the start survey is due at a young person's first or second session


@dataclass(frozen=True)
class SurveyDue:
    kind: str           # "start" or "end"
    survey: Survey
    programme_title: str
    reason: str         # why it is due now, in words: "first session", "last session", "6 weeks since …"
    comparison: bool = False
    # What `reason` says, for a page or an email that words it in the reader's language
    # (templates/family/_survey_words.html): the nth session (start), or the last session /
    # `weeks` weeks since the first one (end).
    nth: int = 0
    weeks: int | None = None

    @property
    def label(self) -> str:
        return "Start survey" if self.kind == "start" else "End survey"


def start_is_due(nth_session: int) -> bool:
    """At someone's 1st or 2nd session (counted among those they came to), not after."""
    return 1 <= nth_session <= START_SESSIONS


def end_is_due(*, at_last_session: bool, since: datetime | None, moment: datetime, weeks: int | None) -> bool:
    """At the programme's last session, or `weeks` after `since` (their first session)."""
    if at_last_session:
        return True
    return bool(weeks) and since is not None and moment >= since + timedelta(weeks=weeks)


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(n, f"{n}th")


def _surveys(programme_id) -> dict[str, Survey]:
    """The programme's start and end surveys by kind (the first made of each, as surveys_of)."""
    found = db.session.execute(select(Survey).where(Survey.programme_id == programme_id,
                                                    Survey.kind.in_(("start", "end")))
                               .order_by(Survey.id.desc())).scalars()
    return {s.kind: s for s in found}


def _answered(young_person_id, surveys) -> set[int]:
    ids = [s.id for s in surveys]
    if not ids:
        return set()
    return set(db.session.execute(select(FeedbackResponse.survey_id).where(
        FeedbackResponse.young_person_id == young_person_id, FeedbackResponse.survey_id.in_(ids))).scalars())


def _last_session(programme_id) -> ProgrammeSession | None:
    return db.session.execute(
        select(ProgrammeSession).where(ProgrammeSession.programme_id == programme_id,
                                       ProgrammeSession.status == "scheduled")
        .order_by(ProgrammeSession.starts_at.desc(), ProgrammeSession.id.desc()).limit(1)).scalar_one_or_none()


def _attended(programme_id, young_person_id, *, up_to: datetime | None = None) -> list[datetime]:
    """Starts of the programme's sessions this young person was checked in to, in order
    (those starting at or before `up_to`, when given)."""
    stmt = select(ProgrammeSession.starts_at).join(Attendance, Attendance.session_id == ProgrammeSession.id) \
        .where(ProgrammeSession.programme_id == programme_id, Attendance.young_person_id == young_person_id) \
        .order_by(ProgrammeSession.starts_at)
    if up_to is not None:
        stmt = stmt.where(ProgrammeSession.starts_at <= up_to)
    return list(db.session.execute(stmt).scalars())


def _due(programme, young_person_id, *, nth, at_last, since, moment, comparison=False) -> list[SurveyDue]:
    found = _surveys(programme.id)
    answered = _answered(young_person_id, found.values())
    out = []
    start, end = found.get("start"), found.get("end")
    if start is not None and start.id not in answered and start_is_due(nth):
        reason = "joined the comparison group" if comparison and nth == 1 else (
            f"the programme's {_ordinal(nth)} session since joining" if comparison else f"{_ordinal(nth)} session")
        out.append(SurveyDue("start", start, programme.title, reason, comparison, nth=nth))
    weeks = programme.end_survey_weeks
    # Someone whose first session is the programme's last is asked where they start, not
    # where they ended up a moment later: the end survey then waits for the weeks rule.
    at_last = at_last and nth >= 2
    if end is not None and end.id not in answered and end_is_due(at_last_session=at_last, since=since,
                                                                 moment=moment, weeks=weeks):
        reason = "last session" if at_last else f"{weeks} week{'s' if weeks != 1 else ''} since " + (
            "joining" if comparison else "the first session")
        out.append(SurveyDue("end", end, programme.title, reason, comparison, weeks=None if at_last else weeks))
    return out


def due_at_session(young_person_id: int, session: ProgrammeSession, *, now: datetime,
                   coming: bool = False) -> list[SurveyDue]:
    """The start and end surveys due for this young person at this session: the one they
    have just been checked in to (the green check-in screen), or with `coming` one they
    are booked on and will come to (the reminder email), counted as one more session."""
    programme = session.programme
    if not _surveys(programme.id):  # most programmes at the door: nothing more to read
        return []
    came = _attended(programme.id, young_person_id, up_to=session.starts_at)
    if coming:
        came = sorted([*came, session.starts_at])
    if not came:
        return []
    last = _last_session(programme.id)
    at_last = last is not None and last.id == session.id
    moment = session.starts_at if coming else now
    return _due(programme, young_person_id, nth=len(came), at_last=at_last, since=came[0], moment=moment)


def due_now(young_person_id: int, now: datetime, *, programme_ids=None) -> list[SurveyDue]:
    """The start and end surveys due for this young person now (their pass page), over the
    programmes they have come to (`programme_ids`, or every one). As a comparison group
    member: `comparison_due`."""
    if programme_ids is None:
        programme_ids = set(db.session.execute(
            select(ProgrammeSession.programme_id).join(Attendance, Attendance.session_id == ProgrammeSession.id)
            .where(Attendance.young_person_id == young_person_id)).scalars())
    out = []
    for programme in _programmes(programme_ids):
        came = _attended(programme.id, young_person_id)
        if not came:
            continue
        last = _last_session(programme.id)
        # At the last session: checked in to it (perhaps before it starts), or it has begun.
        at_last = last is not None and (last.starts_at <= now or last.starts_at in came)
        out += _due(programme, young_person_id, nth=len(came), at_last=at_last, since=came[0], moment=now)
    return out


def comparison_due(young_person_id: int, now: datetime) -> list[SurveyDue]:
    """The start and end surveys due now for this young person as a comparison group member,
    by the same rules with the programme's sessions standing in for theirs (module docstring)."""
    groups = db.session.execute(select(ComparisonMember.programme_id, ComparisonMember.added_at)
                                .where(ComparisonMember.young_person_id == young_person_id)).all()
    joined = {programme_id: added_at for programme_id, added_at in groups}
    out = []
    for programme in _programmes(joined):
        if _served(programme.id, young_person_id):
            continue
        since = joined[programme.id]
        held_since = db.session.scalar(select(func.count()).select_from(ProgrammeSession).where(
            ProgrammeSession.programme_id == programme.id, ProgrammeSession.status == "scheduled",
            ProgrammeSession.starts_at > since, ProgrammeSession.starts_at <= now))
        last = _last_session(programme.id)
        out += _due(programme, young_person_id, nth=1 + held_since, at_last=last is not None and last.starts_at <= now,
                    since=since, moment=now, comparison=True)
    return out


def _programmes(ids) -> list[Programme]:
    if not ids:
        return []
    return list(db.session.execute(select(Programme).where(Programme.id.in_(list(ids)))
                                   .order_by(Programme.title, Programme.id)).scalars())


def _served(programme_id, young_person_id) -> bool:
    found = served_by(programme_id).subquery()
    return db.session.execute(select(found.c.young_person_id)
                              .where(found.c.young_person_id == young_person_id).limit(1)).first() is not None


def check_in_note(due: list[SurveyDue], first_name: str) -> list[str]:
    """What the green check-in screen says, one line per survey due."""
    return [f"{d.label} due ({d.reason}): ask {first_name} to answer it on their pass, today or at home."
            for d in due]
