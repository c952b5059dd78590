"""Every form the app shows, filled with hostile values, never gets a 500.

Pages are found from the URL map and fetched as the people who use them; each
POST form on a page is submitted with its fields set to empty, oversized,
control-character, markup and impossible-date values.
"""
import pytest

from tests.web.site_map import Forms, fill, open_page, world  # noqa: F401  (world is a fixture)

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


@pytest.mark.parametrize("who", ["admin", "lead", "worker", "guardian", None])
def test_hostile_values_in_every_form_never_500(app, db, client, login_as, world, who):
    if who:
        login_as(world[who])
    submitted = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in ("static", "auth.logout"):
            continue
        url = fill(rule, world)
        if url is None:
            continue
        url, page = open_page(client, url)
        assert page.status_code != 500, f"GET {url}"
        if page.status_code != 200 or "html" not in (page.content_type or ""):
            continue
        parser = Forms()
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
