"""docs/openapi.yaml describes the API the app actually serves."""
import re
from pathlib import Path

import yaml

SPEC = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def test_every_api_route_is_documented_and_nothing_more(app):
    spec = yaml.safe_load(SPEC.read_text())
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            served |= {(path, m) for m in rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"}}
    assert documented == served


def test_documented_codes_include_every_outcome_the_service_gives():
    import inspect

    from outreach.services import checkin

    spec = yaml.safe_load(SPEC.read_text())
    documented = set(spec["components"]["schemas"]["CheckinResult"]["properties"]["code"]["enum"])
    source = inspect.getsource(checkin)
    given = set(re.findall(r'CheckinResult\((?:OK|WARN|ERROR), "([a-z_]+)"', source))
    # The amber booking outcomes are returned through a variable (`status`), not a literal.
    given |= {"waitlisted", "other_session", "not_booked"}
    assert given and given <= documented


def test_the_request_errors_the_app_gives_are_documented():
    """413 on every POST (any body over MAX_REQUEST_BYTES), and the codes of the body checks."""
    import inspect

    from outreach import errors, request_body
    from outreach.web.api import routes

    spec = yaml.safe_load(SPEC.read_text())
    for path, ops in spec["paths"].items():
        if "post" in ops:
            assert "413" in ops["post"]["responses"], f"POST {path} does not document 413"
        for method, op in ops.items():
            if op.get("requestBody"):
                assert "400" in op["responses"], f"{method.upper()} {path} takes a body but documents no 400"
    documented = set(spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["examples"])
    given = set(re.findall(r'code="([a-z_]+)"', inspect.getsource(request_body) + inspect.getsource(routes)))
    given |= set(re.findall(r'code, message = "([a-z_]+)"', inspect.getsource(errors)))
    assert {"invalid_json", "payload_too_large", "invalid_batch"} <= given
    assert given <= documented, given - documented
