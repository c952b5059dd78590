"""Where to send someone after signing in: only ever back into this site."""
from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    # A path on this site only: no scheme, no host, no "//evil.example" or "/\evil".
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    return target
