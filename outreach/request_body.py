"""What the app takes from a request body: JSON it can store, and no more than MAX_REQUEST_BYTES.

Python's json module parses input no part of the app can use: arrays nested a
thousand deep (RecursionError, a 500) and strings holding half of a UTF-16
surrogate pair ("\\ud800"), which parse to a Python str that cannot be encoded
to UTF-8 and so fails at the database (a 500). Both are refused here, for every
`request.get_json()` in the app, as 400 {"error": {"code": "invalid_json"}}.

The size of every body is capped by Flask's MAX_CONTENT_LENGTH (config
MAX_REQUEST_BYTES): Werkzeug answers 413 from the Content-Length alone, and stops
reading a chunked body at the limit, so no worker reads a huge body whole.
"""
import re

from flask import Request, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import LimitedStream

from .errors import ValidationError

MAX_JSON_DEPTH = 32
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class UnusableJSON(ValueError):
    """Valid JSON syntax the app can't take. A ValueError, so Werkzeug treats it as bad JSON."""


def check_json(value, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise UnusableJSON if `value` nests deeper than max_depth or holds a lone surrogate (keys too)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            # A surrogate left in a str is always unpaired: json joins pairs into one character.
            if _SURROGATE.search(item):
                raise UnusableJSON("The JSON holds text that is not valid Unicode (an unpaired surrogate such "
                                   "as \\ud800).")
        elif isinstance(item, (list, dict)):
            if depth > max_depth:
                raise UnusableJSON(f"The JSON is nested more than {max_depth} levels deep.")
            children = list(item.items()) if isinstance(item, dict) else item
            for child in children:
                if isinstance(child, tuple):
                    stack.append((child[0], depth + 1))
                    stack.append((child[1], depth + 1))
                else:
                    stack.append((child, depth + 1))


class StrictJSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise UnusableJSON(f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.") from None
        check_json(value)
        return value


class AppRequest(Request):
    """Flask's request, refusing bodies it would otherwise cut short or fail on."""

    def _load_form_data(self):
        super()._load_form_data()
        if self._cut_at_limit():
            self.__dict__["form"] = self.__dict__["files"] = ImmutableMultiDict()
            raise RequestEntityTooLarge()

    def get_data(self, *args, **kwargs):
        data = super().get_data(*args, **kwargs)
        if self._cut_at_limit():
            self._cached_data = b""
            raise RequestEntityTooLarge()
        return data

    def _cut_at_limit(self) -> bool:
        """A chunked body (no Content-Length) read up to MAX_CONTENT_LENGTH and not beyond.

        Werkzeug then hands over the first MAX_CONTENT_LENGTH bytes as if they were the whole
        body: a form would be saved cut short. A body of exactly the limit is refused too."""
        stream = self.__dict__.get("stream")
        return self.content_length is None and isinstance(stream, LimitedStream) and stream.is_exhausted

    def on_json_loading_failed(self, e):
        """A body `get_json()` can't use is the client's mistake, answered as invalid_json (never a 500)."""
        if e is None:
            raise ValidationError("Send a JSON body with Content-Type: application/json.", code="invalid_json")
        message = str(e) if isinstance(e, UnusableJSON) else "The body is not valid JSON."
        raise ValidationError(message, code="invalid_json")


def init_app(app) -> None:
    app.request_class = AppRequest
    app.json = StrictJSONProvider(app)

    @app.before_request
    def _refuse_large_bodies():
        # Werkzeug would refuse the body only when a route reads it; a route that answers without
        # reading (a page for signed-out visitors) would leave a 100 MB upload for the server to drain.
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()
