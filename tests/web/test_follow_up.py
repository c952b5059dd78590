"""The follow-up pages: the list (and its empty state), recording an attempt, closing, and the
leads' registers not taken; every id tried as someone else's (another organisation, another
programme, a young person nobody knows, one who is not on the list)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.models import FollowUp, FollowUpContact
from outreach.timeutil import to_local
from tests import follow_up_course as course
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person


@pytest.fixture()
def c(db, app, monkeypatch):
    c = course.build()
    # The pages work out the list as of now: the course's sessions are in late 2026, so move
    # "now" there (the services take now= from the routes' utcnow()).
    monkeypatch.setattr("outreach.services.follow_up.utcnow", lambda: course.NOW)
    monkeypatch.setattr("outreach.web.follow_up.routes.utcnow", lambda: course.NOW)
    other_lead, other_worker = make_user("lead@other.example.org"), make_user("worker@other.example.org")
    other = make_org("Other Partner", slug="other-partner", lead=other_lead)
    add_member(other, other_worker, "worker")
    c["other"] = {"org": other, "lead": other_lead, "worker": other_worker,
                  "programme": make_programme(other, "Other Club")}
    c["second"] = make_programme(c["org"], "Saturday Art")  # the same organisation, another programme
    c["stranger"] = make_young_person("Nobody", "Known")
    from outreach.extensions import db as _db
    _db.session.commit()
    return c


def url(c, *rest, org=None, programme=None):
    org = org or c["org"]
    programme = programme or c["programme"]
    return "/".join([f"/org/{org.slug}/programmes/{programme.id}/follow-up", *map(str, rest)])


def form(made_at="2026-12-05T10:30", **kw):
    return {"method": "phone", "outcome": "left_message", "made_at": made_at, "note": "Spoke to mum", **kw}


def test_the_list_shows_the_regular_who_stopped_coming_with_the_date_last_seen(client, login_as, c):
    login_as(c["worker"])
    page = client.get(url(c))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Amara Follow" in html and "Bilal" not in html and "Chloe" not in html and "Dev " not in html
    last_seen = to_local(c["sessions"][5].starts_at, "Europe/London").strftime("%a %-d %b %Y")
    assert last_seen in html and "3 sessions" in html and "No attempt yet" in html
    assert "at least 3 of the first 4 sessions" in html


def test_an_empty_list_says_so(client, login_as, c):
    login_as(c["worker"])
    html = client.get(url(c, programme=c["second"])).get_data(as_text=True)
    assert "No one to follow up" in html and "None" not in html


def test_a_worker_records_an_attempt_and_it_shows_on_the_list(db, client, login_as, c):
    login_as(c["worker"])
    amara = c["people"]["Amara"]
    page = client.get(url(c, amara.id))
    assert page.status_code == 200 and "Record an attempt" in page.get_data(as_text=True)
    saved = client.post(url(c, amara.id), data=form())
    assert saved.status_code == 302
    contact = db.session.execute(select(FollowUpContact)).scalar_one()
    assert (contact.method, contact.outcome, contact.made_by_id, contact.note) == \
        ("phone", "left_message", c["worker"].id, "Spoke to mum")
    html = client.get(url(c)).get_data(as_text=True)
    assert "Phone call, left a message" in html
    assert "Wes Worker" in client.get(url(c, amara.id)).get_data(as_text=True)


def test_an_attempt_with_missing_choices_is_refused_next_to_the_fields(db, client, login_as, c):
    login_as(c["worker"])
    page = client.post(url(c, c["people"]["Amara"].id), data={"made_at": "", "note": ""})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Choose how you tried to get in touch." in html and "Choose what came of it." in html
    assert db.session.scalar(select(func.count()).select_from(FollowUpContact)) == 0


def test_closing_needs_a_reason(db, client, login_as, c):
    login_as(c["worker"])
    amara = c["people"]["Amara"]
    refused = client.post(url(c, amara.id, "close"), data={"reason": " "})
    assert refused.status_code == 400 and "Say why the follow-up is closed." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 0
    closed = client.post(url(c, amara.id, "close"), data={"reason": "Moved to Leeds"})
    assert closed.status_code == 302
    assert "No one to follow up" in client.get(url(c)).get_data(as_text=True)
    assert client.get(url(c, amara.id)).status_code == 404  # off the list now


@pytest.mark.parametrize("who", ["other_worker", "other_lead"])
def test_another_organisation_gets_nothing(db, client, login_as, c, who):
    login_as(c["other"]["worker" if who == "other_worker" else "lead"])
    amara = c["people"]["Amara"]
    assert client.get(url(c)).status_code == 404
    assert client.get(url(c, amara.id)).status_code == 404
    assert client.post(url(c, amara.id), data=form()).status_code == 404
    assert client.post(url(c, amara.id, "close"), data={"reason": "x"}).status_code == 404
    # Their own organisation's slug and programme, with our young person's id: not someone they know.
    own = dict(org=c["other"]["org"], programme=c["other"]["programme"])
    assert client.get(url(c, **own)).status_code == 200
    for path in [(amara.id,), (amara.id, "close")]:
        assert client.get(url(c, *path, **own)).status_code in (404, 405)
        assert client.post(url(c, *path, **own), data={**form(), "reason": "x"}).status_code == 404
    # Our programme under their slug.
    assert client.get(url(c, org=c["other"]["org"])).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(FollowUpContact)) == 0


def test_other_programme_nobody_and_not_on_the_list_get_404(db, client, login_as, c):
    login_as(c["worker"])
    amara = c["people"]["Amara"]
    for bad in [url(c, amara.id, programme=c["second"]), url(c, c["stranger"].id), url(c, c["people"]["Bilal"].id),
                url(c, 2 ** 31 - 1), url(c, 999999999999999999999), url(c, amara.id, programme=c["other"]["programme"])]:
        assert client.get(bad).status_code == 404, bad
        assert client.post(bad, data=form()).status_code == 404, bad
        assert client.post(bad + "/close", data={"reason": "Moved"}).status_code == 404, bad
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 0


def test_registers_not_taken_for_leads_only(db, client, login_as, c):
    empty = make_session(c["programme"], course.NOW - timedelta(days=2), hours=2)
    db.session.commit()
    login_as(c["worker"])
    assert client.get(f"/org/{c['org'].slug}/registers-not-taken").status_code == 403
    login_as(c["other"]["lead"])
    assert client.get(f"/org/{c['org'].slug}/registers-not-taken").status_code == 404
    other_page = client.get(f"/org/{c['other']['org'].slug}/registers-not-taken").get_data(as_text=True)
    assert "Friday Boxing" not in other_page and "Every register is taken" in other_page
    login_as(c["lead"])
    page = client.get(f"/org/{c['org'].slug}/registers-not-taken")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Friday Boxing" in html
    assert f"/sessions/{empty.id}" in html
    assert all(f"/sessions/{s.id}\"" not in html for s in c["sessions"])
