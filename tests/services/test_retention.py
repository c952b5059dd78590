"""The retention schedule (flask --app wsgi purge-expired): old medical notes go, inactive young
people are anonymised, and the evaluation's counts come out exactly the same."""
from datetime import timedelta

from sqlalchemy import func, select

from outreach.metrics import MetricQuery, Scope, Settings, compute_all
from outreach.models import Attendance, AuditEvent, GuardianLink, Pass, User, YoungPerson
from outreach.services import passes, retention
from tests.course import AS_OF, course  # noqa: F401  (course is a fixture)
from tests.factories import make_user, make_young_person

SCHEDULE = retention.Schedule(medical_notes_days=365, anonymise_days=3 * 365)


def _everything(course):
    q = MetricQuery(scope=Scope(programme_id=course["programme"].id),
                    settings=Settings(recent_sessions=2, cohort_steps=5), as_of=AS_OF)
    return compute_all(q)


def test_medical_notes_go_a_year_after_the_last_session_names_stay(course, db):
    ada = course["people"]["A"]
    ada.medical_notes = "Asthma, inhaler in bag"
    db.session.commit()
    # Ada's last session was S5 (2 December 2026): 300 days later the note is still needed.
    report = retention.purge_expired(SCHEDULE, now=AS_OF + timedelta(days=300))
    assert report.medical_notes_removed == 0 and ada.medical_notes is not None
    report = retention.purge_expired(SCHEDULE, now=AS_OF + timedelta(days=400))
    assert (report.medical_notes_removed, report.anonymised) == (1, 0)
    assert ada.medical_notes is None and ada.first_name == "Ada"
    assert db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "young_person.medical_notes_removed")).scalar_one().subject_id == ada.id


def test_inactive_young_people_are_anonymised_and_the_counts_do_not_change(course, db):
    guardian = make_user("guardian@example.org")
    ada = course["people"]["A"]
    db.session.add(GuardianLink(guardian_id=guardian.id, young_person_id=ada.id))
    own_login = make_user("b.own@example.org")
    course["people"]["B"].user_id = own_login.id
    passes.ensure_pass(ada)
    db.session.commit()
    later = AS_OF + timedelta(days=3 * 365 + 30)
    fresh = make_young_person("Newcomer", created_at=later - timedelta(days=10))  # still active then
    db.session.commit()
    before = _everything(course)
    attendances = db.session.execute(select(func.count()).select_from(Attendance)).scalar_one()

    dry = retention.purge_expired(SCHEDULE, now=AS_OF + timedelta(days=30), dry_run=True)
    assert dry.anonymised == 0  # the course is recent: nobody is due yet
    dry = retention.purge_expired(SCHEDULE, now=later, dry_run=True)
    assert dry.anonymised == 6 and ada.first_name == "Ada"  # a dry run changes nothing

    report = retention.purge_expired(SCHEDULE, now=later)
    assert (report.anonymised, report.logins_removed, report.attendances_kept) == (6, 1, attendances)
    db.session.expire_all()
    assert fresh.first_name == "Newcomer" and fresh.anonymised_at is None
    for yp in db.session.execute(select(YoungPerson).where(YoungPerson.id != fresh.id)).scalars():
        assert yp.anonymised_at is not None
        assert (yp.first_name, yp.last_name, yp.emergency_contact_phone, yp.medical_notes) == (None,) * 4
    assert db.session.execute(select(GuardianLink)).first() is None
    assert db.session.execute(select(Pass).where(Pass.revoked_at.is_(None))).first() is None
    assert db.session.get(User, own_login.id) is None          # a young person's own login goes
    assert db.session.get(User, guardian.id) is not None       # a guardian's account is theirs to close
    assert _everything(course) == before                       # every metric, every figure, unchanged
    assert retention.purge_expired(SCHEDULE, now=later).anonymised == 0  # the second run finds nothing


def test_purge_expired_command_reports_what_it_did(app, course, db, runner):
    course["people"]["A"].medical_notes = "Peanut allergy"
    db.session.commit()
    result = runner.invoke(args=["purge-expired", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Medical notes would be removed: 0" in result.output
    assert "Attendance rows kept for the evaluation: 7." in result.output


def test_outgoing_messages_go_once_sent_failed_or_dropped_for_the_days_kept(db, runner):
    """They hold names, addresses and links: kept OUTBOX_KEEP_DAYS (30) after they were written."""
    from outreach.models import OutgoingMessage
    from outreach.timeutil import utcnow

    now = utcnow()

    def message(status, days_ago):
        m = OutgoingMessage(kind="booking_confirmed", recipient=f"{status}{days_ago}@example.org", subject="S",
                            text="T", status=status, created_at=now - timedelta(days=days_ago))
        db.session.add(m)
        return m

    gone = {message("sent", 31).recipient, message("failed", 40).recipient, message("dropped", 31).recipient}
    kept = {message("sent", 29).recipient, message("failed", 2).recipient,
            message("pending", 45).recipient}  # pending: still to send
    db.session.commit()
    schedule = retention.Schedule(medical_notes_days=365, anonymise_days=3 * 365, outbox_keep_days=30)

    assert retention.purge_expired(schedule, now=now, dry_run=True).messages_removed == 3
    assert db.session.scalar(select(func.count()).select_from(OutgoingMessage)) == 6
    assert "Outgoing messages would be removed: 3" in runner.invoke(args=["purge-expired", "--dry-run"]).output
    assert retention.purge_expired(schedule, now=now).messages_removed == 3
    left = {m.recipient for m in db.session.execute(select(OutgoingMessage)).scalars()}
    assert left == kept and not gone & left
    assert retention.purge_expired(schedule, now=now).messages_removed == 0
