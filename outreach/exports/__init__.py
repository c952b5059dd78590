"""Exports: one per module, registered here; written as CSV or XLSX by `writers`.

An export is a function `fn(ctx) -> Table`: a header and an iterator of rows read
from a streaming query, so memory stays flat however many rows there are. A table
whose rows come in runs that share their first cells (one participant's sessions)
may hand them over as `groups` instead, so those cells are checked and encoded once
per run rather than once per row.
Who may run each one is decided in `services/exports.py`; every run is audited.
"""
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from typing import Callable, Iterable

from ..metrics import MetricQuery, Scope, Settings
from ..metrics.base import Filters

REGISTRY: dict[str, "ExportSpec"] = {}
MODULES = ["session_register", "programme_matrix", "headcounts", "funder_return", "evaluator_dataset"]


@dataclass(frozen=True)
class ExportSpec:
    key: str
    title: str
    level: str          # "session", "programme" or "organisation": what it is run for
    description: str
    leaves_organisation: bool  # suppressed or pseudonymised: fit to send to a funder or evaluator
    fn: Callable


@dataclass
class ExportContext:
    organisation: object
    as_of: datetime
    settings: Settings = field(default_factory=Settings)
    pseudonym_key: bytes = b""
    programme: object = None
    session: object = None
    start: datetime | None = None
    end: datetime | None = None

    def metric_query(self) -> MetricQuery:
        """The metrics' view of this export: its programme (or whole organisation) and range."""
        scope = Scope(programme_id=self.programme.id) if self.programme else Scope(organisation_id=self.organisation.id)
        return MetricQuery(scope=scope, filters=Filters(start=self.start, end=self.end), settings=self.settings,
                           as_of=self.as_of)


@dataclass
class Table:
    filename: str
    header: list[str]
    rows: Iterable[list] = ()
    footnote: str | None = None
    # Indexes of the columns that can hold typed-in text, for the formula guard to check;
    # None checks every cell. Only for an export whose other columns it writes itself
    # (codes, fixed labels, dates, numbers), and whose rows are fresh lists. With
    # `groups`, the indexes count from the first cell after the shared ones.
    text_columns: tuple[int, ...] | None = None
    # (shared first cells, a list of their rows' remaining cells) per run, in place of
    # `rows`. The shared cells are always checked by the formula guard.
    groups: Iterable[tuple[list, list]] | None = None
    # Columns (by index in the full row) holding local dates, times or both, written by
    # the export as "2026-11-04", "18:02" or "2026-11-04 18:02": text in a CSV, real date
    # cells in an XLSX.
    date_columns: dict[int, str] = field(default_factory=dict)
    # Data rows (counted from 0) that start a new printed page in an XLSX: one table per page.
    page_breaks: tuple[int, ...] = ()
    title: str = ""  # what the export is, for a printed page's footer
    # Column index -> the width (in characters) past which an XLSX wraps that column's text,
    # where MAX_WIDTH would make the printed page too wide (a report with notes in many columns).
    wrap_widths: dict[int, int] = field(default_factory=dict)


def export(key: str, title: str, *, level: str, description: str, leaves_organisation: bool = False):
    def register(fn):
        REGISTRY[key] = ExportSpec(key, title, level, description, leaves_organisation, fn)
        return fn
    return register


for _name in MODULES:
    import_module(f"{__name__}.{_name}")
