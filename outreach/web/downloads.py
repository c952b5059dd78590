"""The Content-Disposition header of a download named after a person or a programme."""
from urllib.parse import quote

from ..filenames import ascii_name


def content_disposition(filename: str, *, fallback: str, inline: bool = False) -> str:
    """RFC 6266: `filename=` in plain ASCII for every client, and, when the name has more
    than ASCII in it, `filename*=UTF-8''…` (RFC 5987) with the whole name, which browsers
    prefer. `filename` must already be a safe name (see filenames.name_slug); anything
    outside ASCII letters, digits, dot, hyphen and underscore is percent-encoded anyway."""
    plain = ascii_name(filename, fallback)
    value = f'{"inline" if inline else "attachment"}; filename="{plain}"'
    if plain != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value
