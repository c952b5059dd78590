"""schemathesis generates requests from docs/openapi.yaml and sends them to a live server,
signed in as a worker of the organisation: no 500, and every answer matches the document
(status codes, content type, body schema)."""
from datetime import datetime, timedelta

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from outreach.extensions import db
from outreach.services import passes
from outreach.timeutil import UTC
from tests.factories import PASSWORD, make_org, make_programme, make_session, make_user, make_young_person
from tests.web.test_openapi import SPEC
from tests.web.test_fuzz import PROFILE

schema = schemathesis.openapi.from_path(str(SPEC))
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)


@pytest.fixture()
def door(live_server):
    """A session happening now with a booked young person, and a signed-in worker's HTTP session."""
    with live_server.app.app_context():
        worker = make_user("worker@api.example.org")
        org = make_org("API Club", lead=make_user(), worker=worker)
        session = make_session(make_programme(org, registration_mode="drop_in"),
                               starts_at=datetime.now(UTC) - timedelta(minutes=20), hours=3)
        yp = make_young_person("Api")
        passes.ensure_pass(yp)
        db.session.commit()
        session_id = session.id
    http = requests.Session()
    signed_in = http.post(live_server.url + "/login", data={"email": "worker@api.example.org", "password": PASSWORD},
                          allow_redirects=False)
    assert signed_in.status_code == 302
    return {"url": live_server.url, "http": http, "session_id": session_id}


@schema.parametrize()
@settings(max_examples=60 if PROFILE == "long" else 15, deadline=None, derandomize=PROFILE != "long",
          database=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_openapi_document(case, door):
    # Half the time the real session, so bodies reach the check-in rules, not only the 404.
    given = (case.path_parameters or {}).get("session_id")
    if isinstance(given, int) and given % 2 == 0:
        case.path_parameters["session_id"] = door["session_id"]
    response = case.call(base_url=door["url"], session=door["http"])
    case.validate_response(response, checks=CHECKS)
