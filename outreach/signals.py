"""Things that happened, announced by services; listeners queue mail and write the audit log.

Services send a signal inside the transaction of the change, before its commit, and
receivers only add rows to that transaction (an outgoing message, an audit event), never
commit and never wait on anything outside: the change and what it causes are kept or
rolled back together, and the worker sends the mail (services/outbox.py)."""
from blinker import Namespace

_signals = Namespace()

organisation_applied = _signals.signal("organisation-applied")
organisation_decided = _signals.signal("organisation-decided")
member_invited = _signals.signal("member-invited")
password_reset_requested = _signals.signal("password-reset-requested")
signup_confirmation_requested = _signals.signal("signup-confirmation-requested")
signup_address_taken = _signals.signal("signup-address-taken")
sign_up_requested = _signals.signal("sign-up-requested")
booking_confirmed = _signals.signal("booking-confirmed")
booking_promoted = _signals.signal("booking-promoted")
session_cancelled = _signals.signal("session-cancelled")
attendance_recorded = _signals.signal("attendance-recorded")
pass_revoked = _signals.signal("pass-revoked")
comparison_joined = _signals.signal("comparison-joined")
concern_raised = _signals.signal("concern-raised")
incident_recorded = _signals.signal("incident-recorded")
booking_cancelled_by_text = _signals.signal("booking-cancelled-by-text")
