"""Organisation isolation, checked over every route of the app.

The routes are read from the URL map, not listed by hand, so a page added
later is covered the day it is added. A lead and a worker of partner B try
every URL filled in with partner A's ids: staff pages answer 403 or 404, no
answer anywhere contains A's private data, and nothing of A's changes.
"""
import re

import pytest
from sqlalchemy import func, select

from outreach.models import Invitation, Membership, Programme, ProgrammeSession
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person

SECRET_TITLE = "Confidential Programme Zeta"
SECRET_EMAILS = ["hidden.worker@partner-a.example.org", "hidden.invitee@partner-a.example.org"]
# Endpoints that do something to the signed-in user's own session, not to data.
SKIP = {"static", "auth.logout"}


@pytest.fixture()
def partner_a(db):
    lead = make_user("lead@partner-a.example.org", "Alice Lead")
    worker = make_user(SECRET_EMAILS[0], "Hidden Worker")
    org = make_org("Partner A", slug="partner-a", lead=lead)
    membership = add_member(org, worker, "worker")
    secret = make_programme(org, SECRET_TITLE, is_published=False)
    session = make_session(secret)
    public = make_programme(org, "Public Football", is_published=True)
    make_session(public)
    invitation = Invitation(organisation_id=org.id, email=SECRET_EMAILS[1], role="worker",
                            token_hash="0" * 64, expires_at=session.starts_at)
    db.session.add(invitation)
    young = make_young_person("Zebedee", "Quillfeather")
    db.session.commit()
    return {"org": org, "programme": secret, "session": session, "membership": membership,
            "invitation": invitation, "young_person": young}


def _value_for(arg: str, a) -> str:
    name = arg.lower()
    if "slug" in name:
        return a["org"].slug
    if "token" in name or "secret" in name:
        return "not-a-real-token"
    for key, obj in (("invitation", a["invitation"]), ("member", a["membership"]),
                     ("session", a["session"]), ("programme", a["programme"]),
                     ("young", a["young_person"]), ("person", a["young_person"]), ("child", a["young_person"]),
                     ("org", a["org"]), ("organisation", a["org"])):
        if key in name:
            return str(obj.id)
    return str(a["programme"].id)


def _urls(app, a):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(r"<(?:[^:<>]+:)?" + re.escape(arg) + ">", _value_for(arg, a), url)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            yield rule, method, url


def _snapshot(db, a):
    programme = db.session.get(Programme, a["programme"].id)
    session = db.session.get(ProgrammeSession, a["session"].id)
    return {
        "title": programme.title, "published": programme.is_published,
        "sessions": db.session.scalar(select(func.count()).select_from(ProgrammeSession)
                                      .where(ProgrammeSession.programme_id == programme.id)),
        "session_status": session.status,
        "members": sorted((m.user_id, m.role) for m in db.session.scalars(
            select(Membership).where(Membership.organisation_id == a["org"].id))),
        "invitations": db.session.scalar(select(func.count()).select_from(Invitation)
                                         .where(Invitation.organisation_id == a["org"].id,
                                                Invitation.revoked_at.is_(None))),
    }


@pytest.mark.parametrize("role", ["lead", "worker"])
def test_other_partner_gets_nothing_of_partner_a(app, db, client, login_as, partner_a, role):
    outsider = make_user(f"{role}@partner-b.example.org")
    make_org("Partner B", slug="partner-b", **{role: outsider})
    db.session.commit()
    before = _snapshot(db, partner_a)
    login_as(outsider)

    checked = 0
    for rule, method, url in _urls(app, partner_a):
        response = client.open(url, method=method, data={})
        body = response.get_data(as_text=True)
        where = f"{method} {url} ({rule.endpoint}) as {role} of partner B"
        assert response.status_code != 500, where
        if rule.rule.startswith("/org/<"):
            assert response.status_code in (403, 404), f"{where}: {response.status_code}"
        assert SECRET_TITLE not in body, f"{where} shows partner A's unpublished programme"
        for email in SECRET_EMAILS:
            assert email not in body, f"{where} shows partner A's people"
        assert "Quillfeather" not in body, f"{where} shows partner A's young person"
        checked += 1
        db.session.expire_all()

    assert checked > 10, "the URL map walk found too few routes to mean anything"
    assert _snapshot(db, partner_a) == before
