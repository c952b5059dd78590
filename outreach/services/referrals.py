"""Referrals in and out: who sent a young person to a programme, and where the organisation
signposted them and what came of it.

- In: the date, the programme, who referred them (school, police, social care, self, family,
  other: with who).
- Out: the date, the programme they were on, to whom they were signposted, and later what came
  of it (took it up, chose not to, not accepted there, lost contact), with a short note.
- Any member of an organisation that knows the young person records both (privacy.py); every
  member of the organisation reads them.
- Per programme they feed the dashboard and the report to share (metrics/referrals.py, small
  numbers suppressed).
- Kept for RETENTION_REFERRALS_DAYS after the referral's date (services/retention.py). Erasing or
  anonymising the young person keeps the referral, anonymous, for the counts, and removes its
  notes (the name of the service signposted to stays, with the young person's name taken out).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select

from ..errors import ValidationError
from ..extensions import db
from ..models import REFERRAL_DIRECTIONS, REFERRAL_OUTCOMES, REFERRAL_SOURCES, Organisation, Referral, YoungPerson
from ..timeutil import utcnow
from . import audit, pseudonyms
from .contact_notes import check_date, check_programme, check_young_person


def _clean(value, limit, field):
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(f"Keep it under {limit} characters.", code="too_long", field=field)
    return value or None


@dataclass
class ReferralDetails:
    direction: str
    referred_on: date | None
    programme_id: int | None = None
    source: str | None = None
    source_other: str | None = None
    signposted_to: str | None = None
    note: str | None = None


def record_referral(org: Organisation, recorder, yp: YoungPerson, details: ReferralDetails, *,
                    now: datetime | None = None) -> Referral:
    """Codes: unknown_young_person, unknown_direction, source_required, source_other_required,
    signposted_to_required, unknown_programme, date_required, date_in_future, too_long."""
    now = now or utcnow()
    check_young_person(org, yp)
    if details.direction not in REFERRAL_DIRECTIONS:
        raise ValidationError("Choose referred in or signposted out.", code="unknown_direction", field="direction")
    programme = check_programme(org, details.programme_id)
    referred_on = check_date(details.referred_on, now=now, field="referred_on")
    referral = Referral(organisation_id=org.id, young_person_id=yp.id, programme_id=programme.id if programme else None,
                        direction=details.direction, referred_on=referred_on, recorded_by_id=recorder.id,
                        recorded_at=now, note=_clean(details.note, 1000, "note"))
    if details.direction == "in":
        if details.source not in REFERRAL_SOURCES:
            raise ValidationError("Choose who referred them.", code="source_required", field="source")
        other = _clean(details.source_other, 120, "source_other")
        if details.source == "other" and not other:
            raise ValidationError("Say who referred them.", code="source_other_required", field="source_other")
        referral.source, referral.source_other = details.source, other if details.source == "other" else None
    else:
        to = _clean(details.signposted_to, 200, "signposted_to")
        if not to:
            raise ValidationError("Say who you signposted them to.", code="signposted_to_required",
                                  field="signposted_to")
        referral.signposted_to, referral.outcome = to, "waiting"
    db.session.add(referral)
    db.session.flush()
    audit.record("referral.recorded", actor=recorder, organisation=org, subject=yp, now=now, referral=referral.id,
                 direction=referral.direction)
    db.session.commit()
    return referral


def record_outcome(org: Organisation, recorder, referral: Referral, outcome: str, note: str | None = None, *,
                   now: datetime | None = None) -> Referral:
    """What came of a referral out. Codes: not_a_referral_out, unknown_outcome, too_long."""
    now = now or utcnow()
    if referral.organisation_id != org.id or referral.direction != "out":
        raise ValidationError("Only a referral out has an outcome.", code="not_a_referral_out", field="outcome")
    if outcome not in REFERRAL_OUTCOMES:
        raise ValidationError("Choose what came of it.", code="unknown_outcome", field="outcome")
    referral.outcome, referral.outcome_note = outcome, _clean(note, 1000, "outcome_note")
    referral.outcome_recorded_at = now
    audit.record("referral.outcome_recorded", actor=recorder, organisation=org, subject=db.session.get(YoungPerson, referral.young_person_id), now=now, referral=referral.id,
                 outcome=outcome)
    db.session.commit()
    return referral


def of(org: Organisation, yp: YoungPerson) -> list[Referral]:
    return db.session.execute(select(Referral).where(Referral.organisation_id == org.id,
                                                     Referral.young_person_id == yp.id)
                              .order_by(Referral.referred_on.desc(), Referral.id.desc())).scalars().all()


# ------------------------------------------------------------------ erasure, anonymisation, retention

def on_erased(yp: YoungPerson) -> int:
    """Erased or anonymised: referrals stay, anonymous, for the counts; their notes go and the
    young person's name is taken out of the service's name. Call before the name is blanked."""
    rows = db.session.execute(select(Referral).where(Referral.young_person_id == yp.id)).scalars().all()
    for r in rows:
        r.note = r.outcome_note = None
        r.source_other = pseudonyms.without_name(r.source_other, yp.first_name, yp.last_name)
        r.signposted_to = pseudonyms.without_name(r.signposted_to, yp.first_name, yp.last_name)
    return len(rows)


def purge(*, now: datetime, days: int, dry_run: bool = False) -> int:
    where = Referral.referred_on < (now - timedelta(days=days)).date()
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(Referral).where(where))
    return db.session.execute(delete(Referral).where(where)).rowcount or 0
