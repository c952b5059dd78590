"""The audit log: who viewed, exported or changed young people's personal data."""
from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent, ProgrammeSession, User, YoungPerson
from ..timeutil import utcnow


def record(action: str, *, actor=None, organisation=None, subject=None, now=None, **detail) -> AuditEvent:
    """Add an audit event to the current transaction (the caller's commit keeps it)."""
    event = AuditEvent(
        occurred_at=now or utcnow(),
        actor_id=getattr(actor, "id", None),
        organisation_id=getattr(organisation, "id", None),
        action=action,
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        detail=detail,
    )
    db.session.add(event)
    return event


# What a lead reads in the log; an action not listed is shown by its code.
ACTIONS = {
    "young_person.created": "Added a young person",
    "young_person.updated": "Changed a young person's details",
    "young_person.consent_given": "Recorded consent",
    "young_person.exported": "Downloaded a young person's data",
    "young_person.erased": "Deleted a young person's data",
    "young_person.anonymised": "Anonymised after the retention period",
    "young_person.medical_notes_removed": "Removed medical notes after the retention period",
    "medical_notes.viewed": "Viewed medical notes (on-site register)",
    "pass.replaced": "Replaced a pass",
    "attendance.undone": "Undid a check-in",
    "register.changed_after_lock": "Changed a locked register (with a reason)",
    "follow_up.contact_recorded": "Recorded an attempt to get in touch (follow-up)",
    "follow_up.closed": "Closed a follow-up",
    "programme.created": "Created a programme",
    "programme.updated": "Changed a programme",
    "programme.published": "Published a programme",
    "programme.unpublished": "Unpublished a programme",
    "session.created": "Added a session",
    "session.updated": "Changed a session",
    "session.cancelled": "Cancelled a session",
    "outgoing_message.sent_again": "Sent an email again after it failed",
    "sessions.generated": "Added weekly sessions",
    "comparison.added": "Added young people to a comparison group",
    "comparison.removed": "Took a young person out of a comparison group",
    "benchmark.area_set": "Set the force area's figure beside a national one",
    "benchmark.area_removed": "Removed the force area's figure",
    "membership.role_changed": "Changed a team member's role",
    "membership.removed": "Removed a team member",
    "invitation.sent": "Invited a team member",
    "invitation.revoked": "Withdrew an invitation",
    "invitation.accepted": "Accepted an invitation",
    "organisation.applied": "Applied as a partner",
    "organisation.updated": "Changed the organisation's settings",
    "organisation.approved": "Approved the partner",
    "organisation.declined": "Declined the partner",
    "account.sign_in_failed": "Wrong password at sign-in",
    "membership.safeguarding_lead_given": "Made a team member a designated safeguarding lead",
    "membership.safeguarding_lead_removed": "Stopped a team member being a designated safeguarding lead",
    "concern.raised": "Raised a safeguarding concern",
    "concern.viewed": "Opened a safeguarding concern",
    "concern.status_changed": "Changed a safeguarding concern's status",
    "concerns.listed": "Opened the list of safeguarding concerns",
    "incident.recorded": "Recorded an accident or incident",
    "incident.viewed": "Opened an accident or incident record",
    "incident.removed": "Removed an incident record after the retention period",
    "timeline.viewed": "Opened a young person's timeline",
    "contact_note.added": "Wrote a contact note",
    "milestone.recorded": "Recorded a milestone",
    "milestone_kind.added": "Added a milestone to the list",
    "milestone_kind.restored": "Offered a milestone again",
    "milestone_kind.retired": "Stopped offering a milestone",
    "referral.recorded": "Recorded a referral",
    "referral.outcome_recorded": "Recorded what came of a referral",
    "contact_notes.removed": "Removed contact notes after the retention period",
    "restricted_notes.removed": "Removed leads-only notes after the retention period",
    "milestones.removed": "Removed milestones after the retention period",
    "referrals.removed": "Removed referrals after the retention period",
}


def describe(action: str) -> str:
    if action.startswith("export."):
        return "Exported " + action.split(".", 1)[1].replace("_", " ")
    return ACTIONS.get(action, action)


def newest_first(events):
    """An audit-event query, newest first (the caller scopes it to an organisation)."""
    return events.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def names_for(events) -> tuple[dict, dict]:
    """Who did it and what it was about, in words, for one page of events: (actors, subjects)."""
    actor_ids = {e.actor_id for e in events if e.actor_id}
    actors = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(actor_ids))).all()) \
        if actor_ids else {}
    people = {e.subject_id for e in events if e.subject_type == "YoungPerson"}
    sessions = {e.subject_id for e in events if e.subject_type == "ProgrammeSession"}
    subjects = {}
    if people:
        for yp in db.session.execute(select(YoungPerson).where(YoungPerson.id.in_(people))).scalars():
            subjects[("YoungPerson", yp.id)] = yp.display_name
    if sessions:
        for s in db.session.execute(select(ProgrammeSession).where(ProgrammeSession.id.in_(sessions))).scalars():
            subjects[("ProgrammeSession", s.id)] = s
    return actors, subjects
