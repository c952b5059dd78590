"""The public catalogue: filters, places left, only approved and published programmes."""
from datetime import date, datetime, timedelta

from outreach.services import registration
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_young_person, session_on


def _soon(days):
    return datetime.now(UTC) + timedelta(days=days)


def test_anyone_browses_published_programmes_of_approved_partners(client, db):
    good = make_org("Good Partner")
    pending = make_org("Pending Partner", status="pending")
    make_session(make_programme(good, "Visible Boxing"))
    make_session(make_programme(good, "Draft Art", is_published=False))
    make_session(make_programme(pending, "Pending Football"))
    make_programme(good, "Nothing Upcoming")
    db.session.commit()
    page = client.get("/activities").get_data(as_text=True)
    assert "Visible Boxing" in page
    for hidden in ("Draft Art", "Pending Football", "Nothing Upcoming"):
        assert hidden not in page


def test_filters_by_category_age_area_and_date(client, db):
    org = make_org()
    boxing = make_programme(org, "Boxing", category="sport", min_age=12, max_age=16, postcode_district="M13")
    art = make_programme(org, "Art Club", category="arts", min_age=8, max_age=11, postcode_district="SK4")
    day = (datetime.now(UTC) + timedelta(days=10)).date()
    session_on(boxing, day)
    session_on(art, day + timedelta(days=1))
    db.session.commit()

    def titles(query):
        page = client.get("/activities?" + query).get_data(as_text=True)
        return {t for t in ("Boxing", "Art Club") if f">{t}</a>" in page}

    assert titles("") == {"Boxing", "Art Club"}
    assert titles("category=arts") == {"Art Club"}
    assert titles("age=14") == {"Boxing"}
    assert titles("age=9") == {"Art Club"}
    assert titles("area=sk4") == {"Art Club"}
    assert titles("area=M1") == {"Boxing"}
    assert titles(f"on={day.isoformat()}") == {"Boxing"}
    assert titles("q=box") == {"Boxing"}
    bad = client.get("/activities?age=banana&on=notadate")
    assert bad.status_code == 200  # an invalid filter shows its message, never an error page
    assert "Enter an age from 0 to 25" in bad.get_data(as_text=True)


def test_programme_page_shows_upcoming_sessions_and_places_left(client, db):
    org = make_org()
    programme = make_programme(org, "Climbing", capacity=3, registration_mode="per_session")
    first, second = make_session(programme, starts_at=_soon(3)), make_session(programme, starts_at=_soon(10))
    make_session(programme, starts_at=_soon(-3))  # past: not shown
    cancelled = make_session(programme, starts_at=_soon(5), status="cancelled")
    registration.book_place(make_young_person(dob=date(2012, 1, 1)), programme, first)
    db.session.commit()
    page = client.get(f"/activities/{programme.id}").get_data(as_text=True)
    assert page.count('class="card session-item"') == 2
    assert "2 places left" in page and "3 places left" in page
    listing = client.get("/activities").get_data(as_text=True)
    assert "2 places left" in listing  # the next session's places


def test_enrol_programme_shows_course_places_and_full_shows_waiting_list(client, db):
    org = make_org()
    course = make_programme(org, "Mentoring Course", capacity=1, registration_mode="enrol")
    make_session(course)
    registration.book_place(make_young_person(dob=date(2012, 1, 1)), course)
    db.session.commit()
    page = client.get(f"/activities/{course.id}").get_data(as_text=True)
    assert "0 of 1 left" in page and "Join the waiting list" in page


def test_unpublished_programme_page_is_not_found(client, db):
    programme = make_programme(make_org(), is_published=False)
    db.session.commit()
    assert client.get(f"/activities/{programme.id}").status_code == 404


def test_catalogue_paginates(client, db, app):
    org = make_org()
    for i in range(app.config["PER_PAGE"] + 3):
        make_session(make_programme(org, f"Club {i:02d}"))
    db.session.commit()
    first = client.get("/activities").get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = client.get("/activities?page=2").get_data(as_text=True)
    assert second.count('class="card programme-card"') == 3
