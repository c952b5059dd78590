"""Partner organisations: applying, approval, members and invitations, settings."""
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import available_timezones

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..database import lock_row
from ..errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from ..extensions import db
from ..models import ORG_KINDS, ORG_ROLES, Invitation, Membership, Organisation, User
from ..timeutil import utcnow
from . import audit
from .admin_accounts import normalise_email

TIMEZONES = frozenset(available_timezones())


@dataclass(frozen=True)
class OrganisationDetails:
    name: str
    kind: str
    contact_email: str
    description: str = ""
    website: str | None = None
    timezone: str = "Europe/London"


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60]
    return slug or "organisation"


def _unique_slug(name: str) -> str:
    base = slugify(name)
    taken = set(db.session.execute(select(Organisation.slug).where(Organisation.slug.like(f"{base}%"))).scalars())
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _check(details: OrganisationDetails) -> OrganisationDetails:
    name = details.name.strip()
    if not name:
        raise ValidationError("Enter the organisation's name.", code="name_required", field="name")
    if details.kind not in ORG_KINDS:
        raise ValidationError("Choose what kind of organisation it is.", code="invalid_kind", field="kind")
    if details.timezone not in TIMEZONES:
        raise ValidationError("Choose a time zone from the list.", code="invalid_timezone", field="timezone")
    try:
        contact = normalise_email(details.contact_email)
    except ValidationError as err:
        raise ValidationError(err.message, code=err.code, field="contact_email") from None
    website = (details.website or "").strip() or None
    if website and not re.match(r"^https?://[^\s/]+\.[^\s]+$", website):
        raise ValidationError("Enter the website as a full address, like https://example.org.",
                              code="invalid_website", field="website")
    return OrganisationDetails(name=name, kind=details.kind, contact_email=contact,
                               description=(details.description or "").strip(), website=website,
                               timezone=details.timezone)


def apply(applicant: User, details: OrganisationDetails, *, now=None) -> Organisation:
    """A new, pending organisation with the applicant as its lead."""
    now = now or utcnow()
    details = _check(details)
    org = Organisation(name=details.name, slug=_unique_slug(details.name), kind=details.kind,
                       description=details.description, contact_email=details.contact_email,
                       website=details.website, timezone=details.timezone, status="pending",
                       applied_by_id=applicant.id, applied_at=now)
    db.session.add(org)
    db.session.flush()
    db.session.add(Membership(organisation_id=org.id, user_id=applicant.id, role="lead", created_at=now))
    audit.record("organisation.applied", actor=applicant, organisation=org, subject=org, now=now)
    db.session.flush()
    signals.organisation_applied.send(None, organisation=org)
    db.session.commit()
    return org


def update_settings(org: Organisation, details: OrganisationDetails, *, by: User, now=None) -> Organisation:
    details = _check(details)
    org.name, org.kind, org.description = details.name, details.kind, details.description
    org.contact_email, org.website, org.timezone = details.contact_email, details.website, details.timezone
    audit.record("organisation.updated", actor=by, organisation=org, subject=org, now=now)
    db.session.commit()
    return org


def by_status(status: str | None):
    q = select(Organisation).order_by(Organisation.applied_at.desc())
    if status:
        q = q.where(Organisation.status == status)
    return q


def approved() -> list[Organisation]:
    """The approved partners, by name."""
    return list(db.session.execute(select(Organisation).where(Organisation.status == "approved")
                                   .order_by(func.lower(Organisation.name), Organisation.id)).scalars())


def status_counts() -> dict[str, int]:
    return dict(db.session.execute(select(Organisation.status, func.count()).group_by(Organisation.status)).all())


def decide(org: Organisation, *, approve: bool, by: User, note: str | None = None, now=None) -> Organisation:
    now = now or utcnow()
    note = (note or "").strip() or None
    if not approve and not note:
        raise ValidationError("Give a reason: the applicant sees it in their email.", code="reason_required",
                              field="note")
    org.status = "approved" if approve else "declined"
    org.decided_by_id, org.decided_at, org.decision_note = by.id, now, note
    if not approve:
        # A declined partner's programmes leave the catalogue at once.
        for programme in org.programmes:
            programme.is_published = False
    audit.record(f"organisation.{org.status}", actor=by, organisation=org, subject=org, now=now, note=note)
    db.session.flush()
    signals.organisation_decided.send(None, organisation=org)
    db.session.commit()
    return org


NO_SAFEGUARDING_LEAD = ("Name a designated safeguarding lead before publishing: a lead does it on the Team page. "
                        "They receive and read the safeguarding concerns your staff raise.")


def ensure_can_publish(org: Organisation) -> None:
    """PermissionDeniedError unless the organisation is approved and has a designated safeguarding
    lead (codes organisation_not_approved, no_safeguarding_lead). Programmes published before the
    rule stay published: it is checked when publishing, and a lead cannot remove the last
    designated lead while any programme is published (set_safeguarding_lead, remove_member)."""
    if org.status == "approved" and not _has_safeguarding_lead(org):
        raise PermissionDeniedError(NO_SAFEGUARDING_LEAD, code="no_safeguarding_lead")
    if org.status != "approved":
        raise PermissionDeniedError(
            "Your organisation is waiting for approval by the Outreach team. You can prepare programmes "
            "now and publish them once it is approved." if org.status == "pending" else
            "Your organisation's application was declined, so it cannot publish programmes.",
            code="organisation_not_approved")


# ------------------------------------------------------------------ members

def members(org: Organisation) -> list[Membership]:
    return db.session.execute(
        select(Membership).join(User, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id).order_by(Membership.role, User.full_name)
    ).scalars().all()


def _lead_count(org: Organisation) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership)
                             .where(Membership.organisation_id == org.id, Membership.role == "lead"))


def _has_safeguarding_lead(org: Organisation) -> bool:
    return db.session.execute(select(Membership.id).where(Membership.organisation_id == org.id,
                                                          Membership.is_safeguarding_lead.is_(True))).first() \
        is not None


def _safeguarding_lead_count(org: Organisation) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership)
                             .where(Membership.organisation_id == org.id, Membership.is_safeguarding_lead.is_(True)))


def _has_published(org: Organisation) -> bool:
    from ..models import Programme

    return db.session.execute(select(Programme.id).where(Programme.organisation_id == org.id,
                                                         Programme.is_published.is_(True))).first() is not None


_LAST_DSL = ("{name} is the only designated safeguarding lead, and {org} has published programmes. "
             "Make someone else the designated safeguarding lead first.")


def set_safeguarding_lead(org: Organisation, membership_id: int, on: bool, *, by: User, now=None) -> Membership:
    """Make a member a designated safeguarding lead, or stop them being one. ConflictError
    last_safeguarding_lead for the last one while a programme is published."""
    lock_row(db.session, Organisation, org.id)
    m = _membership(org, membership_id)
    if m.is_safeguarding_lead == on:
        return m
    if not on and _safeguarding_lead_count(org) <= 1 and _has_published(org):
        raise ConflictError(_LAST_DSL.format(name=m.user.full_name, org=org.name), code="last_safeguarding_lead")
    m.is_safeguarding_lead = on
    audit.record("membership.safeguarding_lead_given" if on else "membership.safeguarding_lead_removed",
                 actor=by, organisation=org, subject=m, now=now, user_id=m.user_id)
    db.session.commit()
    return m


def _membership(org: Organisation, membership_id: int) -> Membership:
    m = db.session.execute(select(Membership).where(Membership.id == membership_id,
                                                    Membership.organisation_id == org.id)
                           .execution_options(populate_existing=True)).scalar_one_or_none()
    if m is None:
        raise NotFoundError("That person is not a member of this organisation.")
    return m


def change_role(org: Organisation, membership_id: int, role: str, *, by: User, now=None) -> Membership:
    if role not in ORG_ROLES:
        raise ValidationError("Choose lead or worker.", code="invalid_role", field="role")
    # Team changes queue on the organisation's row, so two leads removing or demoting
    # each other at once cannot leave it with no lead.
    lock_row(db.session, Organisation, org.id)
    m = _membership(org, membership_id)
    if m.role == "lead" and role != "lead" and _lead_count(org) <= 1:
        raise ConflictError("Every organisation needs at least one lead. Make someone else a lead first.",
                            code="last_lead")
    m.role = role
    audit.record("membership.role_changed", actor=by, organisation=org, subject=m, now=now, role=role)
    db.session.commit()
    return m


def remove_member(org: Organisation, membership_id: int, *, by: User, now=None) -> None:
    # Team changes queue on the organisation's row, so two leads removing or demoting
    # each other at once cannot leave it with no lead.
    lock_row(db.session, Organisation, org.id)
    m = _membership(org, membership_id)
    if m.role == "lead" and _lead_count(org) <= 1:
        raise ConflictError("Every organisation needs at least one lead. Make someone else a lead first.",
                            code="last_lead")
    if m.is_safeguarding_lead and _safeguarding_lead_count(org) <= 1 and _has_published(org):
        raise ConflictError(_LAST_DSL.format(name=m.user.full_name, org=org.name), code="last_safeguarding_lead")
    audit.record("membership.removed", actor=by, organisation=org, subject=m, now=now, user_id=m.user_id)
    db.session.delete(m)
    db.session.commit()


def membership(org: Organisation, membership_id: int) -> Membership:
    return _membership(org, membership_id)


# -------------------------------------------------------------- invitations

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(org: Organisation, email: str, role: str, *, by: User, base_url: str, max_age_days: int,
           now=None) -> Invitation:
    now = now or utcnow()
    if role not in ORG_ROLES:
        raise ValidationError("Choose lead or worker.", code="invalid_role", field="role")
    address = normalise_email(email)
    already = db.session.execute(
        select(Membership.id).join(User, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id, User.email == address)).first()
    if already:
        raise ConflictError(f"{address} is already a member.", code="already_member", field="email")
    # A new invitation replaces an open one for the same address.
    for old in pending_invitations(org, now=now):
        if old.email == address:
            old.revoked_at = now
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organisation_id=org.id, email=address, role=role, token_hash=_hash(token),
                            invited_by_id=by.id, created_at=now, expires_at=now + timedelta(days=max_age_days))
    db.session.add(invitation)
    db.session.flush()
    audit.record("invitation.sent", actor=by, organisation=org, subject=invitation, now=now, email=address,
                 role=role)
    signals.member_invited.send(None, invitation=invitation, url=f"{base_url}/invitations/{token}")
    db.session.commit()
    return invitation


def pending_invitations(org: Organisation, *, now=None):
    now = now or utcnow()
    return db.session.execute(
        select(Invitation).where(Invitation.organisation_id == org.id, Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None), Invitation.expires_at > now)
        .order_by(Invitation.created_at.desc())).scalars().all()


def revoke_invitation(org: Organisation, invitation_id: int, *, by: User, now=None) -> None:
    invitation = db.session.execute(select(Invitation).where(Invitation.id == invitation_id,
                                                             Invitation.organisation_id == org.id)
                                    ).scalar_one_or_none()
    if invitation is None:
        raise NotFoundError("That invitation was not found.")
    invitation.revoked_at = now or utcnow()
    audit.record("invitation.revoked", actor=by, organisation=org, subject=invitation, now=now)
    db.session.commit()


def invitation_for_token(token: str, *, now=None) -> Invitation:
    now = now or utcnow()
    invitation = db.session.execute(select(Invitation).where(Invitation.token_hash == _hash(token or ""))
                                    ).scalar_one_or_none()
    if invitation is None or invitation.revoked_at is not None:
        raise NotFoundError("This invitation link is not valid. Ask the organisation's lead for a new one.",
                            code="invitation_invalid")
    if invitation.accepted_at is not None:
        raise ConflictError("This invitation has already been accepted. Sign in to continue.",
                            code="invitation_used")
    if invitation.expires_at <= now:
        raise ConflictError("This invitation has expired. Ask the organisation's lead to send a new one.",
                            code="invitation_expired")
    return invitation


def accept_invitation(token: str, user: User, *, now=None) -> Membership:
    now = now or utcnow()
    invitation = invitation_for_token(token, now=now)
    if user.email != invitation.email:
        raise PermissionDeniedError(
            f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. "
            "Sign out and open the link again.", code="invitation_other_email")
    existing = db.session.execute(select(Membership).where(Membership.organisation_id == invitation.organisation_id,
                                                           Membership.user_id == user.id)).scalar_one_or_none()
    m = existing or Membership(organisation_id=invitation.organisation_id, user_id=user.id, role=invitation.role,
                               created_at=now)
    db.session.add(m)
    invitation.accepted_at, invitation.accepted_by_id = now, user.id
    audit.record("invitation.accepted", actor=user, organisation=invitation.organisation, subject=invitation,
                 now=now)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ConflictError("This invitation has already been accepted.", code="invitation_used") from None
    return m
