"""A programme's comparison group: who is in it, and which surveys they are offered.

A lead names the group in two ways, which can be combined:

- the waiting list: young people waitlisted on the programme (or one of its sessions)
  who have not had a place on it or come to it;
- young people not yet served: those registered on another of the organisation's
  programmes (the next term's cohort, say) who have not had a place on this one or come.

Either way the organisation knows them already through the family's own booking
(privacy.py): nobody is added whom its staff could not already find, and being in the
group lets staff see nothing more about them.

Each member's family is emailed when they join (through the outbox: listeners.py), and
members answer the programme's own start and end surveys, offered on their pass page on
the same timetable as the served group's (services/survey_timing.py): the start survey
from when they join until the programme's second session after that, the end survey from
the programme's last session or the programme's set number of weeks after they joined. Their answers are
stored marked as comparison (FeedbackResponse.comparison) and never count in the served
group's figures. A member who is given a place or comes to a session is served from then
on: what they answer after that is not marked, and their pairs leave the comparison.
"""
from sqlalchemy import func, or_, select

from ..database import lock_row
from ..errors import NotFoundError, ValidationError
from ..extensions import db
from ..models import (ComparisonMember, FeedbackResponse, Programme, ProgrammeSession, Registration, Survey,
                      YoungPerson)
from ..models.comparison import served_by
from ..timeutil import utcnow
from . import audit, survey_timing
from .. import signals

COURSE_SURVEYS = ("start", "end")


def _registrations_on(programme_id):
    """Registrations on the programme itself or on one of its sessions."""
    on_session = select(ProgrammeSession.id).where(ProgrammeSession.programme_id == programme_id)
    return or_(Registration.programme_id == programme_id, Registration.session_id.in_(on_session))


served = served_by  # who the programme has served (models/comparison.py): never in its comparison


def is_comparison(programme_id: int, young_person_id: int) -> bool:
    """Whether this young person answers the programme's surveys as its comparison group
    now: a member of the group whom the programme has not served."""
    member = db.session.execute(select(ComparisonMember.id).where(
        ComparisonMember.programme_id == programme_id, ComparisonMember.young_person_id == young_person_id)).first()
    return member is not None and not _was_served(programme_id, young_person_id)


def _candidates(programme, registrations):
    """Young people of the registrations given, not erased, not served by `programme` and
    not in its group already."""
    already = select(ComparisonMember.young_person_id).where(ComparisonMember.programme_id == programme.id)
    return db.session.execute(
        select(YoungPerson.id).where(
            YoungPerson.id.in_(select(Registration.young_person_id).where(*registrations)),
            YoungPerson.erased_at.is_(None),
            YoungPerson.id.not_in(served(programme.id)), YoungPerson.id.not_in(already))
        .order_by(YoungPerson.id)).scalars().all()


def waiting_list_candidates(programme) -> list[int]:
    """Ids of young people waiting for a place on the programme who are not in its group yet."""
    return _candidates(programme, [_registrations_on(programme.id), Registration.status == "waitlisted"])


def not_yet_served_candidates(programme, cohort) -> list[int]:
    """Ids of young people with a live registration on `cohort`, another programme of the
    same organisation, whom `programme` has not served and who are not in its group yet."""
    return _candidates(programme, [_registrations_on(cohort.id), Registration.status != "cancelled"])


def include_waiting_list(programme, *, by, now=None) -> int:
    """Add everyone waiting for a place on the programme to its comparison group (source
    "waiting_list"). Those already in it, and anyone given a place or come, are left out;
    pressing it again later adds only the newcomers. Returns how many were added."""
    now = now or utcnow()
    lock_row(db.session, Programme, programme.id)  # two leads at once add each person once
    added = _add(programme, waiting_list_candidates(programme), "waiting_list", None, by=by, now=now)
    db.session.commit()
    return added


def add_not_yet_served(programme, cohort, *, by, now=None) -> int:
    """Add the young people registered on `cohort`, another programme of the same
    organisation, to `programme`'s comparison group (source "not_yet_served"). Returns how
    many were added."""
    if cohort is None or cohort.organisation_id != programme.organisation_id:
        raise NotFoundError("Choose one of your organisation's programmes.", code="unknown_cohort", field="cohort")
    if cohort.id == programme.id:
        raise ValidationError("Choose another programme: young people on this one are the served group.",
                              code="same_programme", field="cohort")
    now = now or utcnow()
    lock_row(db.session, Programme, programme.id)
    added = _add(programme, not_yet_served_candidates(programme, cohort), "not_yet_served", cohort, by=by, now=now)
    db.session.commit()
    return added


def _add(programme, people, source, via, *, by, now) -> int:
    added = [ComparisonMember(programme_id=programme.id, young_person_id=person, source=source,
                              via_programme_id=getattr(via, "id", None), added_at=now,
                              added_by_id=getattr(by, "id", None)) for person in people]
    db.session.add_all(added)
    if people:
        audit.record("comparison.added", actor=by, organisation=programme.organisation, now=now,
                     programme_id=programme.id, source=source, young_people=len(people))
        db.session.flush()
        # Each family is asked by email, in this transaction (listeners.py): no member without it.
        signals.comparison_joined.send(None, programme=programme, members=added)
    return len(people)


def remove_member(programme, member_id, *, by, now=None) -> None:
    """Take one young person out of the programme's comparison group. Answers they gave
    stay marked as comparison (they were not taking part when they gave them); they are
    no longer offered the surveys."""
    member = db.session.get(ComparisonMember, member_id) if isinstance(member_id, int) else None
    if member is None or member.programme_id != programme.id:
        raise NotFoundError("That young person isn't in this comparison group.", code="not_a_member")
    now = now or utcnow()
    audit.record("comparison.removed", actor=by, organisation=programme.organisation, subject=member.young_person,
                 now=now, programme_id=programme.id)
    db.session.delete(member)
    db.session.commit()


def members_of(programme) -> list[dict]:
    """The group, oldest first: each member with whether they have answered the start and
    the end survey as comparison, and whether the programme has served them since."""
    answered = dict.fromkeys(COURSE_SURVEYS)
    for kind in COURSE_SURVEYS:
        answered[kind] = set(db.session.execute(
            select(FeedbackResponse.young_person_id).join(Survey, Survey.id == FeedbackResponse.survey_id)
            .where(Survey.programme_id == programme.id, Survey.kind == kind, FeedbackResponse.comparison.is_(True),
                   FeedbackResponse.young_person_id.is_not(None))).scalars())
    now_served = set(db.session.execute(served(programme.id)).scalars())
    members = db.session.execute(
        select(ComparisonMember).where(ComparisonMember.programme_id == programme.id)
        .order_by(ComparisonMember.added_at, ComparisonMember.id)).scalars().all()
    return [{"member": m, "young_person": m.young_person, "answered_start": m.young_person_id in answered["start"],
             "answered_end": m.young_person_id in answered["end"], "served": m.young_person_id in now_served}
            for m in members if m.young_person.erased_at is None]


def surveys_open_for(young_person_id: int, now) -> list[tuple]:
    """Start and end surveys this young person can answer now as a comparison group
    member, as (survey, None, programme title) like services/surveys.open_for: for each
    programme whose group they are in and which has not served them, its start and end
    surveys while they are due by the served group's rules, the programme's sessions
    standing in for theirs (services/survey_timing.py)."""
    return sorted(((d.survey, None, d.programme_title) for d in survey_timing.comparison_due(young_person_id, now)),
                  key=lambda x: (x[2], x[0].kind))


def _was_served(programme_id, young_person_id) -> bool:
    found = served(programme_id).subquery()
    return db.session.execute(select(found.c.young_person_id)
                              .where(found.c.young_person_id == young_person_id).limit(1)).first() is not None


def group_size(programme) -> dict[str, int]:
    """Members of the programme's group by how they came in."""
    return dict(db.session.execute(select(ComparisonMember.source, func.count())
                                   .where(ComparisonMember.programme_id == programme.id)
                                   .group_by(ComparisonMember.source)).all())


def course_surveys(programme) -> dict[str, Survey]:
    """The programme's start and end surveys by kind (the first made of each), those it has."""
    found = db.session.execute(select(Survey).where(Survey.programme_id == programme.id,
                                                    Survey.kind.in_(COURSE_SURVEYS))
                               .order_by(Survey.id.desc())).scalars()
    return {s.kind: s for s in found}
