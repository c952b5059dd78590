"""Optional equality monitoring answers (issue 17, point 7). Only the young person and their
guardians read or change them (family.may_manage); the evaluation reads them only as
suppressed counts. Special category data: see models/equality.py."""
from sqlalchemy import delete

from ..errors import N_, PermissionDeniedError, ValidationError
from ..extensions import db
from ..models import EqualityAnswers
from ..models.equality import ETHNIC_GROUPS, YES_NO
from ..timeutil import utcnow
from . import audit
from .family import may_manage


def answers_of(user, yp) -> EqualityAnswers | None:
    if not may_manage(user, yp):
        raise PermissionDeniedError(N_("Only a guardian or the young person can see these answers."), code="forbidden")
    return db.session.get(EqualityAnswers, yp.id)


def save_answers(user, yp, *, ethnic_group: str | None, disability: str | None, special_needs: str | None,
                 now=None) -> EqualityAnswers | None:
    """Keep the answers given (each may be None: not answered). All three None removes the row.
    The audit log says the answers changed, never what they are."""
    if not may_manage(user, yp):
        raise PermissionDeniedError(N_("Only a guardian or the young person can answer these."), code="forbidden")
    for value, allowed, field in ((ethnic_group, ETHNIC_GROUPS, "ethnic_group"), (disability, YES_NO, "disability"),
                                  (special_needs, YES_NO, "special_needs")):
        if value is not None and value not in allowed:
            raise ValidationError(N_("Choose one of the answers offered."), code="invalid_answer", field=field)
    now = now or utcnow()
    row = db.session.get(EqualityAnswers, yp.id)
    if ethnic_group is None and disability is None and special_needs is None:
        if row is not None:
            db.session.delete(row)
        row = None
    else:
        if row is None:
            row = EqualityAnswers(young_person_id=yp.id)
            db.session.add(row)
        row.ethnic_group, row.disability, row.special_needs, row.answered_at = \
            ethnic_group, disability, special_needs, now
    audit.record("young_person.equality_answers_saved" if row else "young_person.equality_answers_removed",
                 actor=user, subject=yp, now=now)
    db.session.commit()
    return row


def forget(yp) -> None:
    """Remove the answers, in the caller's transaction (erasure)."""
    db.session.execute(delete(EqualityAnswers).where(EqualityAnswers.young_person_id == yp.id))
