from . import Table, export
from ._common import file_name, local, period, subject
from ..extensions import db
from ..metrics import compute_all
from ..models import Programme
from sqlalchemy import select


@export("headcounts", "Headcounts per session", level="organisation",
        description="Every session in the range with distinct attendees, first-timers and bookings; sessions "
                    "nobody attended are flagged. No names.")
def headcounts(ctx):
    q = ctx.metric_query()
    m = compute_all(q, ["headcounts", "show_up", "returning"])
    counts = {s["session_id"]: s["headcount"] for s in m["headcounts"]["sessions"]}
    booked = {s["session_id"]: s["booked"] for s in m["show_up"]["sessions"]}
    first_time = {s["session_id"]: s["first_time"] for s in m["returning"]["sessions"]}
    everything = q.sessions(held_only=False).subquery()
    sessions = db.session.execute(
        select(everything.c.session_id, everything.c.starts_at, everything.c.ends_at, everything.c.status,
               Programme.title).join(Programme, Programme.id == everything.c.programme_id)
        .where(everything.c.starts_at <= ctx.as_of)
        .order_by(everything.c.starts_at, everything.c.session_id)).all()
    tz = ctx.organisation.timezone

    def rows():
        for s in sessions:
            held = s.session_id in counts
            status = "cancelled" if s.status == "cancelled" else ("held" if held else "in progress")
            n = counts.get(s.session_id)
            yield [s.title, local(s.starts_at, tz, "%Y-%m-%d"), local(s.starts_at, tz, "%H:%M"),
                   local(s.ends_at, tz, "%H:%M"), status, booked.get(s.session_id) if held else None, n,
                   first_time.get(s.session_id, 0) if held else None, "yes" if held and n == 0 else "no"]

    return Table(filename=file_name(ctx, "headcounts", period(ctx)[1]), rows=rows(),
                 title=f"Headcounts · {subject(ctx)[0]} · {period(ctx)[0]}",
                 header=["Programme", "Date", "Start", "End", "Status", "Booked", "Attendees", "First-time",
                         "Nobody came"], date_columns={1: "date", 2: "time", 3: "time"})
