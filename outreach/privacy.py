"""Which young people an organisation knows: the rule behind every staff page that names one.

A young person's data reaches an organisation only through the family's own act (PRODUCT.md,
"privacy by default"). An organisation knows a young person when

- they have a booking with it: a registration on one of its programmes or sessions, whatever
  its status now. A cancelled booking was still the family's act, and the organisation keeps
  that register, so it counts for finding someone by name;
- they attended one of its sessions;
- its staff added them (YoungPerson.created_by_organisation_id): a walk-in at its door, or a
  booking made on the family's behalf over the phone.

Their pass shown at the door (the scanned secret) is the family's act for that door only: it
lets a check-in happen at a session taking check-ins now, and is not stored here.

Knowing someone lets staff find them by name and check them in as a walk-in. Medical notes,
emergency contacts and collectors go further only on the door pages of a session the young
person is booked on (a live booking) or attending: the session's roster (services/checkin.py).

Plain queries without Flask, so the web layer's loaders (access.py) and the check-in service
apply this one rule.
"""
from sqlalchemy import exists, or_, select, union

from .extensions import db
from .models import Attendance, Programme, ProgrammeSession, Registration, YoungPerson


def _booked_on_session(org_id):
    return (select(Registration.young_person_id)
            .join(ProgrammeSession, Registration.session_id == ProgrammeSession.id)
            .join(Programme, ProgrammeSession.programme_id == Programme.id)
            .where(Programme.organisation_id == org_id))


def _booked_on_programme(org_id):
    return (select(Registration.young_person_id)
            .join(Programme, Registration.programme_id == Programme.id)
            .where(Programme.organisation_id == org_id))


def _attended(org_id):
    return (select(Attendance.young_person_id)
            .join(ProgrammeSession, Attendance.session_id == ProgrammeSession.id)
            .join(Programme, ProgrammeSession.programme_id == Programme.id)
            .where(Programme.organisation_id == org_id))


def _added_by(org_id):
    return select(YoungPerson.id).where(YoungPerson.created_by_organisation_id == org_id)


def known_young_people(org_id):
    """A SELECT of the ids of every young person the organisation knows (see the module docstring)."""
    return union(_booked_on_session(org_id), _booked_on_programme(org_id), _attended(org_id), _added_by(org_id))


def is_known(org_id: int, young_person_id: int) -> bool:
    """Whether the organisation knows this young person: one indexed look-up per way of knowing."""
    checks = [
        exists(_booked_on_session(org_id).where(Registration.young_person_id == young_person_id)),
        exists(_booked_on_programme(org_id).where(Registration.young_person_id == young_person_id)),
        exists(_attended(org_id).where(Attendance.young_person_id == young_person_id)),
        exists(_added_by(org_id).where(YoungPerson.id == young_person_id)),
    ]
    return bool(db.session.execute(select(or_(*checks))).scalar())
