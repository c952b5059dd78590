"""Staff booking someone in on their behalf: by phone, or at the door.

Minimal data (name, date of birth, a guardian's contact); the young person is
marked as added by the organisation so its staff can see them.
"""
from dataclasses import dataclass
from datetime import date

from . import audit, consent, passes, registration
from . import one_time
from ..errors import ValidationError
from ..extensions import db
from ..models import YoungPerson
from ..timeutil import age_on, utcnow


@dataclass
class OnBehalf:
    first_name: str
    last_name: str
    date_of_birth: date
    guardian_name: str
    guardian_phone: str
    medical_notes: str | None = None
    consent_by_phone: bool = False


def book_on_behalf(org, staff_user, details: OnBehalf, programme, session=None, *, age_of_consent=13, once=None,
                   now=None):
    """Create the young person (with a pass) and book them, in one go. Returns the registration.

    `once` is the form's one-time token: a repeat raises one_time.AlreadySavedError (holding the
    young person the first one created) and adds nobody."""
    now = now or utcnow()
    if details.date_of_birth > now.date():
        raise ValidationError("The date of birth can't be in the future.", code="dob_in_future",
                              field="date_of_birth")
    under_age = age_on(details.date_of_birth, now.date()) < age_of_consent
    if under_age and not details.consent_by_phone:
        raise ValidationError("Under-13s need a parent or carer's consent: ask them and tick the box.",
                              code="consent_required", field="consent_by_phone")
    claimed = one_time.claim(staff_user, "book_on_behalf", once, now=now)
    yp = YoungPerson(first_name=details.first_name, last_name=details.last_name,
                     date_of_birth=details.date_of_birth, emergency_contact_name=details.guardian_name,
                     emergency_contact_phone=details.guardian_phone, medical_notes=details.medical_notes,
                     created_by_organisation_id=org.id, created_by_id=staff_user.id, created_at=now)
    db.session.add(yp)
    db.session.flush()
    one_time.made(claimed, yp)
    if details.consent_by_phone:
        consent.record_consent(yp, given_by=staff_user, kind="guardian", now=now)
    passes.ensure_pass(yp, now=now, commit=False)
    audit.record("young_person.created", actor=staff_user, organisation=org, subject=yp, now=now,
                 via="staff_booking")
    try:
        registration.check_eligibility(yp, registration.target_for(programme, session), now=now)
    except ValidationError:
        db.session.rollback()
        raise
    return registration.book_place(yp, programme, session, booked_by=staff_user, source="staff", now=now)
