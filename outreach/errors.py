"""Domain errors with stable codes, and the HTML/JSON error pages.

Services raise DomainError kinds; routes map them to a flash, a field error or
a JSON body `{"error": {"code": ..., "message": ...}}`.
"""
from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        # The form field the message belongs next to, when there is one.
        self.field = field


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
    500: ("Something went wrong on our side", "Nothing you entered was lost on purpose; please try again."),
}


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
        return _render(err.status, err.code, err.message, generic_hint=False)

    @app.errorhandler(HTTPException)
    def http_error(err):
        code = (err.name or "error").lower().replace(" ", "_")
        message = err.description if err.code == 429 else None
        if err.code == 413:  # over MAX_REQUEST_BYTES (request_body.py)
            code, message = "payload_too_large", _too_large_message()
        return _render(err.code or 500, code, message)

    @app.errorhandler(500)
    def server_error(err):
        return _render(500, "server_error")
