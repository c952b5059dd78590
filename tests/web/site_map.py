"""The app's pages and forms, found from the URL map, for the tests that try every one of them."""
import re
from html.parser import HTMLParser

import pytest
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person


class Forms(HTMLParser):
    """The POST forms of a page: action and field names with their default values, and each
    field's kind (an input's type, or select/textarea), first offered choice and whether it is required."""

    def __init__(self):
        super().__init__()
        self.forms, self._current, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._current = {"action": attrs.get("action") or "", "fields": {}, "kinds": {}, "choices": {},
                             "required": set()}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            if attrs.get("type") in ("submit", "button"):
                return
            name = attrs["name"]
            self._current["fields"].setdefault(name, attrs.get("value") or "")
            kind = (attrs.get("type") or "text").lower() if tag == "input" else tag
            self._current["kinds"].setdefault(name, kind)
            if "required" in attrs:
                self._current["required"].add(name)
            if kind == "radio" and attrs.get("value"):
                self._current["choices"].setdefault(name, attrs["value"])
            if "checked" in attrs and kind in ("radio", "checkbox"):
                self._current["choices"][name] = attrs.get("value") or "y"
            self._select = name if tag == "select" else None
        elif tag == "option" and self._current is not None and self._select and attrs.get("value"):
            if "selected" in attrs or self._select not in self._current["choices"]:
                self._current["choices"][self._select] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


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


def fill(rule, w, given=None):
    """The rule's URL with the world's ids filled in, or None when it needs a token.
    `given` sets some arguments to values of the caller's own (edge values, say)."""
    url = rule.rule
    for arg in rule.arguments:
        name = arg.lower()
        if given and arg in given:
            value = given[arg]
        elif "slug" in name:
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


def open_page(client, url):
    """GET a page as a browser would: following it when it sends itself on to its own address with
    something added (the one-time token of a form that creates someone, `?once=...`). (URL, response)."""
    from urllib.parse import urlsplit

    page = client.get(url)
    location = page.headers.get("Location", "")
    if page.status_code == 302 and urlsplit(location).path == urlsplit(url).path:
        url, page = location, client.get(location)
    return url, page


def post_forms(app, client, w, *, whole=False):
    """Every POST form on every page the signed-in client can open: [(page URL, action, field names)],
    or with whole=True [(page URL, action, form)] with the parsed form (fields, kinds, choices)."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in ("static", "auth.logout"):
            continue
        url = fill(rule, w)
        if url is None:
            continue
        url, page = open_page(client, url)
        if page.status_code != 200 or "html" not in (page.content_type or ""):
            continue
        parser = Forms()
        parser.feed(page.get_data(as_text=True))
        for form in parser.forms:
            action = form["action"] or url
            if "logout" not in action:
                found.append((url, action, form if whole else sorted(n for n in form["fields"] if n != "csrf_token")))
    return found


class QueryReads:
    """Which query-string parameters each endpoint reads, found by watching it serve real requests.

    While installed, `request.args` of every request is a MultiDict that notes each name
    looked up in it (get, getlist, [], in): Flask-SQLAlchemy's `page`, a filter form's fields,
    `next`, `session`... whatever the code reads, also parameters no page links to."""

    def __init__(self, app):
        self.app, self.read = app, {}
        self._original = app.request_class
        reads = self.read

        class Watched(ImmutableMultiDict):
            endpoint = None

            def _note(self, key):
                reads.setdefault(self.endpoint, set()).add(key)

            def get(self, key, default=None, type=None):
                self._note(key)
                return super().get(key, default, type)

            def getlist(self, key, type=None):
                self._note(key)
                return super().getlist(key, type)

            def __getitem__(self, key):
                self._note(key)
                return super().__getitem__(key)

            def __contains__(self, key):
                self._note(key)
                return super().__contains__(key)

        class WatchedRequest(self._original):
            @cached_property
            def args(self):
                watched = Watched(super().args)
                watched.endpoint = self.endpoint
                return watched

        self._watched = WatchedRequest

    def __enter__(self):
        self.app.request_class = self._watched
        return self

    def __exit__(self, *exc):
        self.app.request_class = self._original


def get_routes(app, w):
    """(rule, URL) for every GET route whose arguments the world can fill."""
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and rule.endpoint not in ("static", "auth.logout"):
            url = fill(rule, w)
            if url is not None:
                yield rule, url


def query_parameters(app, client, w) -> dict[str, set[str]]:
    """{URL: names of the query parameters its endpoint read} for every GET route the client can open."""
    with QueryReads(app) as watch:
        urls = {}
        for rule, url in get_routes(app, w):
            url, _ = open_page(client, url)
            urls[url] = rule.endpoint
    return {url: watch.read[endpoint] for url, endpoint in urls.items() if watch.read.get(endpoint)}


def integer_arguments(app):
    """(rule, name) for every `<int:name>` in the URL map."""
    from werkzeug.routing import IntegerConverter

    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                yield rule, name
