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
    400: ("Something in that request was not right", "Go back and check what you entered."),
    403: ("You can't open this page", "It belongs to another organisation or needs a different role."),
    404: ("Page not found", "The link may be old, or the item was removed."),
    405: ("That action isn't available here", "Go back and try again from the page."),
    413: ("That was too large to send", "Try again with less text or a smaller file."),
    429: ("Too many attempts", "Please wait a few minutes and try again."),
    500: ("Something went wrong on our side",
          "Please try again in a few minutes. If you were sending a form, check afterwards whether it was saved."),
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
    return render_template("errors/error.html", status=status, title=title,
                           message=message, hint=hint), status


def _too_large_message() -> str:
    from flask import current_app

    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    size = f"{limit / 1048576:g} MB" if limit >= 1048576 else f"{limit // 1024} kB"
    return f"This site takes at most {size} in one request."


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def domain_error(err):
        # JSON keeps the English (clients match on it); a page says it in the reader's language.
        return _render(err.status, err.code, err.message if wants_json() else err.translated(),
                       generic_hint=False)

    @app.errorhandler(HTTPException)
    def http_error(err):
        code = (err.name or "error").lower().replace(" ", "_")
        message = err.description if err.code == 429 else None
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
        page = current_app.jinja_env.get_template("errors/server_error.html").render(
            status=500, title=title, hint=hint, url_for=url_for)
    except Exception:  # noqa: BLE001 - the answer must still be a page
        current_app.logger.exception("the error page could not be rendered")
        page = PLAIN_500
    return Response(page, status=500, mimetype="text/html")
