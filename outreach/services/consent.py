"""Consent wording, versioned. A new version means everyone is asked again.

The text shown is the text stored against the version, so a consent row always
says exactly what was agreed to.
"""
from sqlalchemy import select

from ..errors import N_
from ..extensions import db
from ..models import Consent
from ..timeutil import utcnow

CURRENT_VERSION = "2026-09"

# Marked for translation: a family reads the wording in their language; the stored version
# (and what the consent row refers to) is the English text.
WORDINGS = {
    "2026-09": N_(
        "I am the parent or carer of this young person, or have parental responsibility for them. "
        "I agree to Outreach and the partner organisations running the activities I book keeping the "
        "details on this form, so that they can run sessions safely, contact me in an emergency and "
        "count attendance for the programme's evaluation. Evaluation reports never name my child. "
        "I can download or delete my child's data at any time from My family."
    ),
}

SELF_WORDINGS = {
    "2026-09": (
        "I agree to Outreach and the partner organisations running the activities I book keeping the "
        "details on this form, so that they can run sessions safely, contact my emergency contact if "
        "needed, and count attendance for the programme's evaluation. Reports never name me. "
        "I can download or delete my data at any time."
    ),
}


def wording(kind: str = "guardian", version: str = CURRENT_VERSION) -> str:
    return (WORDINGS if kind == "guardian" else SELF_WORDINGS)[version]


def record_consent(young_person, *, given_by, kind="guardian", version=None, now=None) -> Consent:
    """Add a consent row to the current transaction (the caller commits)."""
    version = version or CURRENT_VERSION
    if version not in WORDINGS:
        raise ValueError(f"unknown consent wording version {version}")
    consent = Consent(young_person_id=young_person.id, given_by_id=getattr(given_by, "id", None),
                      kind=kind, wording_version=version, given_at=now or utcnow())
    db.session.add(consent)
    return consent


def has_current_consent(young_person, version=None) -> bool:
    version = version or CURRENT_VERSION
    return db.session.execute(
        select(Consent.id).where(Consent.young_person_id == young_person.id, Consent.wording_version == version,
                                 Consent.withdrawn_at.is_(None)).limit(1)
    ).first() is not None
