"""The audit log: who viewed, exported or changed young people's personal data."""
from ..extensions import db
from ..models import AuditEvent
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
