"""Guardians and their children: add, update, see, download and erase.

Only a guardian's account adds children and gives a parent's consent. A young
person's own account (one that signed up alone, from the age of consent)
manages only their own profile: it has no children, whatever links it holds.

Erasure keeps the young person's row and attendances (so the evaluation's
anonymous counts stay true) and blanks every personal field.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from . import audit, consent, contact_notes, incidents, milestones, passes, referrals, safeguarding
from .accounts import is_young_person
from . import one_time
from ..errors import N_, NotFoundError, PermissionDeniedError, ValidationError
from ..extensions import db
from ..models import EqualityAnswers
from ..models.equality import ETHNIC_GROUPS, YES_NO
from ..models import (Attendance, AuthorisedCollector, ComparisonMember, Consent, FeedbackResponse, GuardianLink,
                      Incident, IncidentPerson, Pass, Registration, YoungPerson)
from ..timeutil import age_on, utcnow


@dataclass
class ChildDetails:
    first_name: str
    last_name: str
    date_of_birth: date
    emergency_contact_name: str
    emergency_contact_phone: str
    gender: str | None = None
    postcode_district: str | None = None
    medical_notes: str | None = None
    photo_consent: bool = False
    may_go_home_alone: bool = False
    collectors: list[dict] = field(default_factory=list)  # [{"name":..., "relationship_label":..., "phone":...}]


def _validate(details: ChildDetails, *, today: date):
    if details.date_of_birth > today:
        raise ValidationError(N_("The date of birth can't be in the future."), code="dob_in_future",
                              field="date_of_birth")
    if age_on(details.date_of_birth, today) > 25:
        raise ValidationError(N_("Outreach is for young people up to 25."), code="too_old", field="date_of_birth")


_FIELDS = ("first_name", "last_name", "date_of_birth", "emergency_contact_name", "emergency_contact_phone",
           "gender", "medical_notes", "photo_consent", "may_go_home_alone")


def _apply(yp: YoungPerson, details: ChildDetails):
    for name in _FIELDS:
        setattr(yp, name, getattr(details, name))
    yp.postcode_district = details.postcode_district.upper() if details.postcode_district else None
    yp.collectors = [AuthorisedCollector(**c) for c in details.collectors if c.get("name")]


def _snapshot(yp: YoungPerson) -> dict:
    values = {name: getattr(yp, name) for name in _FIELDS}
    values["postcode_district"] = yp.postcode_district
    values["collectors"] = sorted((c.name, c.relationship_label or "", c.phone or "") for c in yp.collectors)
    return values


def check_is_guardian_account(user) -> None:
    """PermissionDeniedError(code="young_person_account") for a young person's own account:
    it cannot add children or give a parent's consent, so it cannot act as anyone's parent."""
    if is_young_person(user):
        raise PermissionDeniedError(
            N_("Your account is your own young person's account, so it can't add children or give a parent's "
               "consent. A parent or carer can make their own account and add a child there."),
            code="young_person_account")


def add_child(guardian, details: ChildDetails, *, consent_given: bool, once: str | None = None,
              now=None) -> YoungPerson:
    """A guardian adds a child: the profile, the link, the consent and the pass, in one transaction.

    `once` is the form's one-time token: a repeat raises one_time.AlreadySavedError and adds nobody."""
    check_is_guardian_account(guardian)
    now = now or utcnow()
    _validate(details, today=now.date())
    if not consent_given:
        raise ValidationError(N_("Please give consent so the partners can keep these details."),
                              code="consent_required", field="consent")
    claimed = one_time.claim(guardian, "add_child", once, now=now)
    yp = YoungPerson(created_by_id=guardian.id, created_at=now)
    _apply(yp, details)
    db.session.add(yp)
    db.session.flush()
    one_time.made(claimed, yp)
    db.session.add(GuardianLink(guardian_id=guardian.id, young_person_id=yp.id, created_at=now))
    consent.record_consent(yp, given_by=guardian, kind="guardian", now=now)
    passes.ensure_pass(yp, now=now, commit=False)
    audit.record("young_person.created", actor=guardian, subject=yp, now=now)
    db.session.commit()
    return yp


def update_child(guardian, yp: YoungPerson, details: ChildDetails, *, now=None) -> YoungPerson:
    now = now or utcnow()
    _validate(details, today=now.date())
    before = _snapshot(yp)
    _apply(yp, details)
    after = _snapshot(yp)
    # Which fields changed, never their values: the log must not become a copy of the data.
    changed = sorted(k for k in after if after[k] != before[k])
    audit.record("young_person.updated", actor=guardian, subject=yp, now=now, changed=changed)
    db.session.commit()
    return yp


def check_may_give_consent(user, yp: YoungPerson) -> None:
    """A parent's consent comes only from a guardian's account linked to the child: else PermissionDeniedError."""
    check_is_guardian_account(user)
    if not _is_guardian_of(user, yp):
        raise PermissionDeniedError(N_("Only a parent or carer linked to this young person can give this consent."),
                                    code="not_their_guardian")


def give_consent(guardian, yp: YoungPerson, *, now=None):
    """A guardian's consent for their child (see check_may_give_consent)."""
    check_may_give_consent(guardian, yp)
    consent.record_consent(yp, given_by=guardian, kind="guardian", now=now)
    audit.record("young_person.consent_given", actor=guardian, subject=yp, now=now)
    db.session.commit()


def children_of(user) -> list[YoungPerson]:
    """The user's children: none for a young person's own account."""
    if is_young_person(user):
        return []
    return db.session.execute(
        select(YoungPerson).join(GuardianLink).where(GuardianLink.guardian_id == user.id,
                                                     YoungPerson.erased_at.is_(None))
        .order_by(YoungPerson.first_name)
    ).scalars().all()


def load_child(user, young_person_id: int) -> YoungPerson:
    """A child the user may manage: their guardian, or the young person themselves. Else 404."""
    yp = db.session.get(YoungPerson, young_person_id)
    if yp is None or yp.erased_at is not None or not may_manage(user, yp):
        raise NotFoundError(N_("We couldn't find that young person in your family."), code="not_found")
    return yp


def may_manage(user, yp: YoungPerson) -> bool:
    """The young person themself, or a guardian's account linked to them (a young person's own
    account manages only themself, even with a guardian link made before that rule)."""
    if yp.user_id is not None and yp.user_id == user.id:
        return True
    return _is_guardian_of(user, yp) and not is_young_person(user)


def _is_guardian_of(user, yp: YoungPerson) -> bool:
    return db.session.execute(
        select(GuardianLink).where(GuardianLink.guardian_id == user.id, GuardianLink.young_person_id == yp.id)
    ).first() is not None


def export_child(user, yp: YoungPerson, *, now=None) -> dict:
    """Everything held about a young person, as plain data for a JSON download."""
    if not may_manage(user, yp):
        raise PermissionDeniedError(N_("Only a guardian or the young person can download this."), code="forbidden")
    now = now or utcnow()

    def iso(v):
        return v.isoformat() if v is not None else None

    regs = db.session.execute(select(Registration).where(Registration.young_person_id == yp.id)).scalars().all()
    atts = db.session.execute(select(Attendance).where(Attendance.young_person_id == yp.id)).scalars().all()
    data = {
        "exported_at": iso(now),
        "young_person": {
            "first_name": yp.first_name, "last_name": yp.last_name, "date_of_birth": iso(yp.date_of_birth),
            "gender": yp.gender, "postcode_district": yp.postcode_district,
            "emergency_contact_name": yp.emergency_contact_name,
            "emergency_contact_phone": yp.emergency_contact_phone, "medical_notes": yp.medical_notes,
            "photo_consent": yp.photo_consent, "may_go_home_alone": yp.may_go_home_alone,
            "created_at": iso(yp.created_at),
        },
        "authorised_collectors": [{"name": c.name, "relationship": c.relationship_label, "phone": c.phone}
                                  for c in yp.collectors],
        "guardians": [{"name": link.guardian.full_name, "email": link.guardian.email}
                      for link in yp.guardian_links],
        "consents": [{"kind": c.kind, "wording_version": c.wording_version, "given_at": iso(c.given_at),
                      "wording": consent.wording(c.kind, c.wording_version) if c.wording_version in consent.WORDINGS
                      else None}
                     for c in db.session.execute(select(Consent).where(Consent.young_person_id == yp.id)).scalars()],
        "passes": [{"created_at": iso(p.created_at), "revoked_at": iso(p.revoked_at)}
                   for p in db.session.execute(select(Pass).where(Pass.young_person_id == yp.id)).scalars()],
        "bookings": [{"programme": (r.programme or r.session.programme).title,
                      "session_starts_at": iso(r.session.starts_at) if r.session else None,
                      "status": r.status, "booked_at": iso(r.created_at)} for r in regs],
        "attendance": [{"programme": a.session.programme.title, "session_starts_at": iso(a.session.starts_at),
                        "checked_in_at": iso(a.checked_in_at), "checked_out_at": iso(a.checked_out_at),
                        "collected_by": a.collected_by} for a in atts],
        # Programmes whose comparison group they are in (services/comparison.py).
        "comparison_groups": [{"programme": m.programme.title, "how": m.source_label, "added_at": iso(m.added_at)}
                              for m in db.session.execute(select(ComparisonMember).where(
                                  ComparisonMember.young_person_id == yp.id)).scalars()],
        # The optional equality answers, as given (models/equality.py); none when not answered.
        "equality_monitoring": _equality_answers(yp),
        "incidents": [{"organisation": i.organisation.name, "occurred_at": iso(i.occurred_at),
                       "place": i.location, "what_happened": i.what_happened, "first_aid_given": i.first_aid,
                       "follow_up": i.follow_up, "injured": p.injured}
                      for p, i in db.session.execute(select(IncidentPerson, Incident).join(Incident)
                                                     .where(IncidentPerson.young_person_id == yp.id)
                                                     .order_by(Incident.occurred_at)).all()],
    }
    data.update(timeline_for_family(yp, iso))
    holders = safeguarding.organisations_holding(yp)
    if holders:
        # That they exist, and who decides: never what they say (the designated lead decides
        # what is disclosed, as the law allows where disclosure could put a child at risk).
        data["safeguarding_records"] = {
            "held_by": holders,
            "note": N_("Safeguarding records about this young person are held by the organisation(s) named here. "
                       "They are not part of this download: each organisation's designated safeguarding lead "
                       "decides what is disclosed. To ask for them, contact the organisation."),
        }
    audit.record("young_person.exported", actor=user, subject=yp, now=now)
    db.session.commit()
    return data


def _equality_answers(yp) -> dict | None:
    row = db.session.get(EqualityAnswers, yp.id)
    if row is None:
        return None
    return {"ethnic_group": ETHNIC_GROUPS.get(row.ethnic_group), "disability": YES_NO.get(row.disability),
            "special_educational_needs": YES_NO.get(row.special_needs), "answered_at": row.answered_at.isoformat()}
def timeline_for_family(yp: YoungPerson, iso) -> dict:
    """The timeline records in the family's download: notes for all staff, milestones and
    referrals in full; of notes for leads only, that they exist and who holds them (each
    organisation's leads decide what is disclosed, as for safeguarding concerns)."""
    from ..models import ContactNote, Milestone, Organisation, Referral

    notes = db.session.execute(select(ContactNote).where(ContactNote.young_person_id == yp.id)
                               .order_by(ContactNote.contact_on, ContactNote.id)).scalars().all()
    out = {
        "contact_notes": [{"organisation": n.organisation.name, "date": iso(n.contact_on), "how": n.contact_label,
                           "note": n.text} for n in notes if not n.restricted],
        "milestones": [{"organisation": db.session.get(Organisation, m.organisation_id).name,
                        "milestone": m.kind.name, "date": iso(m.reached_on), "note": m.note}
                       for m in db.session.execute(select(Milestone).where(Milestone.young_person_id == yp.id)
                                                   .order_by(Milestone.reached_on)).scalars()],
        "referrals": [{"organisation": r.organisation.name, "date": iso(r.referred_on),
                       "direction": "referred in" if r.direction == "in" else "signposted out",
                       "programme": r.programme.title if r.programme else None,
                       **({"referred_by": r.source_label} if r.direction == "in" else
                          {"signposted_to": r.signposted_to, "what_came_of_it": r.outcome_label}),
                       "note": r.note}
                      for r in db.session.execute(select(Referral).where(Referral.young_person_id == yp.id)
                                                  .order_by(Referral.referred_on)).scalars()],
    }
    holders = sorted({n.organisation.name for n in notes if n.restricted})
    if holders:
        out["restricted_notes"] = {
            "held_by": holders,
            "note": N_("Some notes about this young person are kept for the leads of the organisation(s) named "
                       "here. They are not part of this download: each organisation's leads and designated "
                       "safeguarding lead decide what is disclosed. To ask for them, contact the organisation."),
        }
    return out


def erase_child(user, yp: YoungPerson, *, now=None) -> None:
    """Erase a young person's personal data. Attendance rows stay, anonymous, for the counts."""
    if not may_manage(user, yp):
        raise PermissionDeniedError(N_("Only a guardian or the young person can delete this."), code="forbidden")
    now = now or utcnow()
    # Safeguarding concerns and incident records stay (the law allows keeping them), without the
    # name in their text: done first, while the name is still there to find.
    safeguarding.keep_for_erased(yp, reason="erased by the family", now=now)
    incidents.keep_for_erased(yp, now=now)
    # The timeline: every contact note goes (a safeguarding matter is a concern, kept above);
    # milestones and referrals stay, anonymous and without their notes, for the programmes' counts.
    contact_notes.on_erased(yp)
    milestones.on_erased(yp)
    referrals.on_erased(yp)
    for name in ("first_name", "last_name", "date_of_birth", "gender", "postcode_district",
                 "emergency_contact_name", "emergency_contact_phone", "medical_notes"):
        setattr(yp, name, None)
    yp.photo_consent = yp.may_go_home_alone = False
    yp.erased_at = now
    yp.collectors = []
    own_login = yp.user_id
    yp.user_id = None
    for p in db.session.execute(select(Pass).where(Pass.young_person_id == yp.id, Pass.revoked_at.is_(None))).scalars():
        p.revoked_at, p.revoke_reason = now, "Erased"
    for a in db.session.execute(select(Attendance).where(Attendance.young_person_id == yp.id)).scalars():
        a.collected_by = None
        a.notes = None
    for r in db.session.execute(select(Registration).where(Registration.young_person_id == yp.id,
                                                           Registration.status != "cancelled")).scalars():
        r.status, r.cancelled_at = "cancelled", now
    db.session.execute(GuardianLink.__table__.delete().where(GuardianLink.young_person_id == yp.id))
    # The optional equality answers go with the rest (special category data, kept for nothing).
    db.session.execute(EqualityAnswers.__table__.delete().where(EqualityAnswers.young_person_id == yp.id))
    # Out of every comparison group; answers already given stay, anonymous, marked as comparison.
    db.session.execute(ComparisonMember.__table__.delete().where(ComparisonMember.young_person_id == yp.id))
    from . import follow_up
    follow_up.forget(yp)  # contact attempts are notes about reaching them
    db.session.execute(FeedbackResponse.__table__.update().where(FeedbackResponse.young_person_id == yp.id)
                       .values(young_person_id=None))
    audit.record("young_person.erased", actor=user, subject=yp, now=now, own_login_removed=bool(own_login))
    db.session.commit()


def own_profile(user) -> YoungPerson | None:
    """The young person profile linked to this login (a young person signed up on their own)."""
    return db.session.execute(
        select(YoungPerson).where(YoungPerson.user_id == user.id, YoungPerson.erased_at.is_(None))
    ).scalar_one_or_none()


@dataclass
class BookingLine:
    registration: Registration
    title: str
    when: object  # datetime of the session, or of the programme's next session
    tz: str
    waitlist_position: int | None


def bookings_by_child(people) -> dict[int, list[BookingLine]]:
    """Live bookings per young person, soonest first, with waiting-list positions."""
    from .registration import waitlist_position

    ids = [yp.id for yp in people]
    result = {i: [] for i in ids}
    if not ids:
        return result
    regs = db.session.execute(
        select(Registration).where(Registration.young_person_id.in_(ids), Registration.status != "cancelled")
    ).scalars().all()
    now = utcnow()
    for reg in regs:
        if reg.session is not None:
            programme, when = reg.session.programme, reg.session.starts_at
            if when < now:
                continue
        else:
            programme = reg.programme
            upcoming = [s for s in programme.sessions if s.starts_at >= now and s.status == "scheduled"]
            when = upcoming[0].starts_at if upcoming else None
        result[reg.young_person_id].append(BookingLine(
            reg, programme.title, when, programme.organisation.timezone, waitlist_position(reg)))
    for lines in result.values():
        lines.sort(key=lambda b: (b.when is None, b.when))
    return result


def bookable_programme(programme_id: int):
    from ..models import Organisation, Programme

    return db.session.execute(
        select(Programme).join(Organisation).where(Programme.id == programme_id, Programme.is_published.is_(True),
                                                   Organisation.status == "approved")
    ).scalar_one_or_none()


def upcoming_sessions(programme, now):
    from ..models import ProgrammeSession

    return db.session.execute(
        select(ProgrammeSession).where(ProgrammeSession.programme_id == programme.id,
                                       ProgrammeSession.status == "scheduled", ProgrammeSession.starts_at > now)
        .order_by(ProgrammeSession.starts_at)
    ).scalars().all()


def places_for(sessions) -> dict[int, int]:
    from .places import places_left_for_sessions

    return places_left_for_sessions([s.id for s in sessions]) if sessions else {}


def people_of(user) -> list[YoungPerson]:
    """Whom this login books for: their own profile (a young person's account), then their children."""
    own = own_profile(user)
    return ([own] if own else []) + children_of(user)


def not_offered(people, programme, sessions, chosen=None, *, now) -> dict:
    """For the booking page: per young person id, why they cannot be booked (shown greyed: a
    DomainError, which the page words with .translated()), or None.

    Against the chosen session, or the course; with no session chosen yet on a per-session
    programme, a young person is greyed only when no upcoming session would take them (the
    reason given is the first session's)."""
    from . import registration

    if programme.registration_mode == "drop_in" or not sessions or not people:
        return {}
    if programme.registration_mode == "enrol":
        return registration.eligibility_errors(people, programme, None, now=now)
    if chosen is not None:
        return registration.eligibility_errors(people, programme, chosen, now=now)
    per_session = [registration.eligibility_errors(people, programme, s, now=now) for s in sessions]
    return {yp.id: (per_session[0][yp.id] if all(e[yp.id] for e in per_session) else None) for yp in people}
