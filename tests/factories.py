"""Test data with sensible defaults. Each maker adds and flushes; the test's
rollback throws everything away."""
import itertools
from datetime import date, datetime, time, timedelta

from outreach.extensions import db
from outreach.models import (GuardianLink, Membership, Organisation, Programme, ProgrammeSession, User,
                             YoungPerson)
from outreach.services.passwords import hash_password
from outreach.timeutil import UTC, local_to_utc

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"
_HASH = None


def _password_hash():
    # Hashing with argon2 is deliberately slow; most tests share one hash.
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def make_user(email=None, full_name=None, *, admin=False, **kw) -> User:
    n = next(_seq)
    password_hash = kw.pop("password_hash", None) or _password_hash()
    user = User(email=(email or f"user{n}@example.org").lower(), full_name=full_name or f"Test User {n}",
                password_hash=password_hash, is_platform_admin=admin, **kw)
    db.session.add(user)
    db.session.flush()
    return user


def make_org(name=None, *, status="approved", lead=None, worker=None, safeguarding_lead=None, **kw) -> Organisation:
    """An organisation; `safeguarding_lead` (a user, or True for the lead) is its designated
    safeguarding lead, which publishing needs."""
    n = next(_seq)
    org = Organisation(name=name or f"Partner {n}", slug=kw.pop("slug", None) or f"partner-{n}",
                       contact_email=kw.pop("contact_email", f"hello{n}@partner.example.org"),
                       status=status, kind=kw.pop("kind", "charity"), **kw)
    db.session.add(org)
    db.session.flush()
    if lead:
        add_member(org, lead, "lead")
    if worker:
        add_member(org, worker, "worker")
    if safeguarding_lead is True:
        safeguarding_lead = lead
    if safeguarding_lead:
        m = db.session.query(Membership).filter_by(organisation_id=org.id, user_id=safeguarding_lead.id).first()
        if m is None:
            add_member(org, safeguarding_lead, "worker", safeguarding_lead=True)
        else:
            m.is_safeguarding_lead = True
            db.session.flush()
    return org


def add_member(org, user, role="worker", *, safeguarding_lead=False) -> Membership:
    m = Membership(organisation_id=org.id, user_id=user.id, role=role, is_safeguarding_lead=safeguarding_lead)
    db.session.add(m)
    db.session.flush()
    return m


def make_programme(org, title=None, **kw) -> Programme:
    n = next(_seq)
    values = dict(title=title or f"Programme {n}", description="Weekly sessions for young people.",
                  category="sport", venue_name="Community Centre", venue_address="1 High Street, Manchester",
                  postcode_district="M13", min_age=11, max_age=17, capacity=20, registration_mode="per_session",
                  is_published=True)
    values.update(kw)
    programme = Programme(organisation_id=org.id, **values)
    db.session.add(programme)
    db.session.flush()
    return programme


def make_session(programme, starts_at=None, hours=2, **kw) -> ProgrammeSession:
    starts_at = starts_at or (datetime.now(UTC) + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    session = ProgrammeSession(programme_id=programme.id, starts_at=starts_at,
                               ends_at=starts_at + timedelta(hours=hours), **kw)
    db.session.add(session)
    db.session.flush()
    return session


def session_on(programme, day: date, start=time(18, 0), end=time(20, 0), tz="Europe/London", **kw):
    return make_session(programme, starts_at=local_to_utc(day, start, tz),
                        hours=(datetime.combine(day, end) - datetime.combine(day, start)).seconds / 3600, **kw)


def make_young_person(first_name=None, last_name="Testperson", *, dob=date(2012, 5, 1), guardian=None, **kw):
    n = next(_seq)
    values = dict(emergency_contact_name="A Guardian", emergency_contact_phone="07700 900123")
    values.update(kw)
    yp = YoungPerson(first_name=first_name or f"Young{n}", last_name=last_name, date_of_birth=dob, **values)
    db.session.add(yp)
    db.session.flush()
    if guardian:
        db.session.add(GuardianLink(guardian_id=guardian.id, young_person_id=yp.id))
        db.session.flush()
    return yp
