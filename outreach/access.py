"""Who may see what. The one place where organisation scoping lives.

Staff pages live under `/org/<org_slug>/...`. `org_member_required` turns the
slug into `g.org` and `g.membership` (404 for non-members, so another partner
cannot even learn that a page exists), and `scoped`/`load` build every query
for an organisation's data through the SCOPES table below, so no route can
forget the organisation filter.

Young people belong to no organisation: an organisation sees one only when it knows them
(privacy.py: a booking with it, an attendance there, or added by its staff). Every staff route
that takes a young person's id loads them with `load_young_person`, and those that take a
registration or attendance id load it through SCOPES, which implies the same.
"""
from functools import wraps

from flask import abort, g
from flask_login import current_user, login_required
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from .extensions import db
from .models import (Attendance, AuditEvent, Concern, ContactNote, Incident, Invitation, Membership, Milestone,
                     MilestoneKind, Organisation, Programme, ProgrammeSession, Referral, Registration, Survey,
                     YoungPerson)
from .models import ProgrammeCost, SessionStaffTime
from .privacy import is_known, known_young_people
from .web.params import MAX_ID

ROLE_RANK = {"worker": 1, "lead": 2}

# How each organisation-owned model reaches its organisation.
SCOPES = {
    Programme: lambda q, org_id: q.where(Programme.organisation_id == org_id),
    ProgrammeSession: lambda q, org_id: q.join(Programme, ProgrammeSession.programme_id == Programme.id)
    .where(Programme.organisation_id == org_id),
    Membership: lambda q, org_id: q.where(Membership.organisation_id == org_id),
    Invitation: lambda q, org_id: q.where(Invitation.organisation_id == org_id),
    Survey: lambda q, org_id: q.join(Programme, Survey.programme_id == Programme.id)
    .where(Programme.organisation_id == org_id),
    Registration: lambda q, org_id: q.outerjoin(ProgrammeSession, Registration.session_id == ProgrammeSession.id)
    .join(Programme, (Programme.id == Registration.programme_id) | (Programme.id == ProgrammeSession.programme_id))
    .where(Programme.organisation_id == org_id),
    Attendance: lambda q, org_id: q.join(ProgrammeSession, Attendance.session_id == ProgrammeSession.id)
    .join(Programme, ProgrammeSession.programme_id == Programme.id)
    .where(Programme.organisation_id == org_id),
    # Read through load_concern / load_incident only: the rows are the organisation's, but who
    # within it may open them is narrower (see below).
    SessionStaffTime: lambda q, org_id: q.join(ProgrammeSession, SessionStaffTime.session_id == ProgrammeSession.id)
    .join(Programme, ProgrammeSession.programme_id == Programme.id).where(Programme.organisation_id == org_id),
    ProgrammeCost: lambda q, org_id: q.join(Programme, ProgrammeCost.programme_id == Programme.id)
    .where(Programme.organisation_id == org_id),
    Concern: lambda q, org_id: q.where(Concern.organisation_id == org_id),
    Incident: lambda q, org_id: q.where(Incident.organisation_id == org_id),
    # The timeline's records (may_read_note narrows contact notes further).
    ContactNote: lambda q, org_id: q.where(ContactNote.organisation_id == org_id),
    Milestone: lambda q, org_id: q.where(Milestone.organisation_id == org_id),
    MilestoneKind: lambda q, org_id: q.where(MilestoneKind.organisation_id == org_id),
    Referral: lambda q, org_id: q.where(Referral.organisation_id == org_id),
    # The organisation's own events, and changes to young people it works with
    # (a guardian editing a child's medical note is not an organisation's act,
    # but its lead must be able to see it).
    AuditEvent: lambda q, org_id: q.where(or_(
        AuditEvent.organisation_id == org_id,
        and_(AuditEvent.subject_type == "YoungPerson", AuditEvent.subject_id.in_(known_young_people(org_id))))),
}


def scoped(model, org):
    """`select(model)` limited to one organisation's rows."""
    return SCOPES[model](select(model), org.id)


def load(model, object_id, org):
    """One row of an organisation's data, or 404 (never another partner's row)."""
    obj = db.session.execute(scoped(model, org).where(model.id == object_id)).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj


def load_young_person(org, young_person_id) -> YoungPerson:
    """A young person the organisation knows (privacy.is_known), or 404: a stranger's id, an
    erased record and another partner's young person all look alike."""
    yp = db.session.get(YoungPerson, young_person_id) if _is_row_id(young_person_id) else None
    if yp is None or yp.erased_at is not None or not is_known(org.id, yp.id):
        abort(404)
    return yp


def _is_row_id(value) -> bool:
    # An id past what the INTEGER keys hold would be a database error (a 500), not a 404.
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def membership_of(user, organisation_id):
    if not user.is_authenticated:
        return None
    return db.session.execute(
        select(Membership).where(Membership.user_id == user.id, Membership.organisation_id == organisation_id)
    ).scalar_one_or_none()


def staff_memberships(user):
    """The user's memberships with their organisations, for menus and redirects."""
    if not user.is_authenticated:
        return []
    return db.session.execute(
        select(Membership).join(Organisation).where(Membership.user_id == user.id).order_by(Organisation.name)
    ).scalars().all()


def org_member_required(role: str = "worker"):
    """Route decorator for `/org/<org_slug>/...`: loads g.org and g.membership.

    Not a member: 404. A member without the role (a worker on a lead page): 403.
    """
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, org_slug, **kwargs):
            org = db.session.execute(select(Organisation).where(Organisation.slug == org_slug)).scalar_one_or_none()
            membership = membership_of(current_user, org.id) if org else None
            if membership is None:
                abort(404)
            if ROLE_RANK[membership.role] < ROLE_RANK[role]:
                abort(403)
            g.org, g.membership = org, membership
            return view(*args, **kwargs)
        return wrapped
    return decorator


def safeguarding_lead_required(view):
    """Route decorator for the pages that show safeguarding concerns' text: the organisation's
    designated safeguarding leads only (Membership.is_safeguarding_lead). Not a member: 404 (a
    platform admin too: no one outside the organisation reads a concern); a member who is not a
    designated lead, whatever their role: 403."""
    @wraps(view)
    @org_member_required("worker")
    def wrapped(*args, **kwargs):
        if not g.membership.is_safeguarding_lead:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def load_concern(concern_id, org) -> Concern:
    """A concern of the organisation, for a designated safeguarding lead's page (the route is
    under safeguarding_lead_required); another organisation's or none: 404."""
    if not g.membership.is_safeguarding_lead:  # a second lock on the one door that matters
        abort(403)
    return load(Concern, concern_id, org)


def may_read_incident(incident: Incident, membership) -> bool:
    """Incidents can hold medical detail: the organisation's leads and the member who recorded it."""
    return membership.role == "lead" or incident.recorded_by_id == membership.user_id


def load_incident(incident_id, org) -> Incident:
    """An incident of the organisation that the signed-in member may read (may_read_incident):
    another organisation's or none, 404; another worker's, 403."""
    incident = load(Incident, incident_id, org)
    if not may_read_incident(incident, g.membership):
        abort(403)
    return incident


def may_read_note(note: ContactNote, membership) -> bool:
    """A contact note: any member of its organisation; a restricted one only its leads and its
    designated safeguarding leads (whatever their role). Not the worker who wrote a restricted
    note either: they see that it was saved (services/timeline.py), as with a concern."""
    if membership is None or note.organisation_id != membership.organisation_id:
        return False
    if not note.restricted:
        return True
    return membership.role == "lead" or bool(membership.is_safeguarding_lead)


def timeline_reader(membership):
    """What this member may see on a young person's timeline (services/timeline.Reader): the
    rules above, and concerns (that one exists, with a link) for designated safeguarding leads."""
    from .services.timeline import Reader

    return Reader(user_id=membership.user_id,
                  may_read_note=lambda note: may_read_note(note, membership),
                  may_read_incident=lambda incident: may_read_incident(incident, membership),
                  sees_concerns=bool(membership.is_safeguarding_lead))


def load_referral(referral_id, org, young_person: YoungPerson | None = None) -> Referral:
    """A referral of the organisation about a young person it still knows, or 404."""
    referral = load(Referral, referral_id, org)
    load_young_person(org, referral.young_person_id)
    if young_person is not None and referral.young_person_id != young_person.id:
        abort(404)
    return referral


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_platform_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def staff_session(session_id, user, role: str = "worker"):
    """A session of one of the user's organisations, for URLs that carry no org slug
    (the check-in API). Not a member: 404; member without the role: 403."""
    # One query for the session, its programme and organisation: the scanner calls this on every scan.
    session = db.session.get(ProgrammeSession, session_id, options=[
        joinedload(ProgrammeSession.programme).joinedload(Programme.organisation)]) \
        if _is_row_id(session_id) else None
    if session is None:
        abort(404)
    org = session.programme.organisation
    membership = membership_of(user, org.id)
    if membership is None:
        abort(404)
    if ROLE_RANK[membership.role] < ROLE_RANK[role]:
        abort(403)
    g.org, g.membership = org, membership
    return session


def staff_attendance(attendance_id, user):
    attendance = db.session.get(Attendance, attendance_id) if _is_row_id(attendance_id) else None
    if attendance is None:
        abort(404)
    staff_session(attendance.session_id, user)
    return attendance
