from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime
from ._common import one_of, utcnow

CHANNELS = ("email", "sms")
# What a text message's provider last said about it (their callbacks, mapped to three words).
DELIVERY_STATUSES = ("sent", "delivered", "failed")
# pending: waiting to be sent (again); sent: handed to the mail server; failed: given up after
# the last try, or refused for good (a platform admin can send it again); dropped: nothing to
# send after all (a password reset asked for an address that has no account).
MESSAGE_STATUSES = ("pending", "sent", "failed", "dropped")


class OutgoingMessage(db.Model):
    """One email (or, later, text message) to send, written in the same transaction as the
    change that causes it, and sent by the background worker.

    Most are written ready to send. A few are composed by the worker (`payload` set, `text`
    empty): what they say depends on whether an account exists, which the page that asked
    must not reveal by doing different work. The body is removed once sent; the row itself
    goes after OUTBOX_KEEP_DAYS (the retention purge).
    """

    __tablename__ = "outgoing_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), default="email")
    # What it is: the template's name (booking_confirmed, password_reset, sign_up ...).
    kind: Mapped[str] = mapped_column(String(40))
    # An email address (or phone number); blanked when a message is dropped.
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str | None] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    # [{"filename", "maintype", "subtype", "content": base64}], e.g. the QR pass PNG (a few KB).
    attachments: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    # What the worker composes the message from, for the kinds it composes; cleared once done.
    payload: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker that took the message holds it until then, so no other worker sends it too.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Text messages: the organisation whose session it is about (its lead sees the delivery status),
    # the booking it is about (a reply "CANCEL" to a reminder cancels this one), the provider's id
    # for it, and what the provider's callbacks last said (sent, delivered, failed).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    provider_ref: Mapped[str | None] = mapped_column(String(64))
    delivery_status: Mapped[str | None] = mapped_column(String(20))
    delivery_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        one_of("channel", CHANNELS, "channel"),
        one_of("status", MESSAGE_STATUSES, "status"),
        # The worker's question, every minute: what is due now?
        Index("ix_outgoing_messages_due", "status", "next_attempt_at"),
        Index("ix_outgoing_messages_created_at", "created_at"),
        Index("ix_outgoing_messages_provider_ref", "provider_ref"),
        Index("ix_outgoing_messages_org", "organisation_id", "created_at"),
        Index("ix_outgoing_messages_sms_recipient", "channel", "recipient", "created_at"),
    )
