"""The app's pages and forms, found from the URL map, for the tests that try every one of them."""
import re
from html.parser import HTMLParser

import pytest

from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person


class Forms(HTMLParser):
    """The POST forms of a page: action and field names with their default values."""

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


def fill(rule, w):
    """The rule's URL with the world's ids filled in, or None when it needs a token."""
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


def post_forms(app, client, w):
    """Every POST form on every page the signed-in client can open: [(page URL, action, field names)]."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in ("static", "auth.logout"):
            continue
        url = fill(rule, w)
        if url is None:
            continue
        page = client.get(url)
        if page.status_code != 200 or "html" not in (page.content_type or ""):
            continue
        parser = Forms()
        parser.feed(page.get_data(as_text=True))
        for form in parser.forms:
            action = form["action"] or url
            if "logout" not in action:
                found.append((url, action, sorted(n for n in form["fields"] if n != "csrf_token")))
    return found
