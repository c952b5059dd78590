"""Booking mail goes over real SMTP, and its attached QR decodes to the pass URL."""
import io
from datetime import date, datetime, timedelta

import zxingcpp
from PIL import Image

from outreach.services import passes, registration
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person


def _decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_confirmation_arrives_over_smtp_with_a_pass_that_decodes(app, db, smtp_server):
    guardian = make_user("parent@example.org")
    child = make_young_person("Kofi", dob=date(2013, 2, 2), guardian=guardian)
    live = passes.ensure_pass(child)
    programme = make_programme(make_org(), "Friday Football", min_age=8, max_age=18)
    session = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=2))

    registration.book_place(child, programme, session, booked_by=guardian)

    [message] = smtp_server.messages
    assert message["To"] == "parent@example.org"
    assert "Friday Football" in message["Subject"]
    assert "Kofi is booked on Friday Football" in message.get_body(("plain",)).get_content()
    attachment, ics = list(message.iter_attachments())
    assert attachment.get_content_type() == "image/png"
    assert _decode(attachment.get_content()) == [passes.pass_url(app.config["BASE_URL"], live.secret)]
    assert (ics.get_content_type(), ics.get_filename()) == ("text/calendar", "kofi-friday-football.ics")


def test_promotion_from_the_waiting_list_is_emailed(app, db, smtp_server):
    programme = make_programme(make_org(), "Climbing", capacity=1, min_age=8, max_age=18)
    session = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=2))
    first = make_young_person("First", guardian=make_user("first@example.org"))
    second = make_young_person("Second", guardian=make_user("second@example.org"))
    reg = registration.book_place(first, programme, session)
    registration.book_place(second, programme, session)
    smtp_server.messages.clear()

    registration.cancel_booking(reg)

    [message] = smtp_server.messages
    assert message["To"] == "second@example.org" and "A place came up" in message["Subject"]
