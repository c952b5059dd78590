"""Domain errors with stable codes, and the HTML/JSON error pages.

Services raise DomainError kinds; routes map them to a flash, a field error or
a JSON body `{"error": {"code": ..., "message": ...}}`.
"""
from flask import Response, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from .extensions import db


def N_(message: str) -> str:
    """Marks a message for translation where it is written (a service, which knows nothing of
    the reader); the page that shows it translates it (DomainError.translated)."""
    return message


class Day:
    """A date (or time) inside a message's params, written in the reader's language when the
    page translates the message (`%-d %B %Y` is "12 March 2027" in English, "12 marca 2027" in
    Polish), and in English in `message`, logs and JSON."""

    def __init__(self, value, fmt: str = "%-d %B %Y"):
        self.value, self.fmt = value, fmt

    def __str__(self):
        from .i18n import format_moment

        return format_moment(self.value, self.fmt)

    def english(self) -> str:
        return self.value.strftime(self.fmt)


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, code: str | None = None, field: str | None = None, **params):
        # `message` may hold %(name)s placeholders filled from `params`: the page translates the
        # message first, then fills them in (a name or a date inside an Urdu sentence).
        self.msgid = message
        self.params = params
        english = {k: v.english() if isinstance(v, Day) else v for k, v in params.items()}
        self.message = message % english if params else message
        super().__init__(self.message)
        if code:
            self.code = code
        # The form field the message belongs next to, when there is one.
        self.field = field

    def translated(self) -> str:
        """The message in the reader's language (English when it was never marked with N_)."""
        from flask_babel import gettext

        return gettext(self.msgid, **self.params)


class NotFoundError(DomainError):
    code = "not_found"
    status = 404


class PermissionDeniedError(DomainError):
    code = "forbidden"
    status = 403


class ValidationError(DomainError):
    code = "invalid"
    status = 400


class ConflictError(DomainError):
    code = "conflict"
    status = 409


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


MESSAGES = {
    400: (N_("Something in that request was not right"), N_("Go back and check what you entered.")),
    403: (N_("You can't open this page"), N_("It belongs to another organisation or needs a different role.")),
    404: (N_("Page not found"), N_("The link may be old, or the item was removed.")),
    405: (N_("That action isn't available here"), N_("Go back and try again from the page.")),
    413: (N_("That was too large to send"), N_("Try again with less text or a smaller file.")),
    429: (N_("Too many attempts"), N_("Please wait a few minutes and try again.")),
    500: (N_("Something went wrong on our side"),
          N_("Please try again in a few minutes. If you were sending a form, check afterwards whether it was saved.")),
}

# The last resort when even the database-free error page cannot be rendered.
PLAIN_500 = ("<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<title>Something went wrong · Outreach</title></head><body><main>"
             "<h1>Something went wrong on our side</h1>"
             "<p>Please try again in a few minutes. If you were sending a form, check afterwards whether it was saved.</p>"
             "<p><a href=\"/\">Go to the start page</a></p></main></body></html>")


def _render(status: int, code: str, message: str | None = None, *, generic_hint=True):
    title, hint = MESSAGES.get(status, (message or "Error", ""))
    if not generic_hint:
        hint = ""  # a domain error's own message says what to do; the generic hint would contradict it
    if wants_json():
        return jsonify({"error": {"code": code, "message": message or title}}), status
    # JSON answers stay English (clients match on them); a page is in the reader's language.
    return render_template("errors/error.html", status=status, title=_translate(title),
                           message=message, hint=_translate(hint)), status


def _in_english() -> bool:
    from . import i18n

    return i18n.current().code == i18n.DEFAULT


def _translate(text: str) -> str:
    from flask_babel import gettext

    return gettext(text) if text else text


def _too_large_message() -> str:
    from flask import current_app
    from flask_babel import gettext

    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    size = f"{limit / 1048576:g} MB" if limit >= 1048576 else f"{limit // 1024} kB"
    message = N_("This site takes at most %(size)s in one request.")
    return message % {"size": size} if wants_json() else gettext(message, size=size)


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def domain_error(err):
        # JSON keeps the English (clients match on it); a page says it in the reader's language.
        return _render(err.status, err.code, err.message if wants_json() else err.translated(),
                       generic_hint=False)

    @app.errorhandler(HTTPException)
    def http_error(err):
        code = (err.name or "error").lower().replace(" ", "_")
        # The limiter says which limit ("3 per 1 hour") in English only: a page in another language
        # gives just the translated title and hint.
        message = err.description if err.code == 429 and (wants_json() or _in_english()) else None
        if err.code == 413:  # over MAX_REQUEST_BYTES (request_body.py)
            code, message = "payload_too_large", _too_large_message()
        return _render(err.code or 500, code, message)

    @app.errorhandler(500)
    def server_error(err):
        return _server_error()


def _server_error():
    """The 500 answer, made without the database: it is often the database that failed.

    base.html asks for the signed-in user and the menus, both queries, so the page is rendered
    from its own template without the app's template context; if even that fails, plain HTML."""
    title, hint = MESSAGES[500]
    try:
        # A failed commit leaves the session unusable until rolled back; nothing here reads
        # through it, but whatever runs after this response (teardown, the next request) may.
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database may be gone altogether
        pass
    if wants_json():
        return jsonify({"error": {"code": "server_error", "message": title}}), 500
    try:
        page = _server_error_page(title, hint)
    except Exception:  # noqa: BLE001 - the answer must still be a page
        current_app.logger.exception("the error page could not be rendered")
        page = PLAIN_500
    return Response(page, status=500, mimetype="text/html")


def _server_error_page(title: str, hint: str) -> str:
    """errors/server_error.html in the reader's language when it can be known without the
    database (the account's language needs the signed-in user, already loaded by then or not)."""
    from contextlib import nullcontext

    from flask_babel import force_locale, gettext

    from . import i18n

    try:
        language, keep = i18n.current(), nullcontext()
    except Exception:  # noqa: BLE001 - choosing the language asked the database, which failed
        language, keep = i18n.LANGUAGES[i18n.DEFAULT], force_locale(i18n.DEFAULT)
    with keep:
        # The app's context processors are left out (they may query): the page gets what it uses.
        return current_app.jinja_env.get_template("errors/server_error.html").render(
            status=500, title=gettext(title), hint=gettext(hint), url_for=url_for, language=language)
