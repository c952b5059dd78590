"""The `flask` commands: create-admin and seed-demo."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.extensions import db as _db
from outreach.models import (Attendance, Consent, GuardianLink, Organisation, Pass, Programme, ProgrammeSession,
                             Registration, User, YoungPerson)
from outreach.services.passwords import verify_password
from outreach.timeutil import utcnow
from tests import factories
from tests.conftest import make_test_app

GOOD = "a long enough password"


# ---------------------------------------------------------------- create-admin

def _user(email):
    return _db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def test_create_admin_creates_a_platform_admin(runner, db):
    result = runner.invoke(args=["create-admin", "Boss@Example.org", "--name", "Bo Boss"],
                           input=f"{GOOD}\n{GOOD}\n")

    assert result.exit_code == 0, result.output
    assert "Created platform admin boss@example.org" in result.output
    user = _user("boss@example.org")
    assert user.is_platform_admin and user.full_name == "Bo Boss"
    assert verify_password(user.password_hash, GOOD)


def test_create_admin_asks_again_when_the_passwords_differ(runner, db):
    result = runner.invoke(args=["create-admin", "boss@example.org"],
                           input=f"{GOOD}\nsomething else entirely\n{GOOD}\n{GOOD}\n")

    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert verify_password(_user("boss@example.org").password_hash, GOOD)


def test_create_admin_reads_the_password_from_stdin(runner, db):
    result = runner.invoke(args=["create-admin", "boss@example.org", "--password-stdin"], input=f"{GOOD}\n")

    assert result.exit_code == 0, result.output
    assert verify_password(_user("boss@example.org").password_hash, GOOD)


def test_create_admin_promotes_an_existing_account_and_keeps_its_password(runner, db):
    factories.make_user("worker@example.org")

    result = runner.invoke(args=["create-admin", "worker@example.org"])

    assert result.exit_code == 0, result.output
    assert "now a platform admin" in result.output
    user = _user("worker@example.org")
    assert user.is_platform_admin
    assert verify_password(user.password_hash, factories.PASSWORD)

    again = runner.invoke(args=["create-admin", "worker@example.org"])
    assert again.exit_code == 0 and "already a platform admin" in again.output


@pytest.mark.parametrize("password", ["short", "123456789"])
def test_create_admin_refuses_a_short_password(runner, db, password):
    result = runner.invoke(args=["create-admin", "boss@example.org"], input=f"{password}\n{password}\n")

    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert _user("boss@example.org") is None


def test_create_admin_refuses_an_empty_password_on_stdin(runner, db):
    result = runner.invoke(args=["create-admin", "boss@example.org", "--password-stdin"], input="\n")

    assert result.exit_code != 0
    assert "password is needed" in result.output
    assert _user("boss@example.org") is None


def test_create_admin_refuses_a_malformed_email(runner, db):
    result = runner.invoke(args=["create-admin", "not-an-email", "--password-stdin"], input=f"{GOOD}\n")

    assert result.exit_code != 0
    assert "email address doesn't look right" in result.output
    assert _user("not-an-email") is None


# ---------------------------------------------------------------- seed-demo

@pytest.fixture(scope="module")
def seeded(databases, tmp_path_factory):
    """A fresh database of its own (seeding commits for real), seeded once for this module."""
    app = make_test_app(databases.new("seed"), tmp_path_factory.mktemp("seed"))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        yield app, result
        _db.session.remove()
        _db.engine.dispose()


def _count(query):
    return _db.session.execute(query).scalar()


def test_seed_demo_prints_the_demo_logins(seeded):
    _, result = seeded
    assert "outreach-demo-2026" in result.output
    for email in ("admin@outreach.example", "lead@northside-police.example", "worker@northside-police.example",
                  "guardian@outreach.example"):
        assert email in result.output
        assert _user(email) is not None


def test_seed_demo_makes_three_partners_and_one_applicant(seeded):
    statuses = _db.session.execute(select(Organisation.status, func.count()).group_by(Organisation.status)).all()
    assert dict(statuses) == {"approved": 3, "pending": 1}
    assert _user("admin@outreach.example").is_platform_admin


def test_seed_demo_programmes_cover_every_registration_mode(seeded):
    programmes = _db.session.execute(select(Programme)).scalars().all()
    assert 6 <= len(programmes) <= 10
    assert {p.registration_mode for p in programmes} == {"enrol", "per_session", "drop_in"}
    assert all(p.is_published and p.organisation.is_approved for p in programmes)
    assert all(8 <= p.min_age <= p.max_age <= 18 for p in programmes)


def test_seed_demo_has_a_programme_in_urdu_and_polish(seeded):
    programmes = _db.session.execute(select(Programme)).scalars().all()
    both = [p for p in programmes if {t.language for t in p.texts} >= {"ur", "pl"}]
    assert both and all(t.title and t.description and t.venue_directions for t in both[0].texts)
    assert both[0].venue_directions


def test_seed_demo_young_people_each_have_a_guardian_consent_and_live_pass(seeded):
    assert _count(select(func.count(YoungPerson.id))) == 300
    without_guardian = select(func.count(YoungPerson.id)).where(
        ~select(GuardianLink.young_person_id).where(GuardianLink.young_person_id == YoungPerson.id).exists())
    without_pass = select(func.count(YoungPerson.id)).where(
        ~select(Pass.id).where(Pass.young_person_id == YoungPerson.id, Pass.revoked_at.is_(None)).exists())
    assert _count(without_guardian) == 0
    assert _count(without_pass) == 0
    assert _count(select(func.count(func.distinct(Consent.young_person_id))).where(
        Consent.kind == "guardian", Consent.wording_version == "2026-09")) == 300
    # Some guardians look after more than one child.
    per_guardian = select(GuardianLink.guardian_id).group_by(GuardianLink.guardian_id).having(func.count() >= 2)
    assert _count(select(func.count()).select_from(per_guardian.subquery())) > 10


def test_seed_demo_never_overbooks(seeded):
    over_programme = (select(Registration.programme_id)
                      .join(Programme, Programme.id == Registration.programme_id)
                      .where(Registration.status == "confirmed")
                      .group_by(Registration.programme_id, Programme.capacity)
                      .having(func.count() > Programme.capacity))
    over_session = (select(Registration.session_id)
                    .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
                    .join(Programme, Programme.id == ProgrammeSession.programme_id)
                    .where(Registration.status == "confirmed")
                    .group_by(Registration.session_id, Programme.capacity)
                    .having(func.count() > Programme.capacity))
    assert _db.session.execute(over_programme).all() == []
    assert _db.session.execute(over_session).all() == []
    waitlisted = _db.session.execute(select(Registration).where(Registration.status == "waitlisted")).scalars().all()
    assert waitlisted and all(r.waitlisted_at is not None for r in waitlisted)


def test_seed_demo_attendance_only_at_held_sessions_in_the_past(seeded):
    now = utcnow()
    assert _count(select(func.count(Attendance.id))) > 300
    future_or_cancelled = (select(func.count(Attendance.id))
                           .join(ProgrammeSession, ProgrammeSession.id == Attendance.session_id)
                           .where((ProgrammeSession.starts_at > now) | (ProgrammeSession.status == "cancelled")))
    assert _count(future_or_cancelled) == 0
    assert _count(select(func.count(ProgrammeSession.id)).where(ProgrammeSession.starts_at > now)) > 0
    assert _count(select(func.count(ProgrammeSession.id)).where(ProgrammeSession.status == "cancelled")) == 1


def test_seed_demo_attendance_drops_off_over_the_term(seeded):
    """Mean check-ins per held session: the last three complete weeks fall below the first three."""
    now = utcnow()
    rows = _db.session.execute(
        select(ProgrammeSession.starts_at, ProgrammeSession.ends_at, func.count(Attendance.id))
        .outerjoin(Attendance, Attendance.session_id == ProgrammeSession.id)
        .where(ProgrammeSession.status == "scheduled")
        .group_by(ProgrammeSession.id, ProgrammeSession.starts_at, ProgrammeSession.ends_at)).all()
    first_day = min(r.starts_at for r in rows).date()
    first_day -= timedelta(days=first_day.weekday())
    weeks: dict[int, list] = {}
    for starts_at, ends_at, attended in rows:
        weeks.setdefault((starts_at.date() - first_day).days // 7, []).append((ends_at <= now, attended))
    # Only weeks whose sessions have all happened: the current week is still filling up.
    complete = [w for w in sorted(weeks) if all(done for done, _ in weeks[w])]
    mean = {w: sum(n for _, n in weeks[w]) / len(weeks[w]) for w in complete}
    early, late = complete[:3], complete[-3:]
    assert len(complete) >= 6
    assert sum(mean[w] for w in late) / 3 < sum(mean[w] for w in early) / 3


def test_seed_demo_refuses_a_database_that_has_data(seeded):
    app, _ = seeded
    runner = app.test_cli_runner()

    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0
    assert "already has data" in refused.output

    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert skipped.exit_code == 0
    assert "not adding demo data" in skipped.output
    assert _count(select(func.count(YoungPerson.id))) == 300


def test_seed_demo_force_replaces_the_data(seeded):
    app, _ = seeded
    result = app.test_cli_runner().invoke(args=["seed-demo", "--force"])

    assert result.exit_code == 0, result.output
    _db.session.expire_all()
    assert _count(select(func.count(YoungPerson.id))) == 300
    assert _count(select(func.count(Organisation.id))) == 4
