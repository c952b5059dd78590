"""Who sees safeguarding concerns and incident records (issue #18), walked over the URL map.

Every route of the app is opened (GET; and POST on the new record routes) as each of: the
worker who raised the concern and recorded the incident, another worker, a lead, a designated
safeguarding lead (a worker by role), a worker and a lead of another organisation, a platform
admin, the young person's guardian, and someone signed out. A distinctive phrase in the concern
and another in the incident are searched for in every answer:

- the concern's text reaches the organisation's designated safeguarding leads, and nobody else;
- the incident's text reaches the worker who recorded it, the organisation's leads and the injured
  young person's guardian (in the family's own download), and nobody else;
- each new route answers each of them with exactly the status the rules give.
"""
import re
from datetime import date, datetime, timedelta

import pytest

from outreach.models import Registration
from outreach.services import incidents, safeguarding
from outreach.timeutil import UTC
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person
from tests.web.site_map import open_page

CONCERN_PHRASE = "Lanternfish said his uncle keeps the key"
INCIDENT_PHRASE = "Marmalade-coloured bruise on the left shin"
PERSONAS = ["raiser", "other_worker", "lead", "safeguarding_lead", "b_worker", "b_lead", "admin", "guardian",
            "signed_out"]
MEMBERS = {"raiser", "other_worker", "lead", "safeguarding_lead"}
OUTSIDERS = {"b_worker", "b_lead", "admin", "guardian"}


def _expect(allowed: dict, members=403, outsiders=404):
    """Status per persona: `allowed` for some, `members` for the organisation's others, 404 outside, login for signed out."""
    out = {p: allowed.get(p, members) for p in MEMBERS}
    out.update({p: outsiders for p in OUTSIDERS})
    out["signed_out"] = 302
    return out


EVERY_MEMBER = {p: 200 for p in MEMBERS}
# (endpoint, method) -> status for each persona.
RULES = {
    ("safeguarding.raise_concern", "GET"): _expect(EVERY_MEMBER),
    ("safeguarding.raise_concern", "POST"): _expect({p: 400 for p in MEMBERS}),  # an empty form: "please check"
    ("safeguarding.my_concerns", "GET"): _expect(EVERY_MEMBER),
    ("safeguarding.concerns", "GET"): _expect({"safeguarding_lead": 200}),
    ("safeguarding.concern", "GET"): _expect({"safeguarding_lead": 200}),
    ("safeguarding.change_status", "POST"): _expect({"safeguarding_lead": 400}),
    ("incidents.record", "GET"): _expect(EVERY_MEMBER),
    ("incidents.record", "POST"): _expect({p: 400 for p in MEMBERS}),
    ("incidents.index", "GET"): _expect(EVERY_MEMBER),
    ("incidents.detail", "GET"): _expect({"raiser": 200, "lead": 200}),
}


@pytest.fixture()
def world(db):
    now = datetime.now(UTC)
    people = {
        "raiser": make_user("raiser@partner-a.example.org", "Rae Raiser"),
        "other_worker": make_user("other@partner-a.example.org", "Otto Other"),
        "lead": make_user("lead@partner-a.example.org", "Lee Lead"),
        "safeguarding_lead": make_user("dsl@partner-a.example.org", "Dee Safeguarding"),
        "b_worker": make_user("worker@partner-b.example.org"), "b_lead": make_user("lead@partner-b.example.org"),
        "admin": make_user("admin@example.org", admin=True), "guardian": make_user("parent@example.org"),
    }
    org = make_org("Partner A", slug="partner-a", lead=people["lead"], worker=people["raiser"])
    add_member(org, people["other_worker"], "worker")
    add_member(org, people["safeguarding_lead"], "worker", safeguarding_lead=True)
    org_b = make_org("Partner B", slug="partner-b", lead=people["b_lead"], worker=people["b_worker"],
                     safeguarding_lead=True)
    make_session(make_programme(org_b, "Partner B Club"))
    programme = make_programme(org, "Partner A Club")
    session = make_session(programme, starts_at=now - timedelta(minutes=30))
    yp = make_young_person("Wilhelmina", "Quarrington", dob=date(2012, 3, 3), guardian=people["guardian"])
    db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed"))
    db.session.commit()
    concern = safeguarding.raise_concern(org, people["raiser"], safeguarding.ConcernDetails(
        what_happened=CONCERN_PHRASE, occurred_at=now, young_person_id=yp.id, action_taken="Told the lead"),
        session=session, now=now)
    safeguarding.raise_concern(org, people["other_worker"], safeguarding.ConcernDetails(
        what_happened="Someone else's concern", occurred_at=now, unnamed_description="A girl at the gate"), now=now)
    incident = incidents.record_incident(org, session, people["raiser"], incidents.IncidentDetails(
        occurred_at=now, what_happened=INCIDENT_PHRASE, injured_ids=[yp.id], first_aid="Ice pack"), now=now)
    return {"people": people, "org": org, "session": session, "programme": programme, "yp": yp,
            "concern": concern, "incident": incident,
            "membership": next(m for m in org.memberships if m.user_id == people["raiser"].id)}


def _value(arg: str, w):
    name = arg.lower()
    if "slug" in name:
        return w["org"].slug
    for key, value in (("concern", w["concern"].id), ("incident", w["incident"].id), ("session", w["session"].id),
                       ("programme", w["programme"].id), ("young", w["yp"].id), ("person", w["yp"].id),
                       ("child", w["yp"].id), ("member", w["membership"].id), ("org", w["org"].id)):
        if key in name:
            return value
    return None  # tokens, secrets, other rows: their own tests


def _urls(app, w):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):
            continue
        url = rule.rule
        for arg in rule.arguments:
            value = _value(arg, w)
            if value is None:
                break
            url = re.sub(r"<(?:[^:<>]+:)?" + re.escape(arg) + ">", str(value), url)
        else:
            if rule.endpoint == "safeguarding.raise_concern":  # as from a young person's row at the door
                url += f"?session={w['session'].id}&young_person={w['yp'].id}"
            yield rule, url


def _client_for(app, persona, w, login_as):
    client = app.test_client()
    if persona != "signed_out":
        login_as(w["people"][persona], client)
    return client


def test_each_person_sees_exactly_what_the_rules_say(app, db, world, login_as):
    read_concern, read_incident = set(), set()
    covered = set()
    for persona in PERSONAS:
        client = _client_for(app, persona, world, login_as)
        for rule, url in _urls(app, world):
            methods = ["GET"] if "GET" in rule.methods else []
            if (rule.endpoint, "POST") in RULES:
                methods.append("POST")
            for method in methods:
                if method == "GET":
                    _, response = open_page(client, url)
                else:
                    response = client.post(url, data={})
                body = response.get_data(as_text=True)
                where = f"{method} {url} as {persona}"
                assert response.status_code != 500, where
                if (rule.endpoint, method) in RULES:
                    covered.add((rule.endpoint, method))
                    expected = RULES[(rule.endpoint, method)][persona]
                    assert response.status_code == expected, f"{where}: {response.status_code}, not {expected}"
                    if expected == 302:
                        assert "/login" in response.headers["Location"], where
                if CONCERN_PHRASE in body or "Told the lead" in body:
                    read_concern.add(persona)
                    assert rule.endpoint in ("safeguarding.concern", "safeguarding.change_status"), \
                        f"{where} shows the concern's text"
                if INCIDENT_PHRASE in body:
                    read_incident.add((persona, rule.endpoint))
                db.session.expire_all()
    assert covered == set(RULES), "a new record route without its expected answers, or one not reached"
    assert read_concern == {"safeguarding_lead"}
    assert read_incident == {("raiser", "incidents.detail"), ("lead", "incidents.detail"),
                             ("guardian", "family.download")}


def test_the_raiser_sees_their_concern_received_and_its_status_only(app, db, world, login_as, client):
    login_as(world["people"]["raiser"])
    page = client.get(f"/org/{world['org'].slug}/concerns/mine").get_data(as_text=True)
    assert page.count("Received") == 1 and "Open" in page       # theirs, not the other worker's
    for private in (CONCERN_PHRASE, "Wilhelmina", "Quarrington", "Someone else's concern", "A girl at the gate"):
        assert private not in page


def test_the_safeguarding_lead_reads_the_concern_its_history_and_who_opened_it(app, db, world, login_as, client):
    login_as(world["people"]["safeguarding_lead"])
    slug, concern = world["org"].slug, world["concern"]
    listing = client.get(f"/org/{slug}/safeguarding").get_data(as_text=True)
    assert "Wilhelmina Quarrington (W.Q., born 3 Mar 2012)" in listing and "Someone not named: A girl at the gate" in listing
    page = client.get(f"/org/{slug}/safeguarding/{concern.id}").get_data(as_text=True)
    assert CONCERN_PHRASE in page and "Rae Raiser" in page and "Dee Safeguarding" in page and "opened it" in page
    resp = client.post(f"/org/{slug}/safeguarding/{concern.id}/status", data={"to": "referred", "referred_to": "mash"})
    assert resp.status_code == 400 and "Enter the reference they gave." in resp.get_data(as_text=True)
    resp = client.post(f"/org/{slug}/safeguarding/{concern.id}/status",
                       data={"to": "referred", "referred_to": "police", "referral_reference": "CAD 4471",
                             "referred_on": date.today().isoformat()}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Status changed to referred." in page
    assert "Open → Referred" in page and "reference CAD 4471" in page
    # A status not reachable from here (referred -> open) is not offered, and refused if sent.
    resp = client.post(f"/org/{slug}/safeguarding/{concern.id}/status", data={"to": "open"})
    assert resp.status_code == 400 and safeguarding.for_safeguarding_lead(world["org"], world["people"]["lead"])[0]


def test_raising_from_the_door_with_someone_elses_ids(app, db, world, login_as, client):
    """Ids in the address and the form are hostile: a stranger, another partner's session."""
    login_as(world["people"]["raiser"])
    slug = world["org"].slug
    stranger = make_young_person("Xanthippe", "Unmetson")
    other_session = make_session(make_programme(make_org(), "Elsewhere"))
    db.session.commit()
    assert client.get(f"/org/{slug}/concerns/new?young_person={stranger.id}&once=" + "a" * 24).status_code == 404
    assert client.get(f"/org/{slug}/concerns/new?session={other_session.id}&once=" + "a" * 24).status_code == 404
    resp = client.post(f"/org/{slug}/concerns/new?session={world['session'].id}&once=" + "b" * 24,
                       data={"about": str(stranger.id), "what_happened": "x", "occurred_at": "2026-12-04T18:00",
                             "form_token": "b" * 24})
    assert resp.status_code == 400 and "Not a valid choice" in resp.get_data(as_text=True)
    assert client.get(f"/org/{slug}/sessions/{other_session.id}/incidents/new").status_code == 404


def test_raising_a_concern_from_a_young_persons_row_takes_the_person_time_and_place(app, db, world, login_as,
                                                                                     client, outbox):
    login_as(world["people"]["raiser"])
    slug, s, yp = world["org"].slug, world["session"], world["yp"]
    door = client.get(f"/org/{slug}/sessions/{s.id}").get_data(as_text=True)
    row_link = f"/org/{slug}/concerns/new?session={s.id}&amp;young_person={yp.id}"
    assert row_link in door and f"/org/{slug}/concerns/new?session={s.id}\"" in door
    url, form = open_page(client, row_link.replace("&amp;", "&"))
    page = form.get_data(as_text=True)
    assert "Wilhelmina Quarrington" in page and 'value="Community Centre"' in page  # the session's venue
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', page).group(1)
    when = re.search(r'name="occurred_at"[^>]*value="([^"]+)"', page).group(1)
    data = {"about": str(yp.id), "what_happened": "Said he is scared to go home", "occurred_at": when,
            "location": "Community Centre", "form_token": token}
    done = client.post(url, data=data, follow_redirects=True)
    assert "Received. The safeguarding lead has been told." in done.get_data(as_text=True)
    assert f'href="/org/{slug}/sessions/{s.id}"' in done.get_data(as_text=True)  # one tap back to the door
    again = client.post(url, data=data, follow_redirects=True)  # a double tap: one concern
    assert "already sent" in again.get_data(as_text=True)
    mine = safeguarding.raised_by(world["org"], world["people"]["raiser"])
    assert len(mine) == 2
    assert [m["to"] for m in outbox()].count("dsl@partner-a.example.org") == 3  # fixture's two and this one
