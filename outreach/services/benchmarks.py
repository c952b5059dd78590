"""A lead's own figure for their police force area, beside the national one (issue 17,
point 5). The national figures ship with the code (outreach/instruments/benchmarks.py);
a lead types their force area's figure for the same question, with its year and source,
once per programme and question."""
import math
from dataclasses import dataclass

from sqlalchemy import select

from ..database import lock_row
from ..errors import NotFoundError, ValidationError
from ..extensions import db
from ..instruments import benchmarks
from ..models import AreaBenchmark, Programme
from ..timeutil import utcnow
from . import audit


@dataclass(frozen=True)
class AreaFigure:
    area: str
    percent: float
    year: str
    source: str


def national_for(question: str):
    """The national figure for a question, or NotFoundError (unknown_question)."""
    found = benchmarks.national(question)
    if found is None:
        raise NotFoundError("There is no national figure for that question.", code="unknown_question")
    return found


def area_figure(programme, question: str) -> AreaBenchmark | None:
    return db.session.execute(select(AreaBenchmark).where(AreaBenchmark.programme_id == programme.id,
                                                          AreaBenchmark.question == question)).scalar_one_or_none()


def set_area_figure(programme, question: str, figure: AreaFigure, *, by, now=None) -> AreaBenchmark:
    """Save the lead's force-area figure for this programme and question, replacing any
    before it. The share runs from 0 to 100 (per cent); area, year and source are required."""
    national_for(question)
    area, year, source = (figure.area or "").strip(), (figure.year or "").strip(), (figure.source or "").strip()
    if not area:
        raise ValidationError("Name the force area, like Greater Manchester Police.", code="empty", field="area")
    percent = figure.percent
    if percent is None or not math.isfinite(percent) or not 0 <= percent <= 100:
        raise ValidationError("Enter a share from 0 to 100 per cent.", code="percent_range", field="percent")
    if not year:
        raise ValidationError("Say which year the figure is for, like year ending March 2025.", code="empty",
                              field="year")
    if not source:
        raise ValidationError("Say where the figure comes from: a publication's title or its web address.",
                              code="empty", field="source")
    now = now or utcnow()
    lock_row(db.session, Programme, programme.id)  # two saves at once: one row, the later one's figure
    row = area_figure(programme, question) or AreaBenchmark(programme_id=programme.id, question=question)
    row.area, row.percent, row.year, row.source = area[:120], round(float(percent), 1), year[:60], source[:300]
    row.added_at, row.added_by_id = now, getattr(by, "id", None)
    db.session.add(row)
    audit.record("benchmark.area_set", actor=by, organisation=programme.organisation, now=now,
                 programme_id=programme.id, question=question)
    db.session.commit()
    return row


def remove_area_figure(programme, question: str, *, by, now=None) -> bool:
    """Take the lead's force-area figure off; True when there was one."""
    national_for(question)
    row = area_figure(programme, question)
    if row is None:
        return False
    db.session.delete(row)
    audit.record("benchmark.area_removed", actor=by, organisation=programme.organisation, now=now or utcnow(),
                 programme_id=programme.id, question=question)
    db.session.commit()
    return True
