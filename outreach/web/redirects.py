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
