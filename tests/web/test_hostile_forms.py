"""Every form the app shows, filled with hostile values, never gets a 500.

Pages are found from the URL map and fetched as the people who use them; each
POST form on a page is submitted with its fields set to empty, oversized,
control-character, markup and impossible-date values.
"""
import re
from html.parser import HTMLParser

import pytest

from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person

HOSTILE = [
    "",
    "x" * 5000,
    "\x00\x01\x1b[31m\r\n\t",
    "<script>alert(1)</script>' OR 1=1 --",
    "0000-00-00",
    "9999-12-31",
    "-1",
    "ᚠᛇᚻ 🙂 ﷽",
]


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._current = {"action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            if attrs.get("type") in ("submit", "button"):
                return
            self._current["fields"].setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


@pytest.fixture()
def world(db):
    admin = make_user("admin@example.org", admin=True)
    lead = make_user("lead@example.org")
    worker = make_user("worker@example.org")
    guardian = make_user("guardian@example.org")
    org = make_org("Partner A", slug="partner-a", lead=lead)
    add_member(org, worker, "worker")
    pending = make_org("Pending Partner", slug="pending", status="pending", lead=make_user())
    programme = make_programme(org, is_published=False)
    session = make_session(programme)
    child = make_young_person(guardian=guardian)
    db.session.commit()
    return {"admin": admin, "lead": lead, "worker": worker, "guardian": guardian, "org": org,
            "pending": pending, "programme": programme, "session": session, "young_person": child}


def _fill(rule, w):
    url = rule.rule
    for arg in rule.arguments:
        name = arg.lower()
        if "slug" in name:
            value = w["org"].slug
        elif "session" in name:
            value = w["session"].id
        elif "programme" in name:
            value = w["programme"].id
        elif "org" in name:
            value = w["pending"].id
        elif "young" in name or "person" in name or "child" in name:
            value = w["young_person"].id
        else:
            return None  # tokens and the like: covered by their own tests
        url = re.sub(r"<(?:[^:<>]+:)?" + re.escape(arg) + ">", str(value), url)
    return url


@pytest.mark.parametrize("who", ["admin", "lead", "worker", "guardian", None])
def test_hostile_values_in_every_form_never_500(app, db, client, login_as, world, who):
    if who:
        login_as(world[who])
    submitted = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in ("static", "auth.logout"):
            continue
        url = _fill(rule, world)
        if url is None:
            continue
        page = client.get(url)
        assert page.status_code != 500, f"GET {url}"
        if page.status_code != 200 or "html" not in (page.content_type or ""):
            continue
        parser = _Forms()
        parser.feed(page.get_data(as_text=True))
        for form in parser.forms:
            action = form["action"] or url
            if "logout" in action:
                continue
            for value in HOSTILE:
                data = {name: value for name in form["fields"] if name != "csrf_token"}
                response = client.post(action, data=data)
                assert response.status_code < 500, f"POST {action} from {url} as {who} with {value[:20]!r}"
                submitted += 1
            if who:
                login_as(world[who])  # a form may have changed the session (e.g. sign-up)
    assert submitted > 0
