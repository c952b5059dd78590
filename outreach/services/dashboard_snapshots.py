"""Dashboards worked out ahead and kept, so they open at once (issue 17, point 8).

Over a million attendances the platform dashboard takes seconds to work out. Its default
views — the platform, each organisation and each programme, over "all sessions so far" and
"this term" — are worked out by the worker (tasks.refresh_dashboards) a few minutes after
their data changed, and kept as JSON; the page opens from what is kept and says as of when.
Filtered views are worked out live, as before.

What is kept is whatever the dashboard-building function (`build`, passed in by the caller:
services know nothing of the web layer) returns, written by snapshot_json, so a section
added to the dashboard is kept with no change here. `figures_version` is a hash of the code
that makes the figures and of the settings they used: a deploy or a setting that changes
the figures makes every kept view stale (worked out again), never wrong.

When a view is out of date:
- a change to its data was committed: `note_changes` (called just before each commit, in
  its transaction, see outreach/dashboard_marks.py) sets the view's `changed_at`. It
  writes at most once every MARK_EVERY per view, so a busy door does not queue every
  check-in behind one hot row;
- a session in it ended since (it is "held" from then on, with nobody checked in or not);
- a new term started (for "this term"); the code or the settings changed.
The figures "cover" the data up to `covers_until`, MARGIN before the moment they were
worked out: a change flushed in a transaction that commits while the figures are worked
out is then still newer, so it is worked out again. (Only a transaction open longer than
MARGIN - MARK_EVERY could slip through; none here lasts seconds.)
"""
import hashlib
import logging
import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from . import snapshot_json
from ..extensions import db
from ..metrics import MetricQuery, Scope, Settings
from ..metrics.base import Filters
from ..models import DashboardSnapshot, Organisation, Programme, ProgrammeSession
from ..timeutil import local_to_utc, to_local

log = logging.getLogger(__name__)

# Bump when the way figures are stored changes (snapshot_json's tags); figure changes are
# picked up by the code hash below without anyone remembering to bump anything.
FORMAT = 1
MARK_EVERY = timedelta(seconds=30)
MARGIN = timedelta(seconds=60)
# "At most once every few minutes per view" (setting DASHBOARD_REFRESH_MINUTES).
DEFAULT_DEBOUNCE = timedelta(minutes=3)
# Terms start on these (month, day) local dates: the English school year's autumn, spring
# and summer terms, roughly (setting TERM_STARTS, "09-01,01-01,04-01").
DEFAULT_TERM_STARTS = ((1, 1), (4, 1), (9, 1))
PERIOD_TEXT = {"all": "All sessions held so far", "term": "This term"}


@dataclass(frozen=True)
class View:
    """One default view: whose figures (level and id) and over which period."""
    level: str
    id: int | None
    period: str

    @property
    def key(self) -> str:
        return f"{self.level}:{self.period}" if self.level == "platform" else f"{self.level}:{self.id}:{self.period}"

    @property
    def scope(self) -> Scope:
        return Scope(programme_id=self.id) if self.level == "programme" else \
            Scope(organisation_id=self.id) if self.level == "organisation" else Scope()

    @classmethod
    def of(cls, scope: Scope, period: str) -> "View":
        if scope.programme_id:
            return cls("programme", scope.programme_id, period)
        if scope.organisation_id:
            return cls("organisation", scope.organisation_id, period)
        return cls("platform", None, period)

    @classmethod
    def parse(cls, key: str) -> "View | None":
        parts = (key or "").split(":")
        if len(parts) == 2 and parts[0] == "platform" and parts[1] in PERIOD_TEXT:
            return cls("platform", None, parts[1])
        if len(parts) == 3 and parts[0] in ("organisation", "programme") and parts[1].isdigit() \
                and parts[2] in PERIOD_TEXT and 0 < int(parts[1]) < 2**31:
            return cls(parts[0], int(parts[1]), parts[2])
        return None


@dataclass(frozen=True)
class Options:
    """What the figures depend on besides the data: settings, terms, the home time zone."""
    settings: Settings = Settings()
    term_starts: tuple = DEFAULT_TERM_STARTS
    debounce: timedelta = DEFAULT_DEBOUNCE
    default_timezone: str = "Europe/London"

    @classmethod
    def from_config(cls, config) -> "Options":
        return cls(settings=Settings.from_config(config),
                   term_starts=parse_term_starts(config.get("TERM_STARTS")) or DEFAULT_TERM_STARTS,
                   debounce=timedelta(minutes=float(config.get("DASHBOARD_REFRESH_MINUTES") or 3)),
                   default_timezone=config.get("DEFAULT_TIMEZONE") or "Europe/London")


def parse_term_starts(text) -> tuple | None:
    """"09-01,01-01,04-01" as ((1, 1), (4, 1), (9, 1)); None when it does not read."""
    if not text:
        return None
    try:
        starts = sorted({(int(m), int(d)) for m, d in (part.strip().split("-") for part in text.split(","))})
        for m, d in starts:
            date(2024, m, d)  # a leap year: 02-29 is allowed, and is moved to 28 in other years
    except ValueError:
        return None
    return tuple(starts) or None


def _on(year, month, day) -> date:
    try:
        return date(year, month, day)
    except ValueError:  # 29 February
        return date(year, month, 28)


def term_of(day: date, starts=DEFAULT_TERM_STARTS) -> tuple[date, date]:
    """The term `day` falls in: its first and last day (both included)."""
    begins = [_on(y, m, d) for y in (day.year - 1, day.year, day.year + 1) for m, d in starts]
    first = max(b for b in begins if b <= day)
    last = min(b for b in begins if b > day) - timedelta(days=1)
    return first, last


def utc_range(first_day: date | None, last_day: date | None, tz: str):
    """Local dates, both included, as UTC instants [start, end), as the dashboard's filters do."""
    return (local_to_utc(first_day, time(0), tz) if first_day else None,
            local_to_utc(last_day + timedelta(days=1), time(0), tz) if last_day else None)


# ------------------------------------------------------------------ versions

_code_hash = {}


def figures_version(build, settings: Settings) -> str:
    """A hash of the code that makes the figures (the building function's package, the
    metrics, the instruments, this) and of the settings: kept figures from other code or
    other settings are stale."""
    module = getattr(build, "__module__", "")
    if module not in _code_hash:
        import sys

        root = Path(__file__).resolve().parent.parent
        folders = {root / "metrics", root / "instruments"}
        source = getattr(sys.modules.get(module), "__file__", None)
        if source:
            folders.add(Path(source).resolve().parent)
        digest = hashlib.sha256(f"format {FORMAT}".encode())
        for path in sorted(p for folder in folders for p in folder.rglob("*.py")) + [Path(__file__),
                                                                                   Path(snapshot_json.__file__)]:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        _code_hash[module] = digest.hexdigest()
    return hashlib.sha256(f"{_code_hash[module]} {settings!r}".encode()).hexdigest()


# ------------------------------------------------------------------ working a view out

@dataclass
class Figures:
    """A view's figures as the page shows them, and where they came from."""
    data: dict
    as_of: datetime
    first_day: date | None
    last_day: date | None
    stored: bool           # read from the kept snapshot (else worked out just now)
    changed_since: bool    # data changed after they were worked out (new ones are on the way)
    requested_at: datetime | None  # someone asked for new figures, not yet done


def timezone_of(view: View, options: Options) -> str:
    if view.level == "platform":
        return options.default_timezone
    org_id = view.id if view.level == "organisation" else db.session.execute(
        select(Programme.organisation_id).where(Programme.id == view.id)).scalar_one_or_none()
    tz = db.session.execute(select(Organisation.timezone).where(Organisation.id == org_id)).scalar_one_or_none()
    return tz or options.default_timezone


def period_days(view: View, now: datetime, tz: str, options: Options):
    if view.period == "all":
        return None, None
    return term_of(to_local(now, tz).date(), options.term_starts)


def query_for(view: View, now: datetime, tz: str, options: Options) -> MetricQuery:
    first, last = period_days(view, now, tz, options)
    start, end = utc_range(first, last, tz)
    return MetricQuery(scope=view.scope, filters=Filters(start=start, end=end), settings=options.settings, as_of=now)


def titles_of(view: View) -> dict:
    """The programme titles the dashboard names, as its page passes them."""
    stmt = select(Programme.id, Programme.title)
    if view.level == "programme":
        stmt = stmt.where(Programme.id == view.id)
    elif view.level == "organisation":
        stmt = stmt.where(Programme.organisation_id == view.id)
    return {pid: title for pid, title in db.session.execute(stmt)}


def work_out(view: View, build, options: Options, *, now: datetime) -> Figures:
    """Work the view's figures out now, keep them, and return them. One transaction."""
    tz = timezone_of(view, options)
    q = query_for(view, now, tz, options)
    started = clock.perf_counter()
    data = build(q, tz=tz, programme_titles=titles_of(view))
    took_ms = round((clock.perf_counter() - started) * 1000)
    first, last = period_days(view, now, tz, options)
    try:
        text = snapshot_json.dumps(data)
    except (TypeError, ValueError):
        log.exception("dashboard %s: figures that cannot be kept; the page works them out live", view.key)
        db.session.rollback()
        return Figures(data, now, first, last, stored=False, changed_since=False, requested_at=None)
    row = _row(view, now)
    row.figures, row.figures_version, row.as_of, row.took_ms = text, figures_version(build, options.settings), now, took_ms
    row.first_day, row.last_day, row.covers_until, row.requested_at = first, last, now - MARGIN, None
    db.session.commit()
    log.info("dashboard %s worked out in %d ms (%d kB kept)", view.key, took_ms, len(text) // 1024)
    return Figures(data, now, first, last, stored=False, changed_since=False, requested_at=None)


def _row(view: View, now: datetime) -> DashboardSnapshot:
    """The view's row, made (with no figures yet, so due) if it has none. Two processes
    making it at once: the second finds the first's."""
    found = db.session.execute(select(DashboardSnapshot).where(DashboardSnapshot.view_key == view.key)
                               .with_for_update()).scalar_one_or_none()
    if found is not None:
        return found
    row = DashboardSnapshot(view_key=view.key, level=view.level, period=view.period,
                            organisation_id=view.id if view.level == "organisation" else None,
                            programme_id=view.id if view.level == "programme" else None)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return db.session.execute(select(DashboardSnapshot).where(DashboardSnapshot.view_key == view.key)
                                  .with_for_update()).scalar_one()
    return row


def is_current(row: DashboardSnapshot, build, options: Options, *, now: datetime, tz: str) -> bool:
    """The kept figures can be shown for this view now: made by this code with these
    settings, and (for "this term") for the term we are in."""
    if row is None or row.figures is None or row.figures_version != figures_version(build, options.settings):
        return False
    first, last = period_days(View(row.level, row.programme_id or row.organisation_id, row.period), now, tz,
                              options)
    return (row.first_day, row.last_day) == (first, last)


def open_view(view: View, build, options: Options, *, now: datetime, tz: str | None = None) -> Figures:
    """The figures the page shows for a default view: the kept ones when current, else
    worked out now (and kept) — never an empty page for a view not worked out yet. `tz`,
    the view's time zone, when the caller knows it (else looked up)."""
    tz = tz or timezone_of(view, options)
    row = db.session.execute(select(DashboardSnapshot).where(DashboardSnapshot.view_key == view.key)) \
        .scalar_one_or_none()
    if row is not None and is_current(row, build, options, now=now, tz=tz):
        try:
            data = snapshot_json.loads(row.figures)
        except (ValueError, TypeError, KeyError, AttributeError, ImportError):
            log.exception("dashboard %s: kept figures that do not read; working them out again", view.key)
        else:
            changed = bool(row.changed_at and row.covers_until and row.changed_at > row.covers_until)
            return Figures(data, row.as_of, row.first_day, row.last_day, stored=True, changed_since=changed,
                           requested_at=row.requested_at)
    return work_out(view, build, options, now=now)


def ask_for(view: View, *, now: datetime) -> bool:
    """"Work out now": mark the view as asked for, so the worker does it next. False when
    it was already asked for and not yet done (asking twice queues nothing more)."""
    row = _row(view, now)
    if row.requested_at is not None and row.requested_at > now - timedelta(minutes=10):
        db.session.rollback()
        return False
    row.requested_at = now
    db.session.commit()
    return True


# ------------------------------------------------------------------ noticing changes

def views_of(programme_ids=(), organisation_ids=()) -> list[str]:
    """The keys of every default view that shows these programmes' (or organisations') data."""
    keys = {f"platform:{p}" for p in PERIOD_TEXT}
    orgs = set(organisation_ids)
    if programme_ids:
        for pid, org in db.session.execute(select(Programme.id, Programme.organisation_id)
                                           .where(Programme.id.in_(sorted(programme_ids)))):
            keys |= {f"programme:{pid}:{p}" for p in PERIOD_TEXT}
            orgs.add(org)
    keys |= {f"organisation:{o}:{p}" for o in orgs for p in PERIOD_TEXT}
    return sorted(keys)


def note_changes(keys, *, now: datetime, connection=None) -> None:
    """Mark these views as changed now, in the current transaction. Writes a row only when
    its mark is older than MARK_EVERY; one statement per view, in key order, so two
    transactions marking the same views never wait on each other in a circle."""
    run = (connection or db.session).execute
    t = DashboardSnapshot.__table__
    for key in sorted(keys):
        run(update(t).where(t.c.view_key == key, or_(t.c.changed_at.is_(None), t.c.changed_at < now - MARK_EVERY))
            .values(changed_at=now))


def note_everything_changed(*, now: datetime, connection=None) -> None:
    """A change we cannot place (a bulk delete, a young person's details): every view."""
    t = DashboardSnapshot.__table__
    (connection or db.session).execute(update(t).where(or_(t.c.changed_at.is_(None), t.c.changed_at < now - MARK_EVERY))
                                       .values(changed_at=now))


# ------------------------------------------------------------------ the worker's round

def default_views() -> list[View]:
    views = [View("platform", None, p) for p in PERIOD_TEXT]
    views += [View("organisation", o, p) for o in db.session.execute(select(Organisation.id)).scalars()
              for p in PERIOD_TEXT]
    views += [View("programme", pid, p) for pid in db.session.execute(select(Programme.id)).scalars()
              for p in PERIOD_TEXT]
    return views


def _keep_rows_in_step(now: datetime) -> None:
    """A row per default view (a new one marked as changed); none for views that are gone;
    views with a session that ended since their figures marked as changed."""
    wanted = {v.key: v for v in default_views()}
    have = set(db.session.execute(select(DashboardSnapshot.view_key)).scalars())
    for key in sorted(set(wanted) - have):
        _row(wanted[key], now)
    gone = sorted(have - set(wanted))
    if gone:
        db.session.execute(delete(DashboardSnapshot).where(DashboardSnapshot.view_key.in_(gone)))
    oldest = db.session.execute(select(DashboardSnapshot.as_of).where(DashboardSnapshot.as_of.is_not(None))
                                .order_by(DashboardSnapshot.as_of).limit(1)).scalar_one_or_none()
    if oldest is not None:
        s, p = ProgrammeSession.__table__, Programme.__table__
        ended = db.session.execute(select(s.c.programme_id, p.c.organisation_id, s.c.ends_at)
                                   .join(p, p.c.id == s.c.programme_id)
                                   .where(s.c.status == "scheduled", s.c.ends_at > oldest, s.c.ends_at <= now)).all()
        t = DashboardSnapshot.__table__
        for programme_id, org_id, ends_at in ended:
            db.session.execute(update(t).where(
                or_(t.c.level == "platform", and_(t.c.level == "organisation", t.c.organisation_id == org_id),
                    and_(t.c.level == "programme", t.c.programme_id == programme_id)),
                t.c.as_of < ends_at, or_(t.c.changed_at.is_(None), t.c.changed_at <= t.c.covers_until))
                .values(changed_at=now))
    db.session.commit()


def due(build, options: Options, *, now: datetime) -> list[View]:
    """The views to work out, most wanted first: asked for, never worked out, out of date
    (code, settings, term), then changed — those only once DASHBOARD_REFRESH_MINUTES have
    passed since their last figures."""
    _keep_rows_in_step(now)
    version = figures_version(build, options.settings)
    out = []
    for row in db.session.execute(select(DashboardSnapshot)).scalars():
        view = View(row.level, row.programme_id or row.organisation_id, row.period)
        if row.requested_at is not None:
            rank = 0
        elif row.figures is None or row.figures_version != version:
            rank = 1
        elif view.period == "term" and (row.first_day, row.last_day) != period_days(
                view, now, timezone_of(view, options), options):
            rank = 1
        elif row.changed_at and (row.covers_until is None or row.changed_at > row.covers_until) \
                and row.as_of <= now - options.debounce:
            rank = 2
        else:
            continue
        # Within a rank: the platform, then organisations, then programmes; oldest first.
        out.append((rank, ("platform", "organisation", "programme").index(view.level),
                    row.as_of or datetime.min.replace(tzinfo=now.tzinfo), view))
    db.session.rollback()
    return [v for *_, v in sorted(out, key=lambda x: x[:3])]


def refresh_due(build, options: Options, *, now, budget_seconds: float = 50.0, lock=None) -> list[str]:
    """Work out the views that are due, most wanted first, until the budget is spent (the
    next round goes on). `now` is a function: each view is worked out as of its own start.
    `lock(key)`, when given, is a context manager that keeps two workers off one view."""
    started, done = clock.monotonic(), []
    for view in due(build, options, now=now()):
        if clock.monotonic() - started > budget_seconds:
            break
        try:
            if lock is None:
                work_out(view, build, options, now=now())
            else:
                with lock(view.key):
                    work_out(view, build, options, now=now())
        except Exception as err:  # one view's trouble (or another worker on it) must not stop the rest
            db.session.rollback()
            if type(err).__name__ != "TaskLockedException":
                log.exception("dashboard %s could not be worked out", view.key)
            continue
        done.append(view.key)
    return done
