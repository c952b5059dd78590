"""Numbers taken from URLs and query strings, bounded to what the database can hold.

An id like 10**30 would otherwise reach the database, where SQLite raises an
OverflowError and PostgreSQL a numeric error: a 500 instead of a 404. The
primary keys are INTEGER columns, which PostgreSQL keeps in 32 bits. Page
numbers are bounded the same way (extensions.Database.paginate reads them here).
"""
import re

from werkzeug.exceptions import NotFound
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


_PAGE = re.compile(r"[0-9]{1,10}")


def page_number(value: str | None) -> int:
    """The list page a `?page=` asks for: 1 when absent, else a page number or a 404.

    0, -1, "two", " 1" or 10**20 name no page of any list; an unbounded number would
    become an OFFSET the database cannot hold (SQLite raises OverflowError: a 500).
    """
    if value is None or value == "":
        return 1
    if not _PAGE.fullmatch(value) or not 1 <= int(value) <= MAX_ID:
        raise NotFound("There is no such page of this list.")
    return int(value)
