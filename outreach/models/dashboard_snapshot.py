"""A dashboard's figures worked out ahead by the worker and kept, so the page opens at once
(issue 17, point 8). One row per default view: the platform, each organisation, each
programme, over "all sessions so far" and "this term".

`figures` is the dashboard-building function's whole result as tagged JSON
(services/dashboard_snapshots.py); `figures_version` says which code wrote it, so a deploy
that changes the figures makes old rows stale rather than wrong."""
from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of

SNAPSHOT_LEVELS = ("platform", "organisation", "programme")
SNAPSHOT_PERIODS = ("all", "term")


class DashboardSnapshot(db.Model):
    __tablename__ = "dashboard_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "platform:all", "organisation:3:term", "programme:17:all": the one name of a view.
    view_key: Mapped[str] = mapped_column(String(60), unique=True)
    level: Mapped[str] = mapped_column(String(15))
    # No foreign keys: a view of a deleted programme is simply never asked for again, and
    # the sweep drops it; a cascade would make every programme delete touch this table.
    organisation_id: Mapped[int | None] = mapped_column(Integer)
    programme_id: Mapped[int | None] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(10))
    # The local dates the figures cover (both included); none for "all sessions so far".
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    figures: Mapped[str | None] = mapped_column(Text)
    figures_version: Mapped[str | None] = mapped_column(String(64))
    # The moment the figures were worked out for (the metrics' as_of).
    as_of: Mapped[datetime | None] = mapped_column(UTCDateTime)
    took_ms: Mapped[int | None] = mapped_column(Integer)
    # The last data change seen for this view (rate-limited, see services/dashboard_snapshots.py);
    # newer than `covers_until` means the figures are out of date.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    covers_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Someone pressed "work out now" (or opened a view never worked out): the worker does it
    # next, without waiting for the few minutes between runs.
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        one_of("level", SNAPSHOT_LEVELS, "snapshot_level"),
        one_of("period", SNAPSHOT_PERIODS, "snapshot_period"),
    )
