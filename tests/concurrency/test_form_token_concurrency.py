"""The same create form sent several times at the same moment (a double tap, a retry racing the first
attempt) creates one young person: the one-time token's row is claimed in the transaction of what it
guards, and the others wait for it and then lead to the first result.

Runs on whichever database the suite runs on (SQLite by default, PostgreSQL with TEST_DATABASE_URL).
"""
import http.client
import re
import threading
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import Attendance, FormToken, YoungPerson
from outreach.timeutil import UTC
from tests.concurrency.helpers import session_cookie
from tests.factories import make_org, make_programme, make_session, make_user

pytestmark = pytest.mark.concurrency
COPIES = 4


def _post_copies(base_url, path, form, cookie, n):
    """POST the very same form n times at once, released by a barrier: [(status, Location)]."""
    host = urlsplit(base_url)
    barrier, answers = threading.Barrier(n), [None] * n

    def send(i):
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            conn.connect()
            barrier.wait()
            conn.request("POST", path, body=urlencode(form), headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            response = conn.getresponse()
            answers[i] = (response.status, response.getheader("Location"))
        except Exception as exc:  # recorded, so the test reports it instead of hanging
            answers[i] = (repr(exc), None)
        finally:
            conn.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(65)
    return answers


def _open_form(base_url, path, cookie):
    """The form's address with its token (the page sends a GET without one on to it), and the token."""
    host = urlsplit(base_url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    address = response.getheader("Location") or path
    conn.request("GET", address, headers={"Cookie": cookie})
    html = conn.getresponse().read().decode()
    conn.close()
    return address, re.search(r'name="form_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("action", ["walk_in", "add_child"])
def test_copies_of_one_form_sent_at_once_create_one_young_person(live_server, action):
    app = live_server.app
    with app.app_context():
        worker, guardian = make_user("door@race.example.org"), make_user("parent@race.example.org")
        org = make_org("Race Club", lead=make_user(), worker=worker)
        session = make_session(make_programme(org, registration_mode="drop_in", min_age=8, max_age=18),
                               starts_at=datetime.now(UTC) - timedelta(minutes=5), hours=3)
        db.session.commit()
        if action == "walk_in":
            cookie, path = session_cookie(app, worker), f"/org/{org.slug}/sessions/{session.id}/walk-in"
            form = {"first_name": "Ravi", "last_name": "Shah", "date_of_birth": "2012-09-09",
                    "guardian_name": "Priya Shah", "guardian_phone": "07700 900654", "consent_by_phone": "y"}
        else:
            cookie, path = session_cookie(app, guardian), "/family/children/new"
            form = {"first_name": "Ravi", "last_name": "Shah", "date_of_birth": "2012-09-09",
                    "emergency_contact_name": "Priya Shah", "emergency_contact_phone": "07700 900654", "consent": "y"}
        session_id = session.id
    path, form["form_token"] = _open_form(live_server.url, path, cookie)

    answers = _post_copies(live_server.url, path, form, cookie, COPIES)

    assert [status for status, _ in answers] == [302] * COPIES, answers
    assert len({location for _, location in answers}) == 1, answers  # every copy leads to the same first result
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(YoungPerson)
                                  .where(YoungPerson.first_name == "Ravi")).scalar_one() == 1
        assert db.session.execute(select(func.count()).select_from(FormToken)).scalar_one() == 1
        if action == "walk_in":
            assert db.session.execute(select(func.count()).select_from(Attendance)
                                      .where(Attendance.session_id == session_id)).scalar_one() == 1
