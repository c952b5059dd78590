"""The outbox: every email (and later text message) is a row written in the same transaction
as the change that causes it, and the background worker sends what is waiting.

So a booking is never made without its email, nor an email sent for a booking that was
rolled back, and no page waits on a mail server: a server that hangs or refuses costs the
worker a short timeout and the message another try later, with a growing pause between
tries, until it is sent or, after the last try, marked failed for a platform admin to see
and send again.

`send_waiting` is safe to run in several workers at once: each message is claimed with a
conditional UPDATE (only one worker's UPDATE finds it still due) and held for a lease, so
two workers never send one message twice; a worker that dies mid-send leaves its messages
to be taken again when the lease runs out.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import and_, delete, func, or_, select, update

from ..database import lock_row
from ..errors import ConflictError, NotFoundError
from ..extensions import db
from ..models import OutgoingMessage
from ..timeutil import utcnow
from . import audit, mail, sms

# Set in a session's info when its transaction queued a message: after the commit the app
# nudges the worker (tasks.py). Best effort: the worker also sweeps every minute.
QUEUED = "outbox_queued"
_DONE = ("sent", "failed", "dropped")


@dataclass(frozen=True)
class Policy:
    """How hard the worker tries. The pause after try n is retry_seconds * 2**(n-1), at most
    retry_max_seconds: with the defaults 1, 2, 4 ... 32 minutes, then hourly; ten tries span
    about four hours before a message is marked failed."""

    max_attempts: int = 10
    retry_seconds: int = 60
    retry_max_seconds: int = 3600
    smtp_timeout: float = 10
    # Longer than a batch can take (batch x timeout), so a slow worker keeps its claim.
    lease_seconds: int = 600
    batch: int = 10

    @classmethod
    def from_config(cls, config) -> "Policy":
        timeout = config["OUTBOX_SMTP_TIMEOUT"]
        # A send waits up to the timeout at each step (connect, greeting, each command): allow
        # a whole batch of slow ones several times over before another worker may take them.
        return cls(max_attempts=config["OUTBOX_MAX_ATTEMPTS"], retry_seconds=config["OUTBOX_RETRY_SECONDS"],
                   retry_max_seconds=config["OUTBOX_RETRY_MAX_SECONDS"], smtp_timeout=timeout,
                   lease_seconds=max(600, int(cls.batch * timeout * 10)))

    def delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.retry_seconds * 2 ** max(attempts - 1, 0), self.retry_max_seconds))


@dataclass(frozen=True)
class Composed:
    """What a message composed by the worker says."""

    subject: str
    text: str
    html: str | None = None
    attachments: list[mail.Attachment] | None = None


# Given a message written with a payload and no text, say what it says, or None when
# there is nothing to send after all. May write in the session (the worker commits).
Compose = Callable[[OutgoingMessage], "Composed | None"]


@dataclass
class Report:
    sent: int = 0
    retrying: int = 0  # failed this time, will be tried again
    failed: int = 0  # failed for good
    dropped: int = 0
    # The mail server could not be reached: the pass stopped early and left the rest waiting.
    unreachable: bool = False


# ------------------------------------------------------------------ queueing

def queue_email(to: str, subject: str, text: str, *, kind: str, html: str | None = None,
                attachments: list[mail.Attachment] | None = None, now: datetime | None = None) -> OutgoingMessage:
    """Add an email to the current transaction; it is sent once the caller commits."""
    now = now or utcnow()
    message = OutgoingMessage(channel="email", kind=kind, recipient=to, subject=subject[:300], text=text,
                              html=html, attachments=[a.to_json() for a in attachments] if attachments else None,
                              created_at=now, next_attempt_at=now)
    return _add(message)


def queue_sms(to: str, text: str, *, kind: str, organisation_id: int | None = None,
              registration_id: int | None = None, now: datetime | None = None) -> OutgoingMessage:
    """Add a text message to the current transaction (sent by the worker through the SMS provider
    once the caller commits). `organisation_id`: whose lead sees its delivery status;
    `registration_id`: the booking a reply "CANCEL" to it cancels (reminders)."""
    now = now or utcnow()
    return _add(OutgoingMessage(channel="sms", kind=kind, recipient=to, text=text, created_at=now, next_attempt_at=now,
                                organisation_id=organisation_id, registration_id=registration_id))


def queue_to_compose(kind: str, to: str, payload: dict, *, channel: str = "email",
                     now: datetime | None = None) -> OutgoingMessage:
    """Add a message that the worker composes from `payload` when it sends it (the caller commits).

    For requests whose answer must not depend on who has an account: the page writes the
    same row whatever the address, and the worker decides what, if anything, to send.
    """
    now = now or utcnow()
    return _add(OutgoingMessage(channel=channel, kind=kind, recipient=to, payload=payload, created_at=now,
                                next_attempt_at=now))


def _add(message: OutgoingMessage) -> OutgoingMessage:
    db.session.add(message)
    db.session.info[QUEUED] = True
    return message


# ------------------------------------------------------------------ sending

def _due(now: datetime):
    m = OutgoingMessage
    return and_(m.status == "pending", m.next_attempt_at <= now,
                or_(m.claimed_until.is_(None), m.claimed_until <= now))


def due_count(now: datetime | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(OutgoingMessage).where(_due(now or utcnow())))


def _claim(now: datetime, policy: Policy) -> tuple[list[int], str]:
    """Take up to a batch of due messages for this worker: (their ids, the claim's token);
    no ids when nothing is due."""
    m = OutgoingMessage
    token = secrets.token_hex(16)
    for _ in range(100):
        ids = db.session.scalars(select(m.id).where(_due(now)).order_by(m.next_attempt_at, m.id)
                                 .limit(policy.batch)).all()
        if not ids:
            db.session.commit()
            return [], token
        mine = []
        # In id order, so two workers lock rows in the same order and never deadlock. The
        # WHERE is checked again on the row as it is now: on PostgreSQL after waiting for
        # another worker's claim to commit, on SQLite under the write lock; only one
        # worker's UPDATE finds a message still due.
        for message_id in sorted(ids):
            claimed = db.session.execute(
                update(m).where(m.id == message_id, _due(now))
                .values(claimed_until=now + timedelta(seconds=policy.lease_seconds), claim_token=token)
                .execution_options(synchronize_session=False))
            if claimed.rowcount == 1:
                mine.append(message_id)
        db.session.commit()
        if mine:
            return mine, token
        # Another worker took every one of these first; there may be more behind them.
    return [], token


def send_waiting(mail_settings: mail.MailSettings, *, compose: Compose, policy: Policy = Policy(),
                 now: datetime | None = None, max_batches: int = 100,
                 sms_settings: "sms.SmsSettings | None" = None) -> Report:
    """Send every message due now, a batch at a time; returns what happened.

    Each message: composed first if it is one the worker composes (in one transaction with
    whatever composing writes), then handed to the mail server with no transaction open,
    then recorded: sent (its body removed), or its error kept and another try scheduled,
    or failed for good after the last try or a permanent refusal. When the server cannot
    be reached at all the pass stops, leaving the rest for the next one.
    """
    now = now or utcnow()
    report = Report()
    for _ in range(max_batches):
        ids, token = _claim(now, policy)
        if not ids:
            break
        for i, message_id in enumerate(ids):
            if _send_one(message_id, token, mail_settings, compose, policy, now, report, sms_settings):
                _release(ids[i + 1:], token)
                report.unreachable = True
                return report
    return report


def _send_one(message_id, token, mail_settings, compose, policy, now, report, sms_settings=None) -> bool:
    """Send one claimed message; True when the mail server could not be reached at all."""
    message = db.session.get(OutgoingMessage, message_id, populate_existing=True)
    if message is None or message.claim_token != token:  # purged, or the lease ran out and it was retaken
        db.session.commit()
        return False
    if message.text is None and message.payload is not None:
        try:
            composed = compose(message)
        except Exception as exc:  # a template or lookup that broke: the message waits, the error is kept
            db.session.rollback()
            _record_failure(message_id, token, mail.Failure(
                mail.clip_reason(f"Could not prepare the message: {type(exc).__name__}: {exc}"), False), policy, now, report)
            return False
        if composed is None:
            message.status, message.recipient, message.payload = "dropped", "", None
            message.claimed_until = message.claim_token = None
            message.last_attempt_at = now
            db.session.commit()
            report.dropped += 1
            return False
        message.subject, message.text, message.html = composed.subject[:300], composed.text, composed.html
        message.attachments = [a.to_json() for a in composed.attachments] if composed.attachments else None
        message.payload = None
        db.session.commit()
    channel = message.channel
    if channel == "sms":
        return _send_sms(message, token, sms_settings, policy, now, report)
    email = mail.build_message(mail_settings, message.recipient, message.subject or "", message.text or "",
                               message.html, [mail.Attachment.from_json(a) for a in message.attachments or []])
    # Nothing held while the server is slow: no row lock, no SQLite write lock, no snapshot.
    db.session.commit()
    try:
        if channel != "email":
            raise _NoTransport(channel)
        mail.send(mail_settings, email, timeout=policy.smtp_timeout)
    except _NoTransport:
        _record_failure(message_id, token, mail.Failure(f"No {channel} service is set up to send this.", True),
                        policy, now, report)
        return False
    except Exception as exc:  # every way a mail server can fail: kept as the reason, tried again later
        failure = mail.describe_failure(mail_settings, exc, timeout=policy.smtp_timeout)
        _record_failure(message_id, token, failure, policy, now, report)
        return failure.unreachable
    m = OutgoingMessage
    db.session.execute(
        update(m).where(m.id == message_id, m.claim_token == token)
        .values(status="sent", sent_at=now, last_attempt_at=now, attempts=m.attempts + 1, last_error=None,
                claimed_until=None, claim_token=None, text=None, html=None, attachments=None)
        .execution_options(synchronize_session=False))
    db.session.commit()
    report.sent += 1
    return False


class _NoTransport(Exception):
    pass


def _send_sms(message, token, sms_settings, policy, now, report) -> bool:
    """Hand one claimed text to the provider, with no transaction open; a provider that hangs
    costs SMS_TIMEOUT and another try later, like a mail server. Never stops the batch (False)."""
    message_id, to, text = message.id, message.recipient, message.text or ""
    db.session.commit()
    if sms_settings is None:
        _record_failure(message_id, token, mail.Failure("No sms service is set up to send this.", True),
                        policy, now, report)
        return False
    try:
        ref = sms.send(sms_settings, to, text, reference=f"outreach-{message_id}")
    except sms.SmsFailure as exc:
        _record_failure(message_id, token, mail.Failure(exc.reason, exc.permanent), policy, now, report)
        return False
    except Exception as exc:  # a client library's surprise: kept as the reason, tried again later
        _record_failure(message_id, token, mail.Failure(mail.clip_reason(f"{type(exc).__name__}: {exc}"), False),
                        policy, now, report)
        return False
    m = OutgoingMessage
    # The text stays until the row is purged (OUTBOX_KEEP_DAYS): a lead reading delivery status
    # sees what was sent, and it is what a reply answers.
    db.session.execute(
        update(m).where(m.id == message_id, m.claim_token == token)
        .values(status="sent", sent_at=now, last_attempt_at=now, attempts=m.attempts + 1, last_error=None,
                claimed_until=None, claim_token=None, provider_ref=str(ref)[:64], delivery_status="sent",
                delivery_updated_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    report.sent += 1
    return False


def _record_failure(message_id, token, failure: mail.Failure, policy: Policy, now, report: Report) -> None:
    message = db.session.get(OutgoingMessage, message_id, populate_existing=True)
    if message is None or message.claim_token != token:
        db.session.commit()
        return
    message.attempts += 1
    message.last_attempt_at, message.last_error = now, failure.reason
    message.claimed_until = message.claim_token = None
    if failure.permanent or message.attempts >= policy.max_attempts:
        message.status = "failed"
        report.failed += 1
    else:
        message.next_attempt_at = now + policy.delay(message.attempts)
        report.retrying += 1
    db.session.commit()


def _release(ids: list[int], token: str) -> None:
    if ids:
        m = OutgoingMessage
        db.session.execute(update(m).where(m.id.in_(ids), m.claim_token == token)
                           .values(claimed_until=None, claim_token=None)
                           .execution_options(synchronize_session=False))
    db.session.commit()


# ------------------------------------------------------------------ for the platform admin

def failed_messages():
    """Messages given up on, newest first (a query to paginate)."""
    m = OutgoingMessage
    return select(m).where(m.status == "failed").order_by(m.last_attempt_at.desc(), m.id.desc())


def status_counts() -> dict[str, int]:
    m = OutgoingMessage
    return dict(db.session.execute(select(m.status, func.count()).group_by(m.status)).all())


def send_again(message_id: int, *, by, now: datetime | None = None) -> OutgoingMessage:
    """Put a failed message back in the queue, with all its tries again.

    Raises NotFoundError (message_not_found) or ConflictError (not_failed: it was sent,
    or is already waiting, e.g. sent again from another tab).
    """
    now = now or utcnow()
    message = lock_row(db.session, OutgoingMessage, message_id)
    if message is None:
        db.session.rollback()
        raise NotFoundError("This message is not in the outbox any more.", code="message_not_found")
    if message.status != "failed":
        state = {"pending": "already waiting to be sent", "sent": "already sent",
                 "dropped": "not to be sent"}.get(message.status, message.status)
        db.session.rollback()
        raise ConflictError(f"This message is {state}.", code="not_failed")
    message.status, message.attempts, message.next_attempt_at = "pending", 0, now
    message.claimed_until = message.claim_token = None
    audit.record("outgoing_message.sent_again", actor=by, subject=message, now=now, kind=message.kind)
    db.session.info[QUEUED] = True
    db.session.commit()
    return message


# ------------------------------------------------------------------ retention

def purge_old(cutoff: datetime, *, dry_run: bool = False) -> int:
    """Remove messages sent, failed or dropped before `cutoff` (they hold names and addresses),
    in the caller's transaction; how many (that would be) removed."""
    m = OutgoingMessage
    old = and_(m.status.in_(_DONE), m.created_at < cutoff)
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(m).where(old))
    return db.session.execute(delete(m).where(old).execution_options(synchronize_session=False)).rowcount or 0
