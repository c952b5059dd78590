"""A mail server that hangs or is down never holds a page (issue #15, point 8).

The booking answers at once and is confirmed; its email waits in the outbox and goes once a
real server answers on that port; an email the server never took is marked failed after
every try, listed for the platform admin with the reason, and sent again on request.
"""
import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from outreach.models import OutgoingMessage, Registration
from outreach.services import passes
from outreach.timeutil import UTC, utcnow
from tests.conftest import deliver, free_port
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person
from tests.mailservers import hanging_smtp, real_smtp

# The old code waited out a 30 s SMTP timeout inside the request; a booking takes milliseconds.
# A bound far from both, so a slow machine cannot make it flaky and a hang cannot pass.
WELL_UNDER_THE_HANG = 10


@pytest.fixture()
def booking(db):
    guardian = make_user("grace@example.org")
    programme = make_programme(make_org(), "Friday Football", capacity=5, min_age=8, max_age=18)
    session = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=3))
    child = make_young_person("Kofi", dob=date(2013, 2, 2), guardian=guardian)
    passes.ensure_pass(child)
    return {"guardian": guardian, "programme": programme, "session": session, "child": child}


def _mail_to(app, monkeypatch, port, timeout=None):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    if timeout is not None:
        monkeypatch.setitem(app.config, "OUTBOX_SMTP_TIMEOUT", timeout)


def _book(client, login_as, b):
    login_as(b["guardian"])
    started = time.monotonic()
    response = client.post(f"/activities/{b['programme'].id}/book",
                           data={"young_person_id": b["child"].id, "session_id": b["session"].id})
    return response, time.monotonic() - started


def _messages(db):
    return db.session.execute(select(OutgoingMessage).order_by(OutgoingMessage.id)).scalars().all()


def test_booking_answers_at_once_while_the_mail_server_hangs_and_the_email_goes_later(
        app, client, db, login_as, booking, monkeypatch):
    with hanging_smtp() as hanging:
        _mail_to(app, monkeypatch, hanging.port, timeout=0.5)
        response, took = _book(client, login_as, booking)

        assert response.status_code == 302 and took < WELL_UNDER_THE_HANG
        reg = db.session.execute(select(Registration).where(
            Registration.young_person_id == booking["child"].id)).scalar_one()
        assert reg.status == "confirmed"
        assert hanging.connections == 0  # the page never went near the mail server
        [message] = _messages(db)
        assert (message.status, message.attempts, message.recipient) == ("pending", 0, "grace@example.org")

        # The worker tries: the server takes the connection and says nothing until the timeout.
        report = deliver()
        assert (report.sent, report.retrying, report.unreachable) == (0, 1, True)
        db.session.refresh(message)
        assert (message.status, message.attempts) == ("pending", 1)
        assert "did not answer within 0.5 s" in message.last_error
        assert message.next_attempt_at > utcnow()
        port = hanging.port

    # The hanging server goes; a real one answers on the same port.
    with real_smtp(port) as inbox:
        deliver(now=utcnow() + timedelta(minutes=5))
        deliver(now=utcnow() + timedelta(hours=5))  # running again sends nothing twice
        [email] = inbox.received
    assert email["To"] == "grace@example.org" and email["Subject"] == "Booked: Friday Football"
    assert "Kofi is booked on Friday Football" in email.get_body(("plain",)).get_content()
    assert [a.get_content_type() for a in email.iter_attachments()] == ["image/png", "text/calendar"]  # pass, .ics
    db.session.refresh(message)
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, None)
    assert message.text is None and message.attachments is None  # the body is not kept once sent


def test_with_the_port_refused_the_booking_answers_and_the_email_waits(app, client, db, login_as, booking,
                                                                        monkeypatch):
    _mail_to(app, monkeypatch, free_port())
    response, took = _book(client, login_as, booking)
    assert response.status_code == 302 and took < WELL_UNDER_THE_HANG
    [message] = _messages(db)
    assert message.status == "pending"


def _fail_for_good(db, monkeypatch, app):
    """Try until the worker gives up: each pass later than the longest pause between tries."""
    start = utcnow()
    for i in range(app.config["OUTBOX_MAX_ATTEMPTS"]):
        deliver(now=start + timedelta(hours=2 * i))
    return start + timedelta(hours=2 * app.config["OUTBOX_MAX_ATTEMPTS"])


def test_an_email_never_taken_is_listed_for_the_admin_and_sent_again(app, client, db, login_as, booking,
                                                                     monkeypatch):
    port = free_port()  # nothing listens there, for good
    _mail_to(app, monkeypatch, port)
    response, _ = _book(client, login_as, booking)
    assert response.status_code == 302
    later = _fail_for_good(db, monkeypatch, app)
    [message] = _messages(db)
    assert (message.status, message.attempts) == ("failed", app.config["OUTBOX_MAX_ATTEMPTS"])
    assert "refused the connection" in message.last_error
    assert deliver(now=later).sent == 0  # failed for good: not tried again by itself

    admin = make_user("admin@example.org", admin=True)
    db.session.commit()
    login_as(admin)
    page = client.get("/admin/messages").get_data(as_text=True)
    assert "grace@example.org" in page and "Booked: Friday Football" in page
    assert f"127.0.0.1:{port} refused the connection" in page
    assert "Send again" in page and "None" not in page
    assert "Messages not sent" in client.get("/admin/").get_data(as_text=True)  # linked from the admin's pages

    response = client.post(f"/admin/messages/{message.id}/send-again")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/messages")
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("pending", 0)
    assert "No message has failed" in client.get("/admin/messages").get_data(as_text=True)

    with real_smtp(port) as inbox:  # the server is back
        deliver()
        deliver(now=utcnow() + timedelta(hours=1))
        [email] = inbox.received
    assert email["To"] == "grace@example.org" and email["Subject"] == "Booked: Friday Football"
    db.session.refresh(message)
    assert message.status == "sent"

    # Sending it again once sent (another tab) says so and sends nothing.
    again = client.post(f"/admin/messages/{message.id}/send-again", follow_redirects=True)
    assert again.status_code == 200 and "already sent" in again.get_data(as_text=True)
    assert client.post("/admin/messages/999999/send-again").status_code == 404


def test_only_platform_admins_see_the_messages_not_sent(app, client, db, login_as, booking, monkeypatch):
    """Recipients are personal data: a guardian, a lead, anyone signed out is turned away."""
    _mail_to(app, monkeypatch, free_port())
    _book(client, login_as, booking)
    _fail_for_good(db, monkeypatch, app)
    [message] = _messages(db)
    lead = make_user("lead@example.org")
    make_org(lead=lead)
    db.session.commit()
    for someone in (booking["guardian"], lead):
        login_as(someone)
        assert client.get("/admin/messages").status_code == 403
        assert client.post(f"/admin/messages/{message.id}/send-again").status_code == 403
    with client.session_transaction() as sess:
        sess.clear()
    assert client.get("/admin/messages").status_code == 302
    assert client.post(f"/admin/messages/{message.id}/send-again").status_code == 302
    db.session.refresh(message)
    assert message.status == "failed"


def test_the_send_again_button_needs_the_form_token(databases, tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(databases.new("csrf"), tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        from outreach.extensions import db as _db

        admin = make_user("admin@example.org", admin=True)
        _db.session.add(OutgoingMessage(kind="booking_confirmed", recipient="x@example.org", subject="S", text="T",
                                        status="failed", attempts=10))
        _db.session.commit()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = admin.get_id(), True
        assert client.post("/admin/messages/1/send-again").status_code == 400
        assert _db.session.get(OutgoingMessage, 1).status == "failed"
        _db.session.remove()
        _db.engine.dispose()
