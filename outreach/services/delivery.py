"""Delivery and cost (issue 17, point 6): staff and volunteer time at a session, and a
programme's cost per term. Hours and money are read from text here with Decimal, never
float: "2.5" hours is 150 minutes exactly, "£1,234.56" is 123,456 pence exactly."""
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import select

from ..database import lock_row
from ..errors import ValidationError
from ..extensions import db
from ..models import Programme, ProgrammeCost, ProgrammeSession, SessionStaffTime
from ..models.delivery import MAX_COST_PENCE, MAX_MINUTES_PER_PERSON, STAFF_ROLES
from ..timeutil import utcnow
from . import audit

_HOURS = re.compile(r"[0-9]{1,2}(?:\.[0-9]{1,2})?|\.[0-9]{1,2}")
_HOURS_MINUTES = re.compile(r"([0-9]{1,2}):([0-5][0-9])")
_MONEY = re.compile(r"£? *([0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,9})(?:\.([0-9]{1,2}))?")
# A term longer than this is a typo (a year typed wrong), not a term.
MAX_TERM_DAYS = 366


def parse_hours(text: str) -> int:
    """Hours as typed ("2", "2.5", "2:30") as whole minutes, 1 minute to 24 hours.
    Raises ValidationError (code invalid_hours) for anything else."""
    text = (text or "").strip().lower().removesuffix("h").strip()
    if m := _HOURS_MINUTES.fullmatch(text):
        minutes = int(m[1]) * 60 + int(m[2])
    elif _HOURS.fullmatch(text):
        minutes = int((Decimal(text) * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    else:
        raise ValidationError("Enter the hours as a number, like 2 or 2.5 (or 2:30).", code="invalid_hours",
                              field="hours")
    if minutes < 1:
        raise ValidationError("Enter a time of at least one minute.", code="invalid_hours", field="hours")
    if minutes > MAX_MINUTES_PER_PERSON:
        raise ValidationError("One person's time at one session can't be more than 24 hours.",
                              code="invalid_hours", field="hours")
    return minutes


def parse_pounds(text: str) -> int:
    """An amount of money as typed ("1250", "£1,250.50") as whole pence, up to £10 million.
    Raises ValidationError (code invalid_amount) for anything else."""
    m = _MONEY.fullmatch((text or "").strip())
    if m is None:
        raise ValidationError("Enter the cost in pounds, like 1250 or 1,250.50.", code="invalid_amount",
                              field="amount")
    try:
        pence = int(Decimal(m[1].replace(",", "")) * 100 + Decimal((m[2] or "0").ljust(2, "0")))
    except InvalidOperation:  # pragma: no cover - the pattern allows only digits
        raise ValidationError("Enter the cost in pounds.", code="invalid_amount", field="amount")
    if pence > MAX_COST_PENCE:
        raise ValidationError("That is more than £10 million for one term: check the amount.",
                              code="invalid_amount", field="amount")
    return pence


def pounds_text(pence) -> str:
    """Pence (int or Decimal) as "£1,234.56", rounded half up to the penny."""
    value = (Decimal(pence) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"£{value:,.2f}"


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def record_staff_time(session: ProgrammeSession, *, name: str, role: str, minutes: int, by, now=None) -> SessionStaffTime:
    """Record one person's time at a session; the same person again replaces their time.
    One transaction; the session's row is locked so two phones saving the same name at once
    end as one row."""
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise ValidationError("Enter who it was (up to 120 characters).", code="invalid_name", field="name")
    if role not in STAFF_ROLES:
        raise ValidationError("Choose staff or volunteer.", code="invalid_role", field="role")
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES_PER_PERSON:
        raise ValidationError("One person's time at one session is 1 minute to 24 hours.", code="invalid_hours",
                              field="hours")
    now = now or utcnow()
    lock_row(db.session, ProgrammeSession, session.id)
    entry = db.session.execute(select(SessionStaffTime).where(
        SessionStaffTime.session_id == session.id, SessionStaffTime.name_key == _name_key(name))).scalar_one_or_none()
    if entry is None:
        entry = SessionStaffTime(session_id=session.id, name_key=_name_key(name))
        db.session.add(entry)
    entry.name, entry.role, entry.minutes = name, role, minutes
    entry.recorded_by_id, entry.recorded_at = getattr(by, "id", None), now
    db.session.flush()
    audit.record("session.staff_time_recorded", actor=by, organisation=session.programme.organisation,
                 subject=session, now=now, role=role, minutes=minutes)
    db.session.commit()
    return entry


def remove_staff_time(entry: SessionStaffTime, *, by, now=None) -> None:
    session = entry.session
    audit.record("session.staff_time_removed", actor=by, organisation=session.programme.organisation,
                 subject=session, now=now or utcnow(), role=entry.role, minutes=entry.minutes)
    db.session.delete(entry)
    db.session.commit()


def staff_time(session: ProgrammeSession) -> list[SessionStaffTime]:
    return list(db.session.execute(select(SessionStaffTime).where(SessionStaffTime.session_id == session.id)
                                   .order_by(SessionStaffTime.role, SessionStaffTime.name_key)).scalars())


@dataclass(frozen=True)
class TermCost:
    term: str
    first_day: date
    last_day: date
    amount_pence: int
    note: str | None = None


def add_programme_cost(programme: Programme, cost: TermCost, *, by, now=None) -> ProgrammeCost:
    """A programme's cost for one term. Terms of one programme never overlap, so no day's
    cost is counted twice. Codes: invalid_term, invalid_days, term_too_long, overlapping_term,
    invalid_amount."""
    term = " ".join((cost.term or "").split())
    if not term or len(term) > 60:
        raise ValidationError("Name the term (up to 60 characters), like Autumn 2026.", code="invalid_term",
                              field="term")
    if cost.last_day < cost.first_day:
        raise ValidationError("The last day comes before the first day.", code="invalid_days", field="last_day")
    if (cost.last_day - cost.first_day).days + 1 > MAX_TERM_DAYS:
        raise ValidationError("A term can be at most a year long.", code="term_too_long", field="last_day")
    if not isinstance(cost.amount_pence, int) or not 0 <= cost.amount_pence <= MAX_COST_PENCE:
        raise ValidationError("Enter a cost from £0 to £10 million.", code="invalid_amount", field="amount")
    now = now or utcnow()
    lock_row(db.session, Programme, programme.id)
    clash = db.session.execute(select(ProgrammeCost).where(
        ProgrammeCost.programme_id == programme.id, ProgrammeCost.first_day <= cost.last_day,
        ProgrammeCost.last_day >= cost.first_day)).scalars().first()
    if clash is not None:
        raise ValidationError(f"These dates overlap {clash.term} ({clash.first_day:%-d %b %Y} to "
                              f"{clash.last_day:%-d %b %Y}). Remove that term first, or change the dates.",
                              code="overlapping_term", field="first_day")
    row = ProgrammeCost(programme_id=programme.id, term=term, first_day=cost.first_day, last_day=cost.last_day,
                        amount_pence=cost.amount_pence, note=(cost.note or "").strip() or None,
                        entered_by_id=getattr(by, "id", None), entered_at=now)
    db.session.add(row)
    db.session.flush()
    audit.record("programme.cost_entered", actor=by, organisation=programme.organisation, subject=programme,
                 now=now, term=term, amount_pence=cost.amount_pence)
    db.session.commit()
    return row


def remove_programme_cost(row: ProgrammeCost, *, by, now=None) -> None:
    audit.record("programme.cost_removed", actor=by, organisation=row.programme.organisation, subject=row.programme,
                 now=now or utcnow(), term=row.term, amount_pence=row.amount_pence)
    db.session.delete(row)
    db.session.commit()


def programme_costs(programme: Programme) -> list[ProgrammeCost]:
    return list(db.session.execute(select(ProgrammeCost).where(ProgrammeCost.programme_id == programme.id)
                                   .order_by(ProgrammeCost.first_day)).scalars())
