"""Calendar files: what an event says and keeps to itself, and local times either side of
the October clock change, read back with the icalendar package."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from outreach.services import calendar
from outreach.services.calendar import Entry
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_young_person, session_on

LONDON = ZoneInfo("Europe/London")


def october_saturdays(today=None):
    """The Saturday before and the Saturday after the last Sunday of the next October
    (British Summer Time ends that Sunday at 02:00)."""
    today = today or date.today()
    year = today.year if today < date(today.year, 10, 1) else today.year + 1
    last_sunday = max(date(year, 10, d) for d in range(25, 32) if date(year, 10, d).weekday() == 6)
    return last_sunday - timedelta(days=1), last_sunday + timedelta(days=6)


def test_times_are_local_on_both_sides_of_the_clock_change(db):
    before, after = october_saturdays()
    programme = make_programme(make_org(timezone="Europe/London"), "Saturday Climbing")
    sessions = [session_on(programme, day, start=time(10, 0), end=time(12, 0)) for day in (before, after)]
    # Stored in UTC: 09:00 in summer time, 10:00 after the clocks go back.
    assert [s.starts_at.astimezone(UTC).hour for s in sessions] == [9, 10]
    yp = make_young_person("Maya", last_name="Okafor", medical_notes="Peanut allergy")
    ics = calendar.calendar_bytes([Entry(s, yp.first_name, yp.id) for s in sessions], name="Climbing")

    events = Calendar.from_ical(ics).walk("VEVENT")
    starts = [e.decoded("dtstart") for e in events]
    assert [(d.date(), d.time(), d.tzinfo.key) for d in starts] == [
        (before, time(10, 0), "Europe/London"), (after, time(10, 0), "Europe/London")]
    assert [d.utcoffset() for d in starts] == [timedelta(hours=1), timedelta(0)]
    assert [e.decoded("dtend").time() for e in events] == [time(12, 0), time(12, 0)]
    assert b"TZID=Europe/London" in ics and b"BEGIN:VTIMEZONE" in ics
    assert "Okafor" not in ics.decode() and "Peanut" not in ics.decode()
    assert str(events[0]["summary"]) == "Maya: Saturday Climbing"


def test_a_cancelled_session_is_status_cancelled_with_the_same_uid(db):
    programme = make_programme(make_org())
    s = session_on(programme, date(2027, 3, 5))
    yp = make_young_person("Ada")
    booked = Calendar.from_ical(calendar.calendar_bytes([Entry(s, "Ada", yp.id)], name="x")).walk("VEVENT")[0]
    gone = Calendar.from_ical(calendar.calendar_bytes([Entry(s, "Ada", yp.id, cancelled=True)], name="x")
                              ).walk("VEVENT")[0]
    assert (str(booked["status"]), str(gone["status"])) == ("CONFIRMED", "CANCELLED")
    assert booked["uid"] == gone["uid"] and gone["sequence"] > booked["sequence"]
