"""Machines try bad input: hypothesis sends random and hostile values to every form and
every JSON endpoint found from the URL map, as each kind of user.

No answer may be a 500, and nothing may be stored that should not be: no text
longer than its column (SQLite would keep it), no control characters, no dates
outside the years people live in. `make test` runs a bounded, repeatable set;
`make fuzz` runs many more, freshly random, examples.
"""
import os
import string
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, DateTime, String, Text, func, select

from outreach.extensions import db as _db
from outreach.models import Attendance
from tests.web.site_map import post_forms, world  # noqa: F401  (world is a fixture)

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


json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(2 ** 70), 2 ** 70) | st.floats() | hostile_text,
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
