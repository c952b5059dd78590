"""The two date calculations SQLite and PostgreSQL spell differently."""
from sqlalchemy import Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class hours_between(FunctionElement):
    """Hours from the first timestamp to the second, as a float."""
    type = Float()
    inherit_cache = True
    name = "hours_between"


@compiles(hours_between)
def _hours_pg(element, compiler, **kw):
    start, end = list(element.clauses)
    # date_part gives a float; EXTRACT gives NUMERIC since PostgreSQL 14, and summing
    # numerics over a million attendances took a second.
    return f"(date_part('epoch', {compiler.process(end, **kw)} - {compiler.process(start, **kw)}) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 24.0)"


class month_of(FunctionElement):
    """'YYYY-MM' of a timestamp (UTC)."""
    type = String()
    inherit_cache = True
    name = "month_of"


@compiles(month_of)
def _month_pg(element, compiler, **kw):
    (moment,) = list(element.clauses)
    return f"to_char({compiler.process(moment, **kw)}, 'YYYY-MM')"


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    (moment,) = list(element.clauses)
    return f"strftime('%Y-%m', {compiler.process(moment, **kw)})"
