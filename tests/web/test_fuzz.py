"""Machines try bad input: hypothesis sends random and hostile values to every form and
every JSON endpoint found from the URL map, as each kind of user.

No answer may be a 500, and nothing may be stored that should not be: no text
longer than its column (SQLite would keep it), no control characters, no dates
outside the years people live in. `make test` runs a bounded, repeatable set;
`make fuzz` runs many more, freshly random, examples.

Random values rarely hit the edges where code breaks, so each class of edge is also
sent on purpose, everywhere the URL map leads: overflowing and odd integers in every
`<int:>` URL argument, every query parameter an endpoint reads (found by watching it
read them) and every number input; the ends of the calendar in every query parameter and
every date input of every form (the other fields filled in plausibly, so the date reaches
the code behind the form); JSON nested 1,000 deep and unpaired surrogates in every string
position of every JSON endpoint's body; and bodies over the size limit on every POST.
"""
import os
import re
import string
from datetime import date
from urllib.parse import parse_qsl

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, DateTime, String, Text, func, select

from outreach.extensions import db as _db
from outreach.models import Attendance
from tests.web.site_map import fill, get_routes, integer_arguments, post_forms, query_parameters, world  # noqa: F401

settings.register_profile("suite", max_examples=6, derandomize=True, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("long", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROFILE = os.environ.get("FUZZ_PROFILE", "suite")

FRAGMENTS = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "' OR '1'='1' --",
             "'; DROP TABLE users; --", "{{7*7}}", "${7*7}", "../../../../etc/passwd", "%00", "\\x00",
             "0000-00-00", "0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "24:61",
             "-1", "0", "1e309", "NaN", "-9223372036854775809", "true", "null", "[]", "{}", "   ",
             "\u202eevil\u202c", "ᚠᛇᚻ 🙂 ﷽", "A" * 70000]

hostile_text = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=40),                                                  # any unicode, controls included
    st.text(alphabet=string.printable, min_size=200, max_size=3000),
    st.builds(lambda c, n: c * n, st.characters(exclude_categories=("Cs",)), st.integers(1_000, 60_000)),  # huge strings
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.integers(-(2 ** 70), 2 ** 70).map(str),
)


def _form_values(fields):
    return st.fixed_dictionaries({}, optional={name: hostile_text for name in fields})


SURROGATES = ["\ud800", "\udfff", "\ud800x", "x\udbff"]  # lone halves of a UTF-16 pair: json.dumps escapes them
json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(2 ** 70), 2 ** 70) | st.floats() | hostile_text
    | st.sampled_from(SURROGATES),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)
checkin_item = st.fixed_dictionaries({}, optional={"pass": json_value | hostile_text, "client_ref": json_value,
                                                   "walk_in": json_value, "offline": json_value})
json_body = st.one_of(json_value, checkin_item, st.fixed_dictionaries({"checkins": st.lists(checkin_item,
                                                                                          max_size=6)}))

_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


def stored_junk() -> list[str]:
    """Every stored value no form should have let in."""
    problems = []
    for table in _db.metadata.sorted_tables:
        for column in table.columns:
            kind = column.type
            if isinstance(kind, String) and kind.length:
                too_long = _db.session.execute(
                    select(func.count()).where(func.length(column) > kind.length)).scalar_one()
                if too_long:
                    problems.append(f"{table.name}.{column.name}: {too_long} values over {kind.length} characters")
            if isinstance(kind, (String, Text)):
                for (value,) in _db.session.execute(select(column).where(column.is_not(None))):
                    if _CONTROL & set(value):
                        problems.append(f"{table.name}.{column.name}: control character in {value[:40]!r}")
                        break
            if isinstance(kind, (Date, DateTime)):
                low, high = _db.session.execute(select(func.min(column), func.max(column))).one()
                for moment in (low, high):
                    if moment is not None and not 1900 <= moment.year <= 2200:
                        problems.append(f"{table.name}.{column.name}: stored {moment!r}")
    return problems


@pytest.mark.parametrize("who", ["admin", "lead", "worker", "guardian", None])
def test_random_and_hostile_form_values(app, db, client, login_as, world, who):
    if who:
        login_as(world[who])
    forms = post_forms(app, client, world)
    assert forms, "no forms found"

    for page, action, fields in forms:
        @settings(settings.get_profile(PROFILE))
        @given(values=_form_values(fields))
        def post(values):
            response = client.post(action, data=values)
            assert response.status_code < 500, f"POST {action} (from {page}) as {who}: {values!r}"[:2000]
            if who:
                login_as(world[who])  # a form may have signed the client out or in as someone else

        post()
    assert stored_junk() == []


@pytest.mark.parametrize("raw", [False, True])
def test_random_and_hostile_json_bodies(app, db, client, login_as, world, raw):
    login_as(world["worker"])
    session_id = world["session"].id
    endpoints = [rule.rule.replace("<int:session_id>", str(session_id)).replace("<int:attendance_id>", "1")
                 for rule in app.url_map.iter_rules()
                 if rule.rule.startswith("/api/") and "POST" in (rule.methods or ())]
    assert len(endpoints) >= 3
    before = db.session.execute(select(func.count()).select_from(Attendance)).scalar_one()

    for url in endpoints:
        @settings(settings.get_profile(PROFILE))
        @given(body=st.binary(max_size=300) if raw else json_body)
        def send(body):
            if raw:
                response = client.post(url, data=body, content_type="application/json")
            else:
                response = client.post(url, json=body)
            assert response.status_code < 500, f"POST {url}: {body!r}"[:2000]
            assert response.is_json, f"POST {url} answered {response.content_type}"
            if response.status_code >= 400:
                assert {"code", "message"} <= set(response.json["error"])

        send()
    # Nothing random is ever a real pass, so nobody was checked in.
    assert db.session.execute(select(func.count()).select_from(Attendance)).scalar_one() == before


# ------------------------------------------------------------------ edges, sent on purpose

WHO = ["admin", "lead", "worker", "guardian", None]
# Integers past every column (2**63, 2**64+1, 10**20), past a 32-bit id, zero, negative, and
# spellings int() or a converter might half-accept.
INTEGER_EDGES = [str(2 ** 63), str(2 ** 64 + 1), str(10 ** 20), str(2 ** 31), "-1", "0", "1e9", " 1", "+1", "0x1f"]
# The ends of the calendar, a day that does not exist, empty and junk.
DATE_EDGES = ["0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "", "junk"]
# One box of a three-box date (date of birth: day, month, year).
DATE_PART_EDGES = ["0", "32", "3000", "1", "x", "", str(10 ** 30), "-1", "²", "9" * 5000]
DATE_PARTS = ("-day", "-month", "-year")
# What breaks headers, URLs and the database: a newline, a NUL, an unclosed IPv6 bracket, length.
TEXT_EDGES = ["/\n", "/\r\nX-Injected: 1", "\x00", "//[", "A" * 3000]
QUERY_EDGES = INTEGER_EDGES + DATE_EDGES + TEXT_EDGES
if PROFILE != "long":  # one or two of each class: the evaluation pages take 0.1 s a request
    QUERY_EDGES = [str(10 ** 20), "-1", "0001-01-01", "9999-12-31", "2026-02-30", "/\n", "//["]


def _sign_in(login_as, world, who):
    if who:
        login_as(world[who])


class Findings:
    """Sends requests and notes every one answered 500 (or, under TESTING, raising what would have
    been one), so a run lists every failure it found rather than stopping at the first."""

    def __init__(self, client, db):
        self.client, self.db, self.found = client, db, []

    def send(self, what, url, method="GET", **kwargs):
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as exc:  # Flask re-raises under TESTING what a server answers with a 500
            self.db.session.rollback()
            self.found.append(f"{what}: {type(exc).__name__}: {exc}"[:400])
            return None
        if response.status_code >= 500:
            self.found.append(f"{what}: {response.status_code}"[:400])
        return response

    def note(self, problem):
        self.found.append(problem[:400])

    def check(self):
        assert not self.found, f"{len(self.found)} failures:\n" + "\n".join(self.found)


@pytest.mark.parametrize("who", WHO)
def test_every_query_parameter_an_endpoint_reads_takes_edge_values(app, db, client, login_as, world, who):
    """Page numbers, filter dates, `next`, ids in `?session=`: found by watching each endpoint read them."""
    _sign_in(login_as, world, who)
    reads = query_parameters(app, client, world)
    if who in ("admin", "lead"):
        assert any("page" in names for names in reads.values()), reads  # the lists' page numbers were found
    if who == "lead":
        assert any({"start", "end"} <= names for names in reads.values()), reads  # the evaluation's dates
    findings = Findings(client, db)
    for url, names in sorted(reads.items()):
        path, _, query = url.partition("?")  # a form page's address may carry its one-time token
        kept = dict(parse_qsl(query))
        for name in sorted(names):
            for value in QUERY_EDGES:
                findings.send(f"GET {path}?{name}={value[:40]!r} as {who}", path,
                              query_string={**kept, name: value})
                _sign_in(login_as, world, who)
    findings.check()


@pytest.mark.parametrize("who", ["admin", "lead"])
def test_every_integer_url_argument_takes_edge_values(app, db, client, login_as, world, who):
    """Every `<int:...>` in the URL map, with the other arguments filled in, by GET or POST."""
    _sign_in(login_as, world, who)
    findings, tried = Findings(client, db), 0
    for rule, name in integer_arguments(app):
        for value in INTEGER_EDGES + [str(2 ** 31 - 1)]:
            url = fill(rule, world, {name: value})
            if url is None:
                continue
            method = "GET" if "GET" in rule.methods else "POST"
            findings.send(f"{method} {url!r} as {who}", url, method)
            tried += 1
    assert tried > 50
    findings.check()


def plausible(form) -> dict:
    """Values that let a form through its other checks, so the one edge value reaches the code behind it."""
    soon, later = date.today().toordinal() + 9, date.today().toordinal() + 60
    values = {}
    for name, kind in form["kinds"].items():
        default, lowered = form["fields"].get(name, ""), name.lower()
        if name in form["choices"]:
            values[name] = form["choices"][name]
        elif kind == "checkbox":
            values[name] = default or "y"
        elif default or kind == "hidden":
            values[name] = default
        elif name.endswith(DATE_PARTS):  # a date of birth's boxes: 1 5 2012
            values[name] = {"-day": "1", "-month": "5", "-year": "2012"}[name[name.rindex("-"):]]
        elif kind == "date":
            day = date(2012, 5, 1) if "birth" in lowered else date.fromordinal(
                later if ("last" in lowered or "end" in lowered) else soon)
            values[name] = day.isoformat()
        elif kind == "time":
            values[name] = "20:00" if "end" in lowered else "18:00"
        elif kind == "number":
            values[name] = "10"
        elif kind == "email" or "email" in lowered:
            values[name] = "fuzz@example.org"
        elif kind == "tel" or "phone" in lowered:
            values[name] = "07700 900123"
        elif kind == "password":
            values[name] = "correct horse battery staple"
        else:  # free text: something where it is required, else left empty (as most people do)
            values[name] = "Fuzz" if name in form["required"] else ""
    return values


@pytest.mark.parametrize("who", WHO)
def test_every_date_and_number_input_of_every_form_takes_edge_values(app, db, client, login_as, world, who):
    """The ends of the calendar in each date input, overflowing integers in each number input, one at a
    time, with the rest of the form filled in as a person would: the weekly rule, the exports, dates of birth."""
    _sign_in(login_as, world, who)
    forms = post_forms(app, client, world, whole=True)
    findings, tried = Findings(client, db), 0
    for page, action, form in forms:
        base = plausible(form)
        for name, kind in form["kinds"].items():
            edges = (DATE_EDGES if kind == "date" else INTEGER_EDGES if kind == "number"
                     else DATE_PART_EDGES if name.endswith(DATE_PARTS) else [])
            for value in edges:
                findings.send(f"POST {action} {name}={value!r} (from {page}) as {who}", action, "POST",
                              data={**base, name: value})
                tried += 1
                _sign_in(login_as, world, who)
    if who in ("lead", "worker", "guardian"):
        assert tried, "no date or number inputs found"
    for problem in stored_junk():
        findings.note(problem)
    findings.check()


def _sample(schema, spec):
    """A small valid-looking body for a JSON schema: every string "sample", one item per array."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _sample(spec["components"]["schemas"][name], spec)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {key: _sample(sub, spec) for key, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_sample(schema.get("items", {}), spec)]
    if kind == "boolean":
        return False
    if kind == "integer":
        return 1
    return "sample-string"


def _string_positions(value, path=()):
    """Paths to every string in a body, keys included (a key's path ends with ("key", name))."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + (("key", key),)
            yield from _string_positions(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _string_positions(item, path + (i,))
    elif isinstance(value, str):
        yield path


def _with_raw(value, position, raw):
    """The body as JSON text with the string at `position` written as the raw JSON `raw` (e.g. "\\ud800")."""
    import copy
    import json

    slot = "@@SLOT@@"
    body = copy.deepcopy(value)
    *parents, last = position
    target = body
    for step in parents:
        target = target[step]
    if isinstance(last, tuple):
        target[slot] = target.pop(last[1])
    else:
        target[last] = slot
    return json.dumps(body).replace(f'"{slot}"', f'"{raw}"')


def _json_endpoints(app, world):
    """(URL, the body its OpenAPI document describes, or None) for every POST under /api/."""
    import yaml

    from tests.web.test_openapi import SPEC

    spec = yaml.safe_load(SPEC.read_text())
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or "POST" not in rule.methods:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        body = spec["paths"].get(path, {}).get("post", {}).get("requestBody")
        schema = body["content"]["application/json"]["schema"] if body else None
        url = rule.rule.replace("<int:session_id>", str(world["session"].id)).replace("<int:attendance_id>", "1")
        found.append((url, _sample(schema, spec) if schema else None))
    return found


DEEP_BODIES = ["[" * 1000 + "]" * 1000, '{"a": ' * 1000 + "1" + "}" * 1000,
               '{"pass": ' + "[" * 1000 + "]" * 1000 + "}",
               '{"checkins": [' + '{"a": ' * 1000 + "1" + "}" * 1000 + "]}"]
RAW_SURROGATES = ["\\ud800", "\\udfff", "\\ud800x", "x\\udbff"]


def test_every_json_endpoint_refuses_deep_nesting_and_lone_surrogates(app, db, client, login_as, world):
    login_as(world["worker"])
    endpoints = _json_endpoints(app, world)
    assert len(endpoints) >= 3
    findings = Findings(client, db)
    for url, sample in endpoints:
        bodies = list(DEEP_BODIES)
        for position in _string_positions(sample or {"pass": "sample-string"}):
            bodies += [_with_raw(sample or {"pass": "sample-string"}, position, raw) for raw in RAW_SURROGATES]
        for body in bodies:
            what = f"POST {url} {body[:60]!r}"
            response = findings.send(what, url, "POST", data=body, content_type="application/json")
            if response is None or response.status_code >= 500:
                continue
            if not response.is_json:
                findings.note(f"{what}: answered {response.content_type}")
            elif sample is not None and (response.status_code, (response.json.get("error") or {}).get("code")) \
                    != (400, "invalid_json"):  # an endpoint that reads a body refuses this one as invalid JSON
                findings.note(f"{what}: answered {response.status_code} {response.get_data(as_text=True)[:120]}")
    findings.check()


def test_every_json_endpoint_refuses_a_10_mb_body_with_413(app, db, client, login_as, world):
    import json

    login_as(world["worker"])
    body = json.dumps({"pass": "x" * (10 * 1024 * 1024)})
    findings = Findings(client, db)
    for url, _ in _json_endpoints(app, world):
        response = findings.send(f"POST {url} with 10 MB", url, "POST", data=body, content_type="application/json")
        if response is not None and (response.status_code != 413 or not response.is_json
                                     or response.json["error"]["code"] != "payload_too_large"):
            findings.note(f"POST {url} with 10 MB answered {response.status_code}")
    findings.check()


def test_every_post_refuses_a_body_over_the_limit_before_reading_it(app, db, client, login_as, world):
    """A 2 MB form to every POST action (the forms' and the URL map's), signed out: 413, whatever the
    route would do with it; never parsed into a form page, or a 400 after reading it all."""
    login_as(world["guardian"])
    actions = {action for _, action, _ in post_forms(app, client, world)}
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and fill(rule, world) is not None:
            actions.add(fill(rule, world))
    findings = Findings(app.test_client(), db)
    big = {"email": "a@example.org", "password": "x" * (2 * 1024 * 1024)}
    assert len(actions) > 20
    for action in sorted(actions):
        response = findings.send(f"POST {action} with a 2 MB form", action, "POST", data=big)
        if response is not None and response.status_code != 413:
            findings.note(f"POST {action} with a 2 MB form answered {response.status_code}")
    findings.check()


# ------------------------------------------------------------------ the text message providers' callbacks

CALLBACKS = ["/sms/twilio/inbound", "/sms/twilio/status", "/sms/notify/inbound", "/sms/notify/status"]


@pytest.fixture()
def signed_callbacks(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", "fuzz-twilio-token")
    monkeypatch.setitem(app.config, "NOTIFY_CALLBACK_TOKEN", "fuzz-notify-token")

    def post(client, path, body, *, sign=True):
        from tests.smsservers import twilio_signature

        if "twilio" in path:
            params = body if isinstance(body, dict) else {"Body": str(body)}
            headers = {"X-Twilio-Signature": twilio_signature("fuzz-twilio-token", "http://localhost" + path, params)
                       if sign else "bm90LWEtc2lnbmF0dXJl"}
            return client.post(path, data=params, headers=headers)
        headers = {"Authorization": "Bearer " + ("fuzz-notify-token" if sign else "guess")}
        if isinstance(body, (bytes, str)):
            return client.post(path, data=body, headers={**headers, "Content-Type": "application/json"})
        return client.post(path, json=body, headers=headers)
    return post


@pytest.mark.parametrize("path", CALLBACKS)
def test_callbacks_without_the_providers_signature_get_403(client, db, signed_callbacks, path):
    body = {"From": "+447700900111", "Body": "CANCEL", "MessageSid": "SM1", "MessageStatus": "delivered",
            "source_number": "+447700900111", "message": "CANCEL", "id": "x", "status": "delivered"}
    assert signed_callbacks(client, path, body, sign=False).status_code == 403
    assert client.post(path, data=body).status_code == 403  # no signature header at all
    assert client.post(path, json=body).status_code == 403


@settings(settings.get_profile(PROFILE))
@given(body=st.one_of(json_value, st.dictionaries(hostile_text, hostile_text, max_size=6),
                      st.fixed_dictionaries({}, optional={k: hostile_text for k in (
                          "From", "Body", "MessageSid", "MessageStatus", "source_number", "message", "id", "status",
                          "notification_type")})))
@pytest.mark.parametrize("path", CALLBACKS)
def test_hostile_bodies_signed_as_the_provider_get_a_clear_answer(client, db, signed_callbacks, path, body):
    """Signed correctly (the signature is not the only guard), any body is a 2xx or a 4xx, never a 500."""
    if "twilio" in path and isinstance(body, dict):
        body = {str(k): str(v) for k, v in body.items() if "\x00" not in str(k)}
    try:
        response = signed_callbacks(client, path, body)
    except (UnicodeEncodeError, ValueError):  # the test client cannot even encode it: no request was made
        return
    assert response.status_code < 500, (path, repr(body)[:200])


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null", b'"x"', b'{"source_number": 7, "message": []}',
                                 b'{"id": "' + b"9" * 5000 + b'", "status": "delivered"}', b"\xff\xfe"])
@pytest.mark.parametrize("path", ["/sms/notify/inbound", "/sms/notify/status"])
def test_notify_callbacks_refuse_bodies_that_are_not_notifys(client, db, signed_callbacks, path, raw):
    assert 400 <= signed_callbacks(client, path, raw).status_code < 500
