"""File names made from people's and programmes' names: safe on every system and in a header.

`name_slug("Zoë O'Brien")` is "zoë-o-brien": letters and digits of any script, lower
case, everything else (quotes, slashes, spaces, control characters) one hyphen.
`ascii_name("zoë-o-brien-pass.png")` is "zoe-o-brien-pass.png", for the plain
`filename=` of a Content-Disposition header (RFC 6266), whose `filename*` carries the
full name (RFC 5987).
"""
import re
import unicodedata

_NOT_WORD = re.compile(r"-{2,}")
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def name_slug(text: str, limit: int = 40) -> str:
    """Letters, marks and digits of `text` (any script), lower case, the rest as single hyphens."""
    text = unicodedata.normalize("NFC", text or "")
    chars = [ch if unicodedata.category(ch)[0] in "LMN" else "-" for ch in text.lower()]
    slug = _NOT_WORD.sub("-", "".join(chars)).strip("-")
    return slug[:limit].strip("-")


def ascii_name(filename: str, fallback: str) -> str:
    """The file name in plain ASCII (accents dropped, other scripts left out), or `fallback`
    when nothing is left of it but its ending."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    plain = _NOT_ASCII_SAFE.sub("-", plain)
    plain = re.sub(r"[-_]*_[-_]*", "_", plain)  # an underscore between parts wins over hyphens
    plain = re.sub(r"-{2,}", "-", plain)
    plain = re.sub(r"^[-_]+|[-_]+(?=\.[^.]*$)", "", plain)  # none at the start or before the ending
    return plain if plain.rsplit(".", 1)[0] else fallback
