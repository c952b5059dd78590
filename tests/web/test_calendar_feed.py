"""The family's private calendar feed: made, read by a calendar app without signing in,
replaced and stopped; cancellations as STATUS:CANCELLED; nothing a calendar should not hold;
someone else's, a replaced and a made-up secret all find nothing."""
import re
from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from outreach.models import CalendarFeed, Registration
from outreach.services import registration
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person


def _new_link(client, confirm=False):
    response = client.post("/family/calendar", data={"confirm": "y"} if confirm else {}, follow_redirects=True)
    html = response.get_data(as_text=True)
    found = re.search(r'value="(http://[^"]+/calendar/([A-Za-z0-9_-]+)\.ics)"', html)
    return found.group(2) if found else None


def _events(client, token):
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return {str(e["summary"]).split(" (")[0]: str(e["status"]) for e in Calendar.from_ical(response.data).walk("VEVENT")}, response.data


@pytest.fixture()
def two_families(db):
    soon = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
    programme = make_programme(make_org(), "Street Dance", capacity=1, min_age=8, max_age=18)
    s1, s2, s3 = (make_session(programme, starts_at=soon + timedelta(days=7 * n)) for n in range(3))
    amara = make_user("amara@example.org")
    ada = make_young_person("Ada", last_name="Okafor", medical_notes="Peanut allergy", guardian=amara)
    ben = make_young_person("Ben", last_name="Okafor", guardian=amara)
    bryn = make_user("bryn@example.org")
    zed = make_young_person("Zed", last_name="Jones", guardian=bryn)
    db.session.commit()
    registration.book_place(ada, programme, s1)            # booked
    kept = registration.book_place(ada, programme, s2)     # booked, then the family cancels
    registration.cancel_booking(kept)
    registration.book_place(ben, programme, s3)            # booked; then the session is cancelled
    s3.status = "cancelled"
    registration.book_place(zed, programme, s1)            # another family: waiting list
    registration.book_place(zed, programme, s2)            # another family: booked
    db.session.commit()
    return {"amara": amara, "bryn": bryn, "sessions": (s1, s2, s3)}


def test_the_feed_shows_the_familys_bookings_with_cancellations_and_nothing_else(client, db, login_as,
                                                                                 two_families):
    login_as(two_families["amara"])
    token = _new_link(client)
    client.post("/logout")
    _, body = _events(client, token)  # a calendar app: no sign-in
    s1, s2, s3 = two_families["sessions"]
    seen = sorted((e.decoded("dtstart").astimezone(UTC), str(e["summary"]), str(e["status"]))
                  for e in Calendar.from_ical(body).walk("VEVENT"))
    assert seen == [(s1.starts_at, "Ada: Street Dance", "CONFIRMED"),
                    (s2.starts_at, "Ada: Street Dance (cancelled)", "CANCELLED"),
                    (s3.starts_at, "Ben: Street Dance (cancelled)", "CANCELLED")]
    text = body.decode()
    assert "Okafor" not in text and "Peanut" not in text and "Zed" not in text and "07700" not in text


def test_only_the_hash_is_kept_and_the_link_is_shown_once(client, db, login_as, two_families):
    login_as(two_families["amara"])
    token = _new_link(client)
    feed = db.session.execute(select(CalendarFeed)).scalar_one()
    assert token not in feed.token_hash and len(feed.token_hash) == 64
    assert token not in client.get("/family/calendar").get_data(as_text=True)
    assert "Link on" in client.get("/family").get_data(as_text=True)


def test_another_familys_link_shows_their_bookings_only(client, db, login_as, two_families):
    login_as(two_families["amara"])
    mine = _new_link(client)
    login_as(two_families["bryn"])
    theirs = _new_link(client)
    events, _ = _events(client, theirs)
    assert events == {"Zed: Street Dance": "CONFIRMED"}  # the waiting-list place is not in it
    assert "Ada: Street Dance" in _events(client, mine)[0]


def test_a_new_link_replaces_the_old_one_which_then_finds_nothing(client, db, login_as, two_families):
    login_as(two_families["amara"])
    old = _new_link(client)
    assert _new_link(client) is None  # replacing asks for the tick first
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    new = _new_link(client, confirm=True)
    assert new and new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200


def test_a_stopped_link_finds_nothing(client, db, login_as, two_families):
    login_as(two_families["amara"])
    token = _new_link(client)
    client.post("/family/calendar/stop", data={"stop_confirm": "y"})
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert db.session.execute(select(CalendarFeed)).first() is None


@pytest.mark.parametrize("garbage", ["x", "A" * 43, "A" * 42 + "%21", "a" * 5000, "%00" * 43, "%ED%A0%80" * 15,
                                     "..%2F..%2Fetc%2Fpasswd", "%F0%9F%98%80" * 43])
def test_made_up_links_find_nothing(client, db, login_as, two_families, garbage):
    login_as(two_families["amara"])
    _new_link(client)
    response = client.get(f"/calendar/{garbage}.ics")
    assert response.status_code == 404 and b"VEVENT" not in response.data
