"""Numbers taken from URLs and query strings, bounded to what the database can hold.

An id like 10**30 would otherwise reach the database, where SQLite raises an
OverflowError and PostgreSQL a numeric error: a 500 instead of a 404. The
primary keys are INTEGER columns, which PostgreSQL keeps in 32 bits.
"""
from werkzeug.routing import IntegerConverter

MAX_ID = 2 ** 31 - 1


def row_id(value: str) -> int:
    """For `request.args.get(..., type=row_id)`: a positive id, else ValueError (the default is used)."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError("not a row id")
    return number


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: numbers beyond any id are not a match (404)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
