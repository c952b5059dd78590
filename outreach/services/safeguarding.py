"""Safeguarding concerns: raised by any member of staff, read by the designated safeguarding leads.

- Any member of an organisation raises a concern: about a young person the organisation knows
  (privacy.py), or about someone not named, with what was seen or said in the words used, when,
  where, who else knows and any action taken. Its designated safeguarding leads are told at once
  by email through the outbox; the email says only that a concern was raised, where and when,
  and links to it (email is not a safe place for its text or the young person's name).
- Only the organisation's designated safeguarding leads (Membership.is_safeguarding_lead) read
  a concern's text and history; the member who raised it sees that it was received and its
  status. Platform admins and the organisation's other leads do not (access.py).
- A designated lead moves it: open -> under review -> referred (to a body, with the reference and
  date) -> closed (with a reason); a closed concern can be reopened for review. Every step is
  in its history (who, when, from, to) and every view and change in the audit log, whose detail
  never holds the concern's text.
- A concern is never deleted: erasing or anonymising the young person keeps it, with their
  initials and date of birth (pseudonyms.reference) and their name taken out of its text.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, select

from .. import signals
from ..database import lock_row
from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import (CONCERN_STATUSES, REFERRAL_BODIES, Concern, ConcernChange, Membership, Organisation,
                      YoungPerson)
from ..privacy import is_known
from ..timeutil import utcnow
from . import audit, one_time, pseudonyms

# Raising one a few minutes "in the future" is a phone's clock, not a mistake.
_CLOCK_SLACK = timedelta(minutes=10)

# Where a designated lead may move a concern from each status.
TRANSITIONS = {
    "open": ("under_review", "referred", "closed"),
    "under_review": ("referred", "closed"),
    "referred": ("under_review", "closed"),
    "closed": ("under_review",),
}


@dataclass
class ConcernDetails:
    what_happened: str
    occurred_at: datetime
    young_person_id: int | None = None
    unnamed_description: str | None = None
    location: str | None = None
    others_aware: str | None = None
    action_taken: str | None = None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def safeguarding_leads(org: Organisation) -> list[Membership]:
    return db.session.execute(select(Membership).where(Membership.organisation_id == org.id,
                                                       Membership.is_safeguarding_lead.is_(True))
                              .order_by(Membership.id)).scalars().all()


def has_safeguarding_lead(org: Organisation) -> bool:
    return db.session.execute(select(Membership.id).where(Membership.organisation_id == org.id,
                                                          Membership.is_safeguarding_lead.is_(True))).first() \
        is not None


def raise_concern(org: Organisation, raised_by, details: ConcernDetails, *, session=None, once: str | None = None,
                  now: datetime | None = None) -> Concern:
    """Record a concern and queue the email to the designated safeguarding leads, in one transaction.

    ValidationError codes: about_whom_required, unknown_young_person, what_required,
    occurred_in_future. `once` is the form's one-time token (a repeat raises AlreadySavedError)."""
    now = now or utcnow()
    what = _clean(details.what_happened)
    unnamed = _clean(details.unnamed_description)
    young_person = None
    if details.young_person_id is not None:
        young_person = db.session.get(YoungPerson, details.young_person_id) \
            if isinstance(details.young_person_id, int) else None
        if young_person is None or young_person.erased_at is not None or not is_known(org.id, young_person.id):
            raise ValidationError("Choose a young person from the list.", code="unknown_young_person",
                                  field="about")
    elif not unnamed:
        raise ValidationError("Say who it is about: choose a name, or describe the person if you don't know it.",
                              code="about_whom_required", field="unnamed_description")
    if not what:
        raise ValidationError("Write what you saw or heard, in the words used.", code="what_required",
                              field="what_happened")
    if details.occurred_at > now + _CLOCK_SLACK:
        raise ValidationError("The time can't be in the future.", code="occurred_in_future", field="occurred_at")
    claimed = one_time.claim(raised_by, "raise_concern", once, now=now)
    concern = Concern(
        organisation_id=org.id, raised_by_id=raised_by.id, raised_at=now, updated_at=now,
        session_id=session.id if session is not None else None,
        young_person_id=young_person.id if young_person else None,
        subject_reference=pseudonyms.reference(young_person.first_name, young_person.last_name,
                                               young_person.date_of_birth) if young_person else None,
        subject_date_of_birth=young_person.date_of_birth if young_person else None,
        unnamed_description=None if young_person else unnamed,
        what_happened=what, occurred_at=details.occurred_at, location=_clean(details.location),
        others_aware=_clean(details.others_aware), action_taken=_clean(details.action_taken), status="open")
    db.session.add(concern)
    db.session.flush()
    one_time.made(claimed, concern)
    db.session.add(ConcernChange(concern_id=concern.id, at=now, by_id=raised_by.id, to_status="open",
                                 note="Raised"))
    audit.record("concern.raised", actor=raised_by, organisation=org, subject=concern, now=now)
    signals.concern_raised.send(None, concern=concern, leads=safeguarding_leads(org))
    db.session.commit()
    return concern


# ------------------------------------------------------------------ the raiser's view

@dataclass(frozen=True)
class RaisedConcern:
    """What the member who raised a concern sees of it: that it was received, and its status."""

    raised_at: datetime
    status: str
    status_label: str


def raised_by(org: Organisation, user) -> list[RaisedConcern]:
    rows = db.session.execute(select(Concern.raised_at, Concern.status)
                              .where(Concern.organisation_id == org.id, Concern.raised_by_id == user.id)
                              .order_by(Concern.raised_at.desc(), Concern.id.desc())).all()
    return [RaisedConcern(at, status, CONCERN_STATUSES[status]) for at, status in rows]


# ------------------------------------------------------------------ the designated lead's view

_ORDER = case({"open": 0, "under_review": 1, "referred": 2, "closed": 3}, value=Concern.status)


def for_safeguarding_lead(org: Organisation, lead, *, status: str | None = None,
                          now: datetime | None = None) -> list[Concern]:
    """The organisation's concerns, open ones first, newest first within a status; the listing is
    audited (the list names who each concern is about)."""
    query = select(Concern).where(Concern.organisation_id == org.id)
    if status in CONCERN_STATUSES:
        query = query.where(Concern.status == status)
    concerns = db.session.execute(query.order_by(_ORDER, Concern.raised_at.desc(), Concern.id.desc())
                                  ).scalars().all()
    audit.record("concerns.listed", actor=lead, organisation=org, now=now, status=status or "all",
                 shown=len(concerns))
    db.session.commit()
    return concerns


def counts_by_status(org: Organisation) -> dict[str, int]:
    from sqlalchemy import func

    rows = db.session.execute(select(Concern.status, func.count()).where(Concern.organisation_id == org.id)
                              .group_by(Concern.status)).all()
    return {status: dict(rows).get(status, 0) for status in CONCERN_STATUSES}


def open_concern(concern: Concern, lead, *, now: datetime | None = None) -> Concern:
    """A designated lead opens a concern: the view is audited (no text in the log)."""
    audit.record("concern.viewed", actor=lead, organisation=concern.organisation, subject=concern, now=now)
    db.session.commit()
    return concern


def who_opened(concern: Concern):
    """(when, user id, action) of each audited view and change of this concern, newest first."""
    from ..models import AuditEvent

    return db.session.execute(select(AuditEvent.occurred_at, AuditEvent.actor_id, AuditEvent.action)
                              .where(AuditEvent.subject_type == "Concern", AuditEvent.subject_id == concern.id)
                              .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())).all()


@dataclass
class StatusChange:
    to: str
    referred_to: str | None = None
    referred_to_other: str | None = None
    referral_reference: str | None = None
    referred_on: date | None = None
    reason: str | None = None


def change_status(concern: Concern, lead, change: StatusChange, *, now: datetime | None = None) -> Concern:
    """Move a concern along the workflow (TRANSITIONS), with its history and an audit event.

    Referred needs the body (and its name for "other"), the reference and the date; closed needs a
    reason. Codes: invalid_status, not_allowed, referral_body_required, referral_other_required,
    referral_reference_required, referred_on_required, referred_on_future, reason_required."""
    now = now or utcnow()
    to = change.to
    if to not in CONCERN_STATUSES:
        raise ValidationError("Choose a status from the list.", code="invalid_status", field="to")
    # Two designated leads changing one concern at once: the second sees the first's change.
    concern = lock_row(db.session, Concern, concern.id)
    before = concern.status
    if to not in TRANSITIONS[before]:
        raise ConflictError(f"A concern that is {CONCERN_STATUSES[before].lower()} can't be moved to "
                            f"{CONCERN_STATUSES[to].lower()}.", code="not_allowed")
    note = None
    if to == "referred":
        body = change.referred_to
        if body not in REFERRAL_BODIES:
            raise ValidationError("Choose who it was referred to.", code="referral_body_required",
                                  field="referred_to")
        other = _clean(change.referred_to_other)
        if body == "other" and not other:
            raise ValidationError("Say who it was referred to.", code="referral_other_required",
                                  field="referred_to_other")
        reference = _clean(change.referral_reference)
        if not reference:
            raise ValidationError("Enter the reference they gave.", code="referral_reference_required",
                                  field="referral_reference")
        if change.referred_on is None:
            raise ValidationError("Enter the date it was referred.", code="referred_on_required",
                                  field="referred_on")
        if change.referred_on > now.date() + timedelta(days=1):
            raise ValidationError("The referral date can't be in the future.", code="referred_on_future",
                                  field="referred_on")
        concern.referred_to, concern.referred_to_other = body, other if body == "other" else None
        concern.referral_reference, concern.referred_on = reference, change.referred_on
        note = (f"Referred to {concern.referred_to_label}, reference {reference}, on "
                f"{change.referred_on.day} {change.referred_on:%b %Y}")
    elif to == "closed":
        reason = _clean(change.reason)
        if not reason:
            raise ValidationError("Give the reason for closing it.", code="reason_required", field="reason")
        concern.closed_reason = reason
        note = f"Closed: {reason}"
    elif before == "closed":
        note = _clean(change.reason) or "Reopened for review"
    concern.status, concern.updated_at = to, now
    db.session.add(ConcernChange(concern_id=concern.id, at=now, by_id=lead.id, from_status=before, to_status=to,
                                 note=note))
    audit.record("concern.status_changed", actor=lead, organisation=concern.organisation, subject=concern,
                 now=now, **{"from": before, "to": to})
    db.session.commit()
    return concern


def about(concern: Concern) -> str:
    """Whom a concern is about, for its designated leads: the young person's name while their
    record holds it, else their reference; or the description of someone not named."""
    yp = concern.young_person
    if concern.young_person_id is None and concern.subject_reference is None:
        return "Someone not named: " + (concern.unnamed_description or "")
    if yp is not None and yp.erased_at is None and yp.anonymised_at is None:
        return f"{yp.display_name} ({concern.subject_reference})"
    gone = "record erased by the family" if yp is not None and yp.erased_at else "record anonymised"
    return f"{concern.subject_reference} ({gone})"


# ------------------------------------------------------------------ erasure, anonymisation, retention

def keep_for_erased(yp: YoungPerson, *, reason: str, now: datetime) -> int:
    """Before a young person's record is erased or anonymised: their concerns stay, with the name
    taken out of the text (pseudonyms.without_name) and a line in each one's history. Returns how
    many concerns were about them. The caller commits."""
    concerns = db.session.execute(select(Concern).where(Concern.young_person_id == yp.id)).scalars().all()
    for concern in concerns:
        for name in ("what_happened", "others_aware", "action_taken", "location"):
            setattr(concern, name, pseudonyms.without_name(getattr(concern, name), yp.first_name, yp.last_name))
        db.session.add(ConcernChange(concern_id=concern.id, at=now, note=(
            f"The young person's record was {reason}: the concern is kept, their name in it replaced by "
            "initials.")))
    return len(concerns)


def organisations_holding(yp: YoungPerson) -> list[str]:
    """Names of the organisations that hold safeguarding concerns about a young person (for the
    family's download, which says they exist and nothing of what they say)."""
    return db.session.execute(select(Organisation.name).join(Concern, Concern.organisation_id == Organisation.id)
                              .where(Concern.young_person_id == yp.id).distinct()
                              .order_by(Organisation.name)).scalars().all()


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def past_review(*, now: datetime, age: int, years_after: int):
    """A WHERE clause for concerns past their review date: the young person's `age`th birthday plus
    `years_after` years; for someone not named (no date of birth), that many years after it was
    raised (as if they were a newborn: never sooner than for any child)."""
    from sqlalchemy import and_, or_

    born_by = _years_before(now.date(), age + years_after)
    raised_by_ = datetime.combine(_years_before(now.date(), age + years_after), datetime.min.time(),
                                  tzinfo=now.tzinfo)
    return or_(Concern.subject_date_of_birth < born_by,
               and_(Concern.subject_date_of_birth.is_(None), Concern.raised_at < raised_by_))


def due_for_review(*, now: datetime, age: int, years_after: int) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(Concern)
                             .where(past_review(now=now, age=age, years_after=years_after)))
