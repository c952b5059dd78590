"""One JSON line per request, for the operator: what was asked, how it went, how long it took.

No personal data: the route's pattern is logged, never the path (pass secrets
and reset tokens live in paths), and no query string, address, user or body.
"""
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_LOGGER = "outreach.request"


def _route() -> str:
    # `/p/<secret>` rather than the secret itself; unmatched paths are not echoed.
    return request.url_rule.rule if request.url_rule is not None else "(no route)"


def _handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter("{asctime}{levelname}{name}{message}", style="{",
                                       rename_fields={"asctime": "time", "levelname": "level"}))
    return handler


class App(Flask):
    def log_exception(self, exc_info):
        # Flask's own message names the path; ours names the route pattern instead.
        self.logger.error("unhandled exception", exc_info=exc_info,
                          extra={"method": request.method, "route": _route(), "request_id": g.get("request_id")})


class _NoRequestLines(logging.Filter):
    """Drops any development-server message that echoes a request line ("GET /p/<secret> ...")."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _REQUEST_LINE.search(record.getMessage())


_REQUEST_LINE = re.compile(r"\b(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|CONNECT|TRACE) /")


def quiet_development_server() -> None:
    """Silence Werkzeug's own request log (`make run`, `flask run`, the test suite's live server).

    It prints every request's full path, and pass secrets and reset links live in paths; the
    app's request line (below) names the route pattern instead. Warnings and errors still show,
    less any that would echo a request line (a malformed request is quoted in full)."""
    werkzeug = logging.getLogger("werkzeug")
    werkzeug.setLevel(logging.WARNING)
    if not any(isinstance(f, _NoRequestLines) for f in werkzeug.filters):
        werkzeug.addFilter(_NoRequestLines())


def init_app(app: Flask):
    app.logger.handlers[:] = [_handler()]
    app.logger.setLevel(logging.INFO)
    quiet_development_server()
    if not app.config["REQUEST_LOG"]:
        return
    log = logging.getLogger(REQUEST_LOGGER)
    log.handlers[:] = [_handler()]  # one app per process; the newest app's stream wins
    log.setLevel(logging.INFO)
    log.propagate = False

    @app.before_request
    def _start():
        g.request_started = time.perf_counter()
        # The proxy's id when it sends one, so its log and ours can be matched.
        g.request_id = (request.headers.get("X-Request-ID") or "")[:64] or uuid.uuid4().hex

    @app.after_request
    def _log(response):
        started = g.get("request_started")
        log.info("request", extra={
            "method": request.method,
            "route": _route(),
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "bytes": response.content_length,
            "request_id": g.get("request_id"),
        })
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
