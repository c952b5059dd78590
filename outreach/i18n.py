"""Languages: which one a page, an email or a text is in, and formatting dates for it.

Families read Outreach in English (UK), Polish, Urdu or Arabic (the catalogues are in
outreach/translations/; `make messages` and `make translations` are the pybabel workflow). A visitor's
language comes from their browser until they choose one with the switcher; an account keeps
the one chosen; each email and text is rendered in its recipient's language (`in_language`).
"""
import os
from contextlib import contextmanager
from dataclasses import dataclass

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import g, has_request_context, request
from flask_babel import Babel, force_locale, get_locale
from flask_login import current_user


@dataclass(frozen=True)
class Language:
    code: str  # the catalogue's folder in translations/ and the value kept on an account
    name: str  # in the language itself, as the switcher shows it
    tag: str  # for <html lang> and hreflang (BCP 47)
    rtl: bool = False


# English first: the fallback for anything not translated (and the source language).
LANGUAGES = {
    "en_GB": Language("en_GB", "English", "en-GB"),
    "pl": Language("pl", "Polski", "pl"),
    "ur": Language("ur", "اردو", "ur", rtl=True),
    "ar": Language("ar", "العربية", "ar", rtl=True),
}
DEFAULT = "en_GB"
TRANSLATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations")
COOKIE = "language"

babel = Babel()

# The pages whose words are translated: a family's and a young person's, and the door scanner's.
# The others are staff pages in English: their content reads left to right whatever the reader's
# language (the site's frame around them still follows it).
TRANSLATED_BLUEPRINTS = {"main", "auth", "catalogue", "family", "texts"}
TRANSLATED_ENDPOINTS = {"feedback.answer", "checkin.scan", "checkin.offline"}
ENGLISH_ENDPOINTS = {"texts.org_messages"}


def known(code: str | None) -> str | None:
    """`code` when it is a shipped language ("pl", "en_GB"; "en" and "en-GB" count as English)."""
    if not code:
        return None
    code = code.replace("-", "_")
    if code in LANGUAGES:
        return code
    base = code.split("_")[0].lower()
    if base == "en":
        return DEFAULT
    return base if base in LANGUAGES else None


def _select_locale() -> str:
    """The account's language, else the one chosen on this browser, else the browser's own."""
    if not has_request_context():
        return DEFAULT  # the worker and the CLI: in_language() chooses per recipient
    # Loading the signed-in user can itself need a language (a session that lasted too long is
    # ended with a translated message): that inner question gets the browser's answer.
    if not g.get("_outreach_choosing_language"):
        g._outreach_choosing_language = True
        try:
            user = current_user if current_user and current_user.is_authenticated else None
        finally:
            g._outreach_choosing_language = False
        if user is not None and known(user.language):
            return known(user.language)
    cookie = known(request.cookies.get(COOKIE))
    if cookie:
        return cookie
    best = request.accept_languages.best_match(
        ["en-GB", "en"] + [lang.tag for lang in LANGUAGES.values() if lang.code != DEFAULT])
    return known(best) or DEFAULT


def current() -> Language:
    return LANGUAGES.get(str(get_locale() or DEFAULT), LANGUAGES[DEFAULT])


@contextmanager
def in_language(code: str | None):
    """Render inside this block in `code` (an account's language; English when it has none)."""
    code = known(code) or DEFAULT
    with force_locale(code):
        yield LANGUAGES[code]


# Template formats (strftime, as the English pages have always printed them) and the CLDR
# pattern that says the same in another language: Polish month names in the genitive, Urdu and
# Arabic in their own order. English keeps strftime so its pages read exactly as before.
_PATTERNS = {
    "%a %-d %b %Y, %H:%M": "EEE d MMM y, HH:mm",
    "%H:%M": "HH:mm",
    "%a %-d %b %Y": "EEE d MMM y",
    "%a %-d %b at %H:%M": "EEE d MMM, HH:mm",
    "%A %-d %B at %H:%M": "EEEE d MMMM, HH:mm",
    "%A %-d %B": "EEEE d MMMM",
    "%a %-d %b": "EEE d MMM",
    "%-d %b %Y": "d MMM y",
    "%-d %B %Y": "d MMMM y",
    "%-d %b": "d MMM",
    "%B %Y": "LLLL y",
    "%b %Y": "LLL y",
    "%Y-%m": "y-MM",
    "%A": "EEEE",
}


def format_moment(moment, fmt: str) -> str:
    """A local datetime (or date) in the page's language."""
    lang = current()
    if lang.code == DEFAULT or fmt not in _PATTERNS:
        return moment.strftime(fmt)
    pattern = _PATTERNS[fmt]
    locale = Locale.parse(lang.code)
    if hasattr(moment, "hour"):
        return format_datetime(moment, pattern, locale=locale)
    return format_date(moment, pattern, locale=locale)


def format_number(value) -> str:
    lang = current()
    if lang.code == DEFAULT:
        return f"{value:,}" if isinstance(value, int) else str(value)
    return format_decimal(value, locale=Locale.parse(lang.code))


def init_app(app):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    folder = app.config.setdefault("TRANSLATIONS_DIR", TRANSLATIONS_DIR)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", folder)
    try:
        compile_catalogues(folder)
    except OSError as err:  # a read-only deployment: it must ship the .mo files (make translations)
        app.logger.warning("could not compile the translations: %s", err)
    # Flask-Babel also puts _(), gettext and ngettext (and {% trans %}) into the templates.
    babel.init_app(app, locale_selector=_select_locale)

    @app.context_processor
    def language_context():
        language = current()
        return {"language": language, "languages": LANGUAGES.values(),
                "content_language": language if _translated_page() else LANGUAGES[DEFAULT]}


def _translated_page() -> bool:
    """Whether this request's page has its words translated (error pages and mail are)."""
    if not has_request_context() or request.endpoint is None:
        return True
    endpoint = request.endpoint
    if endpoint in ENGLISH_ENDPOINTS:
        return False
    return endpoint in TRANSLATED_ENDPOINTS or endpoint.split(".")[0] in TRANSLATED_BLUEPRINTS


def compile_catalogues(folder: str) -> list[str]:
    """Compile each translations/<code>/LC_MESSAGES/messages.po whose .mo is missing or older, so a
    fresh clone or a deployment serves every language without a separate step (`make translations`
    does the same with pybabel). Written beside and renamed: gunicorn workers start together."""
    import tempfile

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for code in LANGUAGES:
        po = os.path.join(folder, code, "LC_MESSAGES", "messages.po")
        mo = po[:-2] + "mo"
        if not os.path.exists(po) or (os.path.exists(mo) and os.path.getmtime(mo) >= os.path.getmtime(po)):
            continue
        with open(po, "rb") as f:
            catalogue = read_po(f, locale=code)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(po), suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalogue, use_fuzzy=False)
        os.replace(tmp, mo)
        compiled.append(code)
    return compiled
