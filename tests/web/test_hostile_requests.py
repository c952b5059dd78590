"""The hostile requests that once answered 500, one by one, each with the answer it gets now.

Page numbers past any id, dates at the ends of the calendar, a weekly rule running to
year 9999, JSON nested a thousand deep or holding unpaired surrogates, a `next=` with a
newline, and bodies far over the size limit (also on a live server, through a real socket).
The fuzz tests (test_fuzz.py) find the same classes from the URL map; these name each case.
"""
import json
import socket
import time

import pytest

from outreach.extensions import db as _db
from outreach.models import ProgrammeSession
from tests.web.site_map import world  # noqa: F401  (world is a fixture)

BIG = "99999999999999999999"
DATE_MESSAGE = "Enter a date between 1900 and 2200."


def _text(response):
    return response.get_data(as_text=True)


@pytest.mark.parametrize("who, url", [
    ("guardian", "/activities?page={big}"),
    ("lead", "/org/{slug}/audit-log?page={big}"),
    ("admin", "/admin/organisations?page={big}"),
    ("admin", "/admin/organisations?status=all&page={big}"),
    ("guardian", "/activities?page=0"),
    ("guardian", "/activities?page=-1"),
    ("guardian", "/activities?page=two"),
])
def test_page_numbers_no_list_has_are_not_found(client, login_as, world, who, url):
    login_as(world[who])
    response = client.get(url.format(big=BIG, slug=world["org"].slug))
    assert response.status_code == 404
    assert "Page not found" in _text(response)


def test_a_real_page_number_still_works(client, login_as, world):
    login_as(world["lead"])
    assert client.get(f"/org/{world['org'].slug}/audit-log?page=1").status_code == 200
    assert client.get(f"/org/{world['org'].slug}/audit-log?page=2147483647").status_code == 200  # empty, not 500


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "10000-01-01"])
@pytest.mark.parametrize("who, url", [
    ("guardian", "/activities?on={day}"),
    ("lead", "/org/{slug}/evaluation?start={day}"),
    ("lead", "/org/{slug}/evaluation?end={day}"),
    ("lead", "/org/{slug}/evaluation/programmes/{pid}?end={day}"),
    ("lead", "/org/{slug}/evaluation/report?end={day}"),
    ("lead", "/org/{slug}/evaluation/report?start={day}&end={day}"),
    ("admin", "/admin/evaluation?end={day}"),
])
def test_dates_at_the_ends_of_the_calendar_in_filters_get_a_message(client, login_as, world, who, url, day):
    login_as(world[who])
    response = client.get(url.format(day=day, slug=world["org"].slug, pid=world["programme"].id))
    # A filter page keeps its convention: the page, with the message next to the filter. The printable
    # report has no filter to show it beside: it answers 400 with the message instead.
    assert response.status_code == (400 if "/report" in url else 200)
    if day != "10000-01-01":  # not a date at all: "Not a valid date value."
        assert DATE_MESSAGE in _text(response)


@pytest.mark.parametrize("field", ["start", "end"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("key", ["session_register", "programme_matrix", "headcounts", "funder_return",
                                 "evaluator_dataset"])
def test_dates_at_the_ends_of_the_calendar_in_exports_get_a_message(client, login_as, world, key, field, day):
    login_as(world["lead"])
    slug = world["org"].slug
    response = client.post(f"/org/{slug}/exports/{key}", data={field: day, "format": "csv"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert DATE_MESSAGE in _text(page)


def test_a_weekly_rule_running_to_year_9999_is_refused_with_a_message(client, login_as, world, db):
    login_as(world["lead"])
    slug, programme = world["org"].slug, world["programme"]
    before = db.session.query(ProgrammeSession).filter_by(programme_id=programme.id).count()
    for last in ("9999-12-31", "2199-12-31"):
        response = client.post(f"/org/{slug}/programmes/{programme.id}/sessions/generate", data={
            "action": "create", "weekday": "4", "start": "18:00", "end": "20:00", "first_date": "2030-09-06",
            "last_date": last, "skip_dates": ""})
        assert response.status_code == 200
        html = _text(response)
        assert (DATE_MESSAGE if last.startswith("9999") else "one rule can make at most 120") in html
    assert db.session.query(ProgrammeSession).filter_by(programme_id=programme.id).count() == before


def test_the_weekly_rule_service_counts_before_it_makes_dates(world, db):
    """The service alone (no form in front): year 9999 gives the count message, not OverflowError."""
    from datetime import date, time

    from outreach.errors import ValidationError
    from outreach.services import programmes

    rule = programmes.WeeklyRule(weekday=4, start=time(18), end=time(20), first_date=date(2030, 1, 1),
                                 last_date=date(9999, 12, 31))
    with pytest.raises(ValidationError) as err:
        programmes.plan(world["programme"], rule)
    assert err.value.code == "too_many_sessions"
    late = programmes.WeeklyRule(weekday=6, start=time(18), end=time(20), first_date=date(9999, 12, 31),
                                 last_date=date(9999, 12, 31))  # a Friday: no Sunday in range
    with pytest.raises(ValidationError) as err:
        programmes.plan(world["programme"], late)
    assert err.value.code == "no_dates"


DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"pass": ' + '{"a": ' * 1000 + '1' + '}' * 1000 + '}'


@pytest.mark.parametrize("path", ["/api/sessions/{sid}/checkins", "/api/sessions/{sid}/checkins/batch"])
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, '{"pass": "\\ud800"}', '{"pass": "\\udfff"}',
                                  '{"pass": "\\ud800x"}', '{"\\ud800": 1, "pass": "x"}',
                                  '{"checkins": [{"pass": "\\ud800"}]}', '{"checkins": [{"pass": "a", "client_ref": '
                                                                          '"\\udbff\\udbff-12345678"}]}'])
def test_unusable_json_is_invalid_json(client, login_as, world, path, body):
    login_as(world["worker"])
    response = client.post(path.format(sid=world["session"].id), data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_json"
    assert response.json["error"]["message"]


def test_paired_surrogates_are_text_and_still_work(client, login_as, world):
    login_as(world["worker"])
    response = client.post(f"/api/sessions/{world['session'].id}/checkins", data='{"pass": "\\ud83d\\ude00"}',
                           content_type="application/json")
    assert response.status_code == 200 and response.json["code"] == "unknown_pass"


@pytest.mark.parametrize("target", ["/%0A", "/%0D%0ALocation:%20//evil.example", "/%00", "//[", "/\u2028x"])
def test_a_next_address_with_control_characters_goes_to_the_landing_page(client, login_as, world, target):
    login_as(world["guardian"])
    response = client.get(f"/login?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/family")


# ------------------------------------------------------------------ size limit

MB = 1024 * 1024


def test_a_body_over_the_limit_is_413_as_json_on_the_api(client, login_as, world):
    login_as(world["worker"])
    body = json.dumps({"pass": "x" * (2 * MB)})
    response = client.post(f"/api/sessions/{world['session'].id}/checkins", data=body,
                           content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"] == {"code": "payload_too_large",
                                      "message": "This site takes at most 1 MB in one request."}


def test_a_form_over_the_limit_is_413_as_a_page(client):
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * (2 * MB)})
    assert response.status_code == 413
    html = _text(response)
    assert "That was too large to send" in html and "at most 1 MB" in html


def test_a_batch_of_200_scans_fits_well_under_the_limit(client, login_as, world):
    login_as(world["worker"])
    item = {"pass": "https://outreach.example.org/p/" + "x" * 260, "client_ref": "r" * 64, "offline": True}
    body = json.dumps({"checkins": [item] * 200})
    assert len(body) < MB / 4
    response = client.post(f"/api/sessions/{world['session'].id}/checkins/batch", data=body,
                           content_type="application/json")
    assert response.status_code == 200


def _send_big_body(url, path, *, chunked, total=10 * MB, at_most=3 * MB,
                   content_type="application/x-www-form-urlencoded"):
    """Announce a `total`-byte POST through a real socket but send no more than `at_most` of it,
    then wait for the answer with the rest of the body never coming.

    Returns (status line, bytes sent). A server that waited to read the whole body would never
    answer, so any answer at all shows it refused the body after reading about the limit. (The
    bytes sent before the answer are no measure of that: loopback sockets buffer tens of MB
    here, tcp_rmem's ceiling being 32 MB.)"""
    host, port = url.removeprefix("http://").split(":")
    conn = socket.create_connection((host, int(port)), timeout=10)
    head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Type: {content_type}", "Connection: close"]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}")
    conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    conn.setblocking(False)
    block = b"a=" + b"x" * (64 * 1024 - 2)
    sent, answer, deadline = 0, b"", time.monotonic() + 20
    try:
        while time.monotonic() < deadline and b"\r\n" not in answer:
            try:
                more = conn.recv(65536)
                if not more:
                    break
                answer += more
                continue
            except BlockingIOError:
                pass
            except ConnectionResetError:
                break
            if sent + len(block) <= at_most:
                piece = (f"{len(block):x}\r\n".encode() + block + b"\r\n") if chunked else block
                try:
                    conn.send(piece)  # non-blocking; a full socket buffer means the server is not reading
                    sent += len(block)
                except BlockingIOError:
                    time.sleep(0.005)
                except (BrokenPipeError, ConnectionResetError):
                    break
            else:
                time.sleep(0.005)  # the rest of the body never comes: only a server that stopped reading answers
    finally:
        conn.close()
    return answer.split(b"\r\n", 1)[0].decode(), sent


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("path, kind", [("/login", "application/x-www-form-urlencoded"),
                                        ("/signup", "application/x-www-form-urlencoded"),
                                        ("/api/sessions/1/checkins", "application/json")])
def test_a_10_mb_body_on_a_live_server_is_refused_before_it_is_read(live_server, path, kind, chunked):
    status, sent = _send_big_body(live_server.url, path, chunked=chunked, content_type=kind)
    assert status.startswith("HTTP/1.1 "), f"no answer while the body was unfinished ({sent} bytes sent): {status!r}"
    if path.startswith("/api/"):
        # Signed out: 401 without reading the body; signed in it would be the 413 above.
        assert status.split()[1] in ("401", "413"), status
    else:
        assert status.split()[1] == "413", status
    # It answered with 7 of the announced 10 MB never sent: it did not wait to read the whole body.
    assert sent <= 3 * MB


def test_a_10_mb_json_body_from_a_signed_in_worker_is_413_on_a_live_server(live_server):
    from tests.concurrency.helpers import session_cookie
    from tests.factories import make_org, make_programme, make_session, make_user

    with live_server.app.app_context():
        worker = make_user("big-body@example.org")
        org = make_org(worker=worker, lead=make_user())
        session = make_session(make_programme(org, registration_mode="drop_in"))
        _db.session.commit()
        cookie, path = session_cookie(live_server.app, worker), f"/api/sessions/{session.id}/checkins"
    host, port = live_server.url.removeprefix("http://").split(":")
    conn = socket.create_connection((host, int(port)), timeout=10)
    total = 10 * MB
    conn.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                  f"Cookie: {cookie}\r\nContent-Length: {total}\r\nConnection: close\r\n\r\n").encode())
    conn.settimeout(5)
    first = conn.recv(65536)  # nothing of the body sent yet: the answer comes from the headers alone
    conn.close()
    assert first.startswith(b"HTTP/1.1 413"), first[:200]
    assert b'"payload_too_large"' in first or b"Transfer-Encoding" in first or b"Content-Length" in first


def test_every_date_field_of_every_form_is_the_bounded_one():
    """wtforms' own DateField takes 9999-12-31 and 0001-01-01; outreach.web.forms.DateField does not."""
    import importlib
    import pkgutil

    import wtforms
    from wtforms.fields.core import UnboundField

    import outreach.web
    from outreach.web.forms import DateField, DateTimeLocalField

    plain = []
    for area in pkgutil.iter_modules(outreach.web.__path__):
        try:
            module = importlib.import_module(f"outreach.web.{area.name}.forms")
        except ModuleNotFoundError:
            continue
        for cls in vars(module).values():
            if isinstance(cls, type) and issubclass(cls, wtforms.Form):
                for name in dir(cls):
                    field = getattr(cls, name)
                    if isinstance(field, UnboundField) and issubclass(field.field_class, (wtforms.DateField,
                                                                                           wtforms.DateTimeField)) \
                            and not issubclass(field.field_class, (DateField, DateTimeLocalField, wtforms.TimeField)):
                        plain.append(f"{module.__name__}.{cls.__name__}.{name}")
    assert plain == []


@pytest.mark.parametrize("day", ["1900-01-01", "2200-12-31"])
def test_the_first_and_last_dates_taken_work_everywhere(client, login_as, world, day):
    """The bounds themselves reach the timezone conversions and day arithmetic without breaking."""
    slug, pid = world["org"].slug, world["programme"].id
    login_as(world["lead"])
    for url in (f"/activities?on={day}", f"/org/{slug}/evaluation?start={day}&end={day}",
                f"/org/{slug}/evaluation/programmes/{pid}?start={day}&end={day}",
                f"/org/{slug}/evaluation/report?start={day}&end={day}"):
        response = client.get(url)
        assert response.status_code == 200 and DATE_MESSAGE not in _text(response), url
    for key in ("headcounts", "funder_return", "evaluator_dataset"):
        response = client.post(f"/org/{slug}/exports/{key}", data={"start": day, "end": day, "format": "csv"})
        assert response.status_code == 200, key
        assert response.get_data()  # streamed: read to the end, as a download would be
        response.close()
    response = client.post(f"/org/{slug}/programmes/{pid}/sessions/generate", data={
        "weekday": "4", "start": "18:00", "end": "20:00", "first_date": day, "last_date": day, "skip_dates": ""})
    assert response.status_code == 200
