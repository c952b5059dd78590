from sqlalchemy import case, func, select

from . import metric
from .base import as_float, ratio

RATE_BANDS = [("0_24", "0–24%", 0.0, 0.25), ("25_49", "25–49%", 0.25, 0.5), ("50_74", "50–74%", 0.5, 0.75),
              ("75_100", "75–100%", 0.75, 1.01)]


@metric("attendance_rate", "Attendance rate and retention")
def attendance_rate(q):
    """Attendance rate of a participant = sessions attended ÷ sessions offered to them
    (held sessions of the programme in the range since their start). Programme
    average = mean of the participants' rates, over participants offered at least one
    session. Retention = share of those participants whose rate is at least the
    retention threshold (setting, default 60%). Someone in two programmes counts once
    in each."""
    part = q.participation()
    # Both sides float: a NUMERIC division per row costs PostgreSQL a quarter of a second here.
    rate = as_float(part.c.attended) / as_float(part.c.offered)
    threshold = q.settings.retention_threshold
    band_columns = [func.sum(case((rate >= lo, 1), else_=0) * case((rate < hi, 1), else_=0)) for _, _, lo, hi in RATE_BANDS]
    row = q.one(select(func.count(), func.avg(rate), func.sum(case((rate >= threshold - 1e-9, 1), else_=0)),
                       *band_columns).where(part.c.offered > 0))
    participants, mean_rate, retained = row[0], row[1], row[2] or 0
    return {"participants": participants, "average_rate": mean_rate if participants else None,
            "retained": retained, "retention": ratio(retained, participants), "threshold": threshold,
            "bands": [{"key": key, "label": label, "participants": row[3 + i] or 0}
                      for i, (key, label, _, _) in enumerate(RATE_BANDS)]}
