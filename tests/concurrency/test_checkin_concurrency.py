"""No duplicate check-ins: two phones scanning the same 50 passes at the same moment."""
import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import Attendance, AuditEvent, Registration
from outreach.services import passes
from outreach.timeutil import UTC
from tests.concurrency.helpers import post_all_at_once, session_cookie
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person

pytestmark = pytest.mark.concurrency


def test_two_phones_checking_in_the_same_fifty_passes_make_fifty_rows(live_server):
    app = live_server.app
    with app.app_context():
        phones = [make_user("phone1@example.org"), make_user("phone2@example.org")]
        org = make_org(lead=phones[0], worker=phones[1])
        programme = make_programme(org, capacity=60, min_age=8, max_age=18)
        now = datetime.now(UTC)
        session = make_session(programme, starts_at=now - timedelta(minutes=5))
        secrets = []
        for i in range(50):
            yp = make_young_person(f"Scan{i}", dob=date(2012, 1, 1))
            db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed",
                                        confirmed_at=now - timedelta(days=1)))
            secrets.append(passes.ensure_pass(yp, commit=False).secret)
        db.session.commit()
        path = f"/api/sessions/{session.id}/checkins"
        cookies = [session_cookie(app, p) for p in phones]
        session_id = session.id
    requests = [(path, {"pass": f"{live_server.url}/p/{secret}", "client_ref": uuid.uuid4().hex}, cookie)
                for secret in secrets for cookie in cookies]

    statuses = post_all_at_once(live_server.url, requests, as_json=True)

    assert statuses == [200] * 100, f"some check-ins failed: {statuses}"
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Attendance)
                                 .where(Attendance.session_id == session_id))
        people = db.session.scalar(select(func.count(func.distinct(Attendance.young_person_id)))
                                   .where(Attendance.session_id == session_id))
        assert (rows, people) == (50, 50)


def _two_phones_and_ten_checked_in(label):
    """Two staff of one organisation and ten young people checked in to a drop-in session now:
    (staff, organisation, session id, attendance ids), committed."""
    phones = [make_user(f"{label}1@example.org"), make_user(f"{label}2@example.org")]
    org = make_org(lead=phones[0], worker=phones[1])
    programme = make_programme(org, capacity=60, min_age=8, max_age=18, registration_mode="drop_in")
    session = make_session(programme, starts_at=datetime.now(UTC) - timedelta(minutes=50))
    ids = []
    for i in range(10):
        yp = make_young_person(f"{label.title()}{i}", dob=date(2012, 1, 1))
        attendance = Attendance(session_id=session.id, young_person_id=yp.id, checked_in_at=datetime.now(UTC),
                                method="manual")
        db.session.add(attendance)
        db.session.flush()
        ids.append(attendance.id)
    db.session.commit()
    return phones, org, session.id, ids


def test_undo_tapped_on_two_phones_at_once_undoes_once(live_server):
    app = live_server.app
    with app.app_context():
        phones, org, session_id, ids = _two_phones_and_ten_checked_in("undo")
        cookies = [session_cookie(app, p) for p in phones]
    requests = [(f"/api/checkins/{i}/undo", {}, cookie) for i in ids for cookie in cookies]

    statuses = post_all_at_once(live_server.url, requests, as_json=True)

    # One phone undoes it; the other is told it is already undone (200) or finds nothing (404).
    assert all(s in (200, 404) for s in statuses), statuses
    with app.app_context():
        left = db.session.scalar(select(func.count()).select_from(Attendance).where(Attendance.session_id == session_id))
        undone = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "attendance.undone"))
        assert (left, undone) == (0, 10)


def test_two_workers_checking_out_the_same_young_person_record_the_first_collector(live_server):
    app = live_server.app
    with app.app_context():
        workers, org, _, ids = _two_phones_and_ten_checked_in("out")
        requests = [(f"/org/{org.slug}/attendances/{i}/check-out", {"collected_by_other": who},
                     session_cookie(app, worker))
                    for i in ids for worker, who in zip(workers, ("Aunt Mo", "Uncle Raj"))]

    statuses = post_all_at_once(live_server.url, requests)

    # Per young person one worker's check-out goes through (302) and the other is shown who
    # collected them (200).
    pairs = [statuses[n:n + 2] for n in range(0, 20, 2)]
    assert [sorted(pair) for pair in pairs] == [[200, 302]] * 10, statuses
    with app.app_context():
        rows = {a.id: a for a in db.session.execute(select(Attendance).where(Attendance.id.in_(ids))).scalars()}
        assert all(a.checked_out_at is not None and a.collected_by in ("Aunt Mo", "Uncle Raj") for a in rows.values())
        for attendance_id, pair in zip(ids, pairs):
            assert rows[attendance_id].collected_by == ("Aunt Mo", "Uncle Raj")[pair.index(302)]
