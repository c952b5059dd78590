"""Where to send someone after signing in: only ever back into this site."""
import re
from urllib.parse import urlsplit

# Control characters (a newline would split the Location header: Werkzeug refuses it with a 500),
# and Unicode's own line and paragraph separators.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MAX_LENGTH = 2000


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site that can stand in a Location header, else None."""
    if not target or len(target) > _MAX_LENGTH or _UNSAFE.search(target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:  # "//[" or "http://[": an unclosed IPv6 bracket
        return None
    # A path on this site only: no scheme, no host, no "//evil.example" or "/\evil".
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    return target



def with_query(path: str, **params) -> str:
    """`path` (already checked by safe_next) with `params` added to its query string, keeping
    what it had: the booking page a guardian came from, with the child just added chosen
    beside any chosen before (`?child=3&child=7`)."""
    from urllib.parse import parse_qsl, urlencode, urlunsplit

    parts = urlsplit(path)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    for key, value in params.items():
        if value is not None and (key, str(value)) not in pairs:
            pairs.append((key, str(value)))
    return urlunsplit(("", "", parts.path, urlencode(pairs), parts.fragment))
