"""What every metric is built from: the scope, the filters, and SQL building blocks.

Vocabulary used in every formula:

- *held session*: a session in scope whose status is `scheduled` and which has
  ended by `as_of`, starting inside the date range. Cancelled sessions are never
  held; they are counted apart.
- *attendance*: an attendance row at a held session.
- *participant* of a programme: a young person with a confirmed registration on
  the programme or one of its sessions, or with an attendance at it. Their
  *start* is the earlier of their first confirmation and the start of the first
  session they attended (a walk-in starts at the session they walked into).
- *sessions offered* to a participant: held sessions of the programme starting
  at or after their start.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Float, Integer, and_, case, cast, func, literal, over, select, union_all

from ._sql import hours_between
from ._temp import TempTables
from ..extensions import db
from ..models import Attendance, Programme, ProgrammeSession, Registration, YoungPerson
from ..timeutil import utcnow

# (key, label, lowest age, highest age), age on the reference date.
AGE_BANDS = [
    ("under_11", "Under 11", 0, 10),
    ("11_13", "11–13", 11, 13),
    ("14_16", "14–16", 14, 16),
    ("17_19", "17–19", 17, 19),
    ("20_25", "20–25", 20, 25),
]
AGE_BAND_LABELS = {key: label for key, label, _, _ in AGE_BANDS} | {"unknown": "Not known"}


@dataclass(frozen=True)
class Scope:
    """Whose data: one programme, one organisation, or (neither) the whole platform."""
    programme_id: int | None = None
    organisation_id: int | None = None

    @property
    def level(self) -> str:
        return "programme" if self.programme_id else "organisation" if self.organisation_id else "platform"


@dataclass(frozen=True)
class Filters:
    """Date range over session start (UTC, end exclusive) and who is counted."""
    start: datetime | None = None
    end: datetime | None = None
    age_band: str | None = None
    gender: str | None = None
    district: str | None = None
    category: str | None = None

    @property
    def filters_people(self) -> bool:
        return bool(self.age_band or self.gender or self.district)


@dataclass(frozen=True)
class Settings:
    retention_threshold: float = 0.6   # share of offered sessions that counts as "retained"
    regular_share: float = 0.75        # share of offered sessions that makes a regular attendee,
                                       # where the programme's lead set no number of sessions
    recent_sessions: int = 4           # "last N sessions" for recent engagement and drop-out
    cohort_steps: int = 8              # K in the cohort retention curve
    suppression_threshold: int = 5     # counts 1..threshold leave the organisation as "<threshold"
    min_pairs: int = 20                # start/end pairs below which change is "too few pairs to say"

    @classmethod
    def from_config(cls, config) -> "Settings":
        return cls(
            retention_threshold=float(config.get("EVAL_RETENTION_THRESHOLD", cls.retention_threshold)),
            regular_share=float(config.get("EVAL_REGULAR_SHARE", cls.regular_share)),
            recent_sessions=int(config.get("EVAL_RECENT_SESSIONS", cls.recent_sessions)),
            cohort_steps=int(config.get("EVAL_COHORT_STEPS", cls.cohort_steps)),
            suppression_threshold=int(config.get("EVAL_SUPPRESSION_THRESHOLD", cls.suppression_threshold)),
            min_pairs=int(config.get("EVAL_MIN_PAIRS", cls.min_pairs)),
        )


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class MetricQuery:
    scope: Scope = field(default_factory=Scope)
    filters: Filters = field(default_factory=Filters)
    settings: Settings = field(default_factory=Settings)
    as_of: datetime = field(default_factory=utcnow)
    # Figures several metrics share, kept while `temp.open()` lasts (see _temp.py). Not an
    # argument: a copy with other filters (dataclasses.replace) must not read this one's tables.
    temp: TempTables = field(default_factory=TempTables, init=False, compare=False, repr=False)

    # ---------------------------------------------------------------- running

    @staticmethod
    def rows(stmt):
        return db.session.execute(stmt).all()

    @staticmethod
    def one(stmt):
        return db.session.execute(stmt).one()

    # ---------------------------------------------------------------- people

    @property
    def reference_date(self) -> date:
        """The day ages are worked out on: the end of the range, or today."""
        end = self.filters.end or self.as_of
        return min(end, self.as_of).date()

    def age_band_of(self, dob_column, *, labels=False):
        """SQL CASE naming the age band of a date of birth on the reference date: its key,
        or with `labels` the words a reader sees ("11–13", "Not known")."""
        day, name = self.reference_date, (lambda key: AGE_BAND_LABELS[key] if labels else key)
        whens = [(dob_column > years_before(day, hi + 1), name(key)) for key, _, _, hi in AGE_BANDS[:-1]]
        return case((dob_column.is_(None), name("unknown")), *whens, else_=name(AGE_BANDS[-1][0]))

    def people_conditions(self, yp) -> list:
        f, day = self.filters, self.reference_date
        conditions = []
        if f.gender:
            conditions.append(yp.c.gender == f.gender)
        if f.district:
            conditions.append(yp.c.postcode_district == f.district)
        if f.age_band:
            band = next((b for b in AGE_BANDS if b[0] == f.age_band), None)
            if band is None:
                conditions.append(literal(False))
            else:
                _, _, lo, hi = band
                conditions += [yp.c.date_of_birth > years_before(day, hi + 1),
                               yp.c.date_of_birth <= years_before(day, lo)]
        return conditions

    def _only_people(self, stmt, young_person_id_column):
        if not self.filters.filters_people:
            return stmt
        yp = YoungPerson.__table__
        return stmt.join(yp, yp.c.id == young_person_id_column).where(*self.people_conditions(yp))

    # ---------------------------------------------------------------- sessions

    def _scoped_programmes(self, stmt, p):
        if self.scope.programme_id:
            stmt = stmt.where(p.c.id == self.scope.programme_id)
        elif self.scope.organisation_id:
            stmt = stmt.where(p.c.organisation_id == self.scope.organisation_id)
        if self.filters.category:
            stmt = stmt.where(p.c.category == self.filters.category)
        return stmt

    def _in_range(self, column):
        conditions = []
        if self.filters.start:
            conditions.append(column >= self.filters.start)
        if self.filters.end:
            conditions.append(column < self.filters.end)
        return conditions

    def sessions(self, *, in_range=True, held_only=True):
        """Sessions in scope: session_id, programme_id, starts_at, ends_at, status, category."""
        s, p = ProgrammeSession.__table__, Programme.__table__
        stmt = select(s.c.id.label("session_id"), s.c.programme_id, s.c.starts_at, s.c.ends_at, s.c.status,
                      p.c.category, p.c.organisation_id).join(p, p.c.id == s.c.programme_id)
        stmt = self._scoped_programmes(stmt, p)
        if held_only:
            stmt = stmt.where(s.c.status == "scheduled", s.c.ends_at <= self.as_of)
        if in_range:
            stmt = stmt.where(*self._in_range(s.c.starts_at))
        return stmt

    def held(self, *, in_range=True, name="held"):
        return _inlined(self.sessions(in_range=in_range).cte(name))

    def attendance_per_participant(self, name="attended"):
        """Per programme and young person who attended a held session in the range:
        programme_id, young_person_id, category, attended (how many such sessions),
        first_at and last_at (the starts of the first and last of them), first_idx and
        last_idx (their numbers among the programme's held sessions in the range,
        numbered 1, 2, 3… by start), and held (how many held sessions the programme has
        in the range, the last number); measured_hours (check-out − check-in, summed over
        their attendances with a check-out), scheduled_hours (the session's length, summed
        over those without) and checked_out (how many had a check-out). People filters
        applied.

        One row per participant instead of one per attendance: the metrics that count
        people, attendances or contact hours per person read this (worked out once per
        dashboard, see `_kept`) rather than every attendance row each."""
        h = self.sessions().subquery()
        per_programme = dict(partition_by=h.c.programme_id)
        numbered = select(h.c.session_id, h.c.programme_id, h.c.category, h.c.starts_at, h.c.ends_at,
                          over(func.row_number(), order_by=[h.c.starts_at, h.c.session_id], **per_programme)
                          .label("idx"), over(func.count(), **per_programme).label("held")).subquery()
        a = Attendance.__table__
        out = a.c.checked_out_at
        measured = case((out.is_not(None), hours_between(a.c.checked_in_at, out)), else_=0.0)
        scheduled = case((out.is_(None), hours_between(numbered.c.starts_at, numbered.c.ends_at)), else_=0.0)
        stmt = select(numbered.c.programme_id, a.c.young_person_id, func.min(numbered.c.category).label("category"),
                      func.count().label("attended"), func.min(numbered.c.starts_at).label("first_at"),
                      func.max(numbered.c.starts_at).label("last_at"), func.min(numbered.c.idx).label("first_idx"),
                      func.max(numbered.c.idx).label("last_idx"), func.min(numbered.c.held).label("held"),
                      func.sum(measured).label("measured_hours"), func.sum(scheduled).label("scheduled_hours"),
                      func.count(out).label("checked_out")) \
            .select_from(a.join(numbered, numbered.c.session_id == a.c.session_id))
        stmt = self._only_people(stmt, a.c.young_person_id).group_by(numbered.c.programme_id, a.c.young_person_id)
        return self._kept("attended", stmt, name)

    def attendances_per_person(self):
        """Per young person: young_person_id, n (their attendances at held sessions in the
        range, across every programme in scope)."""
        per = self.attendance_per_participant()
        return select(per.c.young_person_id, func.sum(per.c.attended).label("n")) \
            .group_by(per.c.young_person_id).subquery()

    def attendances_per_session(self):
        """Attendance rows per session (session_id, n), people filters applied, for every
        session: counted straight off the attendance index and matched to the held
        sessions by whoever reads it, which is far cheaper than joining every attendance
        row to its session first."""
        a = Attendance.__table__
        return self._only_people(select(a.c.session_id, func.count().label("n")), a.c.young_person_id) \
            .group_by(a.c.session_id).subquery()

    def first_attendances(self, name="firsts"):
        """Per young person and programme, over all history: first_at (start of the first
        held session they attended) and attended (how many held sessions they attended);
        only those who attended."""
        part = self.participants()
        return select(part.c.programme_id, part.c.young_person_id, part.c.first_at,
                      part.c.attended_all.label("attended")).where(part.c.attended_all > 0).cte(name)

    @staticmethod
    def latest_first(held):
        """1 for a programme's most recent held session, 2 for the one before, and so on:
        "the last N sessions" are those numbered N or less."""
        return over(func.row_number(), partition_by=held.c.programme_id, order_by=held.c.starts_at.desc())

    def participants(self, name="participants"):
        """Participants per programme with their start: programme_id, young_person_id, since,
        attended (their attendances at held sessions in the range), and over all history
        first_at (start of the first held session they attended, or none) and
        attended_all (held sessions attended).

        Starts come from all history (not the date range), so someone who joined
        before the range is not mistaken for a newcomer inside it."""
        r, s, p = Registration.__table__, ProgrammeSession.__table__, Programme.__table__
        programme_of = func.coalesce(r.c.programme_id, s.c.programme_id)
        confirmed = select(programme_of.label("programme_id"), r.c.young_person_id,
                           r.c.confirmed_at.label("since"), literal(0).label("attended"),
                           literal(None, s.c.starts_at.type).label("first_at"), literal(0).label("attended_all")) \
            .select_from(r.outerjoin(s, s.c.id == r.c.session_id)) \
            .join(p, p.c.id == programme_of) \
            .where(r.c.status == "confirmed", r.c.confirmed_at.is_not(None))
        confirmed = self._only_people(self._scoped_programmes(confirmed, p), r.c.young_person_id)
        a = Attendance.__table__
        in_range = and_(*self._in_range(s.c.starts_at)) if self.filters.start or self.filters.end else literal(True)
        # Attendances are grouped per person and programme before the union, so the
        # union and its grouping handle one row per participant, not one per attendance.
        first = func.min(s.c.starts_at)
        attended = select(s.c.programme_id, a.c.young_person_id, first.label("since"),
                          func.sum(case((in_range, 1), else_=0)).label("attended"),
                          first.label("first_at"), func.count().label("attended_all")) \
            .select_from(a.join(s, s.c.id == a.c.session_id)).join(p, p.c.id == s.c.programme_id) \
            .where(s.c.status == "scheduled", s.c.ends_at <= self.as_of) \
            .group_by(s.c.programme_id, a.c.young_person_id)
        attended = self._only_people(self._scoped_programmes(attended, p), a.c.young_person_id)
        both = union_all(confirmed, attended).subquery()
        return self._kept("participants", select(
            both.c.programme_id, both.c.young_person_id, func.min(both.c.since).label("since"),
            func.sum(both.c.attended).label("attended"), func.min(both.c.first_at).label("first_at"),
            func.sum(both.c.attended_all).label("attended_all"))
            .group_by(both.c.programme_id, both.c.young_person_id), name)

    def participation(self, name="participation"):
        """Per participant and programme: offered and attended held sessions in the range
        (offered is 0 for someone whose start came after the last held session), and
        offered_recent, how many of the programme's last N held sessions in the range
        (setting recent_sessions) fall on or after their start.

        Columns: programme_id, young_person_id, since, offered, offered_recent, attended.
        Every attendance at a held session falls on or after its attendee's start (a
        start is at the latest their first attended session), so attended needs no
        comparison with since."""
        part, held = self.participants(), self.held()
        sessions = select(held.c.programme_id, held.c.starts_at.label("at"), literal(1).label("is_session"),
                          case((self.latest_first(held) <= self.settings.recent_sessions, 1), else_=0)
                          .label("is_recent"),
                          literal(None).label("young_person_id"), literal(0).label("attended"))
        people = select(part.c.programme_id, part.c.since, literal(0), literal(0), part.c.young_person_id,
                        part.c.attended)
        events = union_all(sessions, people).subquery()
        # Sessions and starts in one timeline per programme, latest first: the running
        # count of sessions at a start is the number of sessions on or after it (a session
        # at the very moment of a start sorts before it, so it counts). One sort instead
        # of a range join of every participant with every session.
        timeline = dict(partition_by=events.c.programme_id,
                        order_by=[events.c.at.desc(), events.c.is_session.desc()], rows=(None, 0))
        counted = select(events.c.programme_id, events.c.young_person_id, events.c.at.label("since"),
                         events.c.is_session, events.c.attended,
                         over(func.sum(events.c.is_session), **timeline).label("offered"),
                         over(func.sum(events.c.is_recent), **timeline).label("offered_recent")).subquery()
        # Materialised: metrics read these columns several times per row.
        # young_person_id cast: out of the union (NULL for the sessions' rows) it has no type,
        # and SQLite cannot use an index on a column without one to join it to a typed one.
        return self._kept("participation", select(
            counted.c.programme_id, cast(counted.c.young_person_id, Integer).label("young_person_id"),
            counted.c.since, counted.c.offered,
            counted.c.offered_recent, counted.c.attended).where(counted.c.is_session == 0), name, materialized=True)

    def _kept(self, key: str, stmt, name: str, *, materialized=False, index: str | None = None):
        """`stmt` as a CTE named `name`; while `self.temp` is open, the temporary table of
        its rows instead (on SQLite with an index on the column `index`), made by the first
        metric that asks and read by the others."""
        table = self.temp.get(key, stmt, index)
        if table is not None:
            return table.alias(name)
        cte = stmt.cte(name)
        return cte.prefix_with("MATERIALIZED") if materialized else cte


def _inlined(cte):
    """On PostgreSQL, a CTE that a query reads twice is worked out once and read back,
    and a plan reading it back cannot run in parallel workers: written into each place
    it is read, show-up ran in 0.49 s instead of 0.89 s over 1M attendances. SQLite is
    the other way round (show-up 1.2 s as it is, 3.9 s inlined), so it keeps its default."""
    return cte.prefix_with("NOT MATERIALIZED", dialect="postgresql")


def ratio(numerator, denominator):
    """A share, or None when there is nothing to divide by (shown as "–", never as 0%)."""
    if not denominator:
        return None
    return numerator / denominator


def as_float(expr):
    return cast(expr, Float)
