import pytest

from outreach import i18n
from tests.i18n import pseudo


@pytest.fixture()
def pseudo_language(monkeypatch):
    """The pseudo-language offered for this test (tests/i18n/pseudo.py): a client that chooses it
    with the cookie the switcher sets, or an account with `user.language = pseudo.CODE`."""
    monkeypatch.setitem(i18n.LANGUAGES, pseudo.CODE, i18n.Language(pseudo.CODE, "Pseudo", pseudo.CODE))
    return pseudo.CODE


@pytest.fixture()
def pseudo_client(client, pseudo_language):
    client.set_cookie(i18n.COOKIE, pseudo_language, domain="localhost")
    return client


def assert_translated(response, what=""):
    """Fail with every untranslated word on the page (its element and text)."""
    assert response.status_code < 400 or what == "error page", (what, response.status_code)
    left = pseudo.unmarked(response.get_data(as_text=True))
    assert not left, f"{what or response.request.path}: words not marked for translation:\n" + "\n".join(left)
