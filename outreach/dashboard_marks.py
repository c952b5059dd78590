"""Mark the kept dashboards a change touches, in the change's own transaction.

After every flush, the attendances, registrations, survey answers, sessions and
programmes it wrote name the programmes whose figures changed; the views showing them
(the programme, its organisation, the platform) get their `changed_at` set, in the same
transaction, so the mark commits (or rolls back) with the change itself. The worker works
those views out again a few minutes later (services/dashboard_snapshots.py).

A change to a young person (age band, gender, district change every breakdown they are
in) or a bulk UPDATE/DELETE on a watched table marks every view: rarer, and cheaper than
working out which. A section added to the dashboard that reads another table adds its
model here (WATCHED), with how to find its programme.
"""
from sqlalchemy import event, select

from .extensions import Session
from .models import (Attendance, ComparisonMember, FeedbackAnswer, FeedbackResponse, Programme,
                     ProgrammeSession, Registration, Survey, SurveyQuestion, YoungPerson)
from .models import EqualityAnswers, ProgrammeCost, Referral, SessionStaffTime
from .models.benchmark import AreaBenchmark
from .services import dashboard_snapshots
from .timeutil import utcnow

# Model -> (what it names, the attribute): "programme", "session", "survey" or "response".
WATCHED = {
    Attendance: ("session", "session_id"),
    Registration: ("registration", None),
    ProgrammeSession: ("programme", "programme_id"),
    Programme: ("programme", "id"),
    Survey: ("programme", "programme_id"),
    SurveyQuestion: ("survey", "survey_id"),
    FeedbackResponse: ("survey", "survey_id"),
    FeedbackAnswer: ("response", "response_id"),
    ComparisonMember: ("programme", "programme_id"),
    AreaBenchmark: ("programme", "programme_id"),
    SessionStaffTime: ("session", "session_id"),    # delivery and cost
    ProgrammeCost: ("programme", "programme_id"),
    Referral: ("programme", "programme_id"),        # referrals in and out per programme
}
# Changes here touch figures everywhere the person is counted.
EVERYWHERE = (YoungPerson, EqualityAnswers)  # equality answers: the suppressed breakdowns
_DONE = "dashboard_marks_done"  # view keys already marked in this transaction


def _programmes(connection, named: dict) -> set:
    R, S = FeedbackResponse, Survey
    ids = set(named.get("programme", ()))
    if named.get("session"):
        ids |= set(connection.execute(select(ProgrammeSession.programme_id)
                                      .where(ProgrammeSession.id.in_(sorted(named["session"])))).scalars())
    surveys = set(named.get("survey", ()))
    if named.get("response"):
        surveys |= set(connection.execute(select(R.survey_id).where(R.id.in_(sorted(named["response"])))).scalars())
    if surveys:
        ids |= set(connection.execute(select(S.programme_id).where(S.id.in_(sorted(surveys)))).scalars())
    return {i for i in ids if i is not None}


def _named(obj, named: dict, *, deleted=False):
    kind, attr = WATCHED[type(obj)]
    if kind == "registration":
        if obj.programme_id is not None:
            named.setdefault("programme", set()).add(obj.programme_id)
        if obj.session_id is not None:
            named.setdefault("session", set()).add(obj.session_id)
        return
    value = getattr(obj, attr, None)
    if value is not None:
        named.setdefault(kind, set()).add(value)


@event.listens_for(Session, "after_flush")
def _mark_changed_dashboards(session, flush_context):
    named, everything = {}, False
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if type(obj) in WATCHED:
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue
            _named(obj, named)
        elif isinstance(obj, EVERYWHERE) and (obj not in session.new or isinstance(obj, EqualityAnswers)):
            everything = everything or obj in session.deleted or session.is_modified(obj, include_collections=False)
    if not named and not everything:
        return
    _mark(session, named, everything)


def _mark(session, named, everything):
    done = session.info.setdefault(_DONE, set())
    if "*" in done:
        return
    connection, now = session.connection(), utcnow()
    if everything:
        dashboard_snapshots.note_everything_changed(now=now, connection=connection)
        done.add("*")
        return
    programmes = _programmes(connection, named)
    orgs = set(connection.execute(select(Programme.organisation_id).where(Programme.id.in_(sorted(programmes))))
               .scalars()) if programmes else set()
    keys = {f"platform:{p}" for p in dashboard_snapshots.PERIOD_TEXT}
    keys |= {f"programme:{i}:{p}" for i in programmes for p in dashboard_snapshots.PERIOD_TEXT}
    keys |= {f"organisation:{i}:{p}" for i in orgs for p in dashboard_snapshots.PERIOD_TEXT}
    keys -= done
    if keys:
        dashboard_snapshots.note_changes(keys, now=now, connection=connection)
        done |= keys


_WATCHED_TABLES = {m.__table__.name for m in list(WATCHED) + list(EVERYWHERE)}


@event.listens_for(Session, "do_orm_execute")
def _mark_after_bulk_statements(state):
    """session.execute(delete(Attendance)...) passes no object through a flush."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name in _WATCHED_TABLES:
        _mark(state.session, {}, True)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget_marks(session, *args):
    session.info.pop(_DONE, None)

