from itertools import groupby

from sqlalchemy import and_, func, select

from . import Table, export
from ._common import file_name, local, person_name as _name, stream
from ..extensions import db
from ..metrics import MetricQuery, Scope
from ..models import Attendance, Pass, ProgrammeSession, YoungPerson
from ..services.passes import pass_code


@export("programme_matrix", "Programme attendance matrix", level="programme",
        description="One row per participant, one column per session date: present, absent or cancelled, "
                    "with totals. Identified: for your organisation only.")
def programme_matrix(ctx):
    """Cells: "present" (attended), "absent" (a held session since their start, not
    attended), "cancelled" (the session was cancelled), blank (before they started).
    Missed = absent cells; % = present ÷ (present + missed)."""
    programme, tz = ctx.programme, ctx.organisation.timezone
    sessions = db.session.execute(
        select(ProgrammeSession).where(ProgrammeSession.programme_id == programme.id,
                                       ProgrammeSession.starts_at <= ctx.as_of)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)).scalars().all()
    participants = MetricQuery(scope=Scope(programme_id=programme.id), as_of=ctx.as_of).participants()
    yp, a = YoungPerson.__table__, Attendance.__table__
    stmt = select(yp.c.id, yp.c.first_name, yp.c.last_name, yp.c.erased_at, yp.c.anonymised_at, participants.c.since,
                  Pass.secret, a.c.session_id) \
        .join(participants, participants.c.young_person_id == yp.c.id) \
        .outerjoin(Pass, and_(Pass.young_person_id == yp.c.id, Pass.revoked_at.is_(None))) \
        .outerjoin(a, and_(a.c.young_person_id == yp.c.id,
                           a.c.session_id.in_(select(ProgrammeSession.id)
                                              .where(ProgrammeSession.programme_id == programme.id)))) \
        .order_by(func.lower(yp.c.last_name), func.lower(yp.c.first_name), yp.c.id)

    def rows():
        for _, group in groupby(stream(stmt), key=lambda row: row.id):
            group = list(group)  # one young person's attendances: at most one per session
            first = group[0]
            attended = {row.session_id for row in group if row.session_id is not None}
            cells, present, missed = [], 0, 0
            for s in sessions:
                if s.status == "cancelled":
                    cells.append("cancelled")
                elif s.id in attended:
                    cells.append("present")
                    present += 1
                elif s.starts_at >= first.since and s.ends_at <= ctx.as_of:
                    cells.append("absent")
                    missed += 1
                else:
                    cells.append(None)
            name = _name(first)
            share = round(100 * present / (present + missed)) if present + missed else None
            yield [name, pass_code(first.secret) if first.secret else None, *cells, present, missed, share]

    dates = [local(s.starts_at, tz, "%a %d %b %Y") for s in sessions]
    return Table(filename=file_name(ctx, "attendance-matrix"), rows=rows(),
                 title=f"Attendance matrix · {programme.title} · to {local(ctx.as_of, tz, '%-d %b %Y')}",
                 header=["Name", "Pass code", *dates, "Present", "Missed", "Attendance %"])
