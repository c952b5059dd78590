"""Registers that stay true: a session's register locks a set number of days after it ends.

After the lock, any change to who attended (a check-in, a check-out, undoing a check-in) needs a
reason, and the change is in the audit log with it (`register.changed_after_lock`). The
evaluation, the funder return and the exports read the register, so a figure that was reported
must not move without someone saying why.

Every way in applies it: the door pages, the JSON API and the scanner's offline sync. A batch of
offline scans is refused once the register is locked (code `register_locked`), whatever it
carries: the scans were queued on a phone that could not say why they arrive so late, and nobody
at the sync can vouch for them. A lead corrects the register instead, with a reason.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import audit
from ..errors import ConflictError, ValidationError
from ..models import ProgrammeSession
from ..timeutil import to_local

MAX_REASON = 500


class RegisterLockedError(ConflictError):
    code = "register_locked"


def _when(moment: datetime, tz_name: str) -> str:
    return to_local(moment, tz_name).strftime("%a %-d %b %Y at %H:%M")


@dataclass(frozen=True)
class RegisterLock:
    """When a session's register locks: `after` its end (REGISTER_LOCK_DAYS, default 7 days)."""

    after: timedelta = timedelta(days=7)

    @classmethod
    def from_settings(cls, settings: Mapping) -> "RegisterLock":
        return cls(after=timedelta(days=float(settings.get("REGISTER_LOCK_DAYS", 7))))

    def locks_at(self, session: ProgrammeSession) -> datetime:
        return session.ends_at + self.after

    def is_locked(self, session: ProgrammeSession, now: datetime) -> bool:
        return now >= self.locks_at(session)

    def message(self, session: ProgrammeSession, tz_name: str) -> str:
        return (f"This register locked on {_when(self.locks_at(session), tz_name)}. To change it, give a "
                "reason: the change and your reason go in the audit log.")

    def reason_for(self, session: ProgrammeSession, now: datetime, reason: str | None, tz_name: str) -> str | None:
        """The reason a change needs, cleaned: None while the register is open (any reason given is
        not needed); once locked, RegisterLockedError without one."""
        if not self.is_locked(session, now):
            return None
        reason = (reason or "").strip()
        if not reason:
            raise RegisterLockedError(self.message(session, tz_name), field="reason")
        if len(reason) > MAX_REASON:
            raise ValidationError(f"Keep the reason under {MAX_REASON} characters.", code="reason_too_long",
                                  field="reason")
        return reason


DEFAULT_LOCK = RegisterLock()


def record_change(change: str, session: ProgrammeSession, *, reason: str, by, now, young_person_id=None,
                  attendance_id=None):
    """The audit event for a change to a locked register (the caller's commit keeps it)."""
    audit.record("register.changed_after_lock", actor=by, organisation=session.programme.organisation,
                 subject=session, now=now, change=change, reason=reason, young_person_id=young_person_id,
                 attendance_id=attendance_id)
