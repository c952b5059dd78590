"""Sending email: over SMTP when a server is configured, else into an outbox folder.

Knows nothing of Flask: callers pass the settings and a ready message. Only the
outbox worker (services/outbox.py) sends; pages write outgoing-message rows.
"""
import base64
import secrets
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from ..timeutil import utcnow


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    username: str
    password: str
    use_tls: bool
    use_ssl: bool
    sender: str
    outbox_dir: str

    @classmethod
    def from_config(cls, config) -> "MailSettings":
        return cls(config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USERNAME"],
                   config["MAIL_PASSWORD"], config["MAIL_USE_TLS"], config["MAIL_USE_SSL"],
                   config["MAIL_FROM"], config["MAIL_OUTBOX_DIR"])


@dataclass
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str

    def to_json(self) -> dict:
        return {"filename": self.filename, "maintype": self.maintype, "subtype": self.subtype,
                "content": base64.b64encode(self.content).decode("ascii")}

    @classmethod
    def from_json(cls, data: dict) -> "Attachment":
        return cls(data["filename"], base64.b64decode(data["content"]), data["maintype"], data["subtype"])


def build_message(settings: MailSettings, to: str, subject: str, text: str,
                  html: str | None = None, attachments: list[Attachment] | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="outreach.local")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for item in attachments or []:
        msg.add_attachment(item.content, maintype=item.maintype, subtype=item.subtype, filename=item.filename)
    return msg


def send(settings: MailSettings, msg: EmailMessage, *, timeout: float = 10) -> None:
    """Hand one message to the mail server (or the outbox folder); raises on any failure.

    `timeout` bounds each wait on the server (connecting, each reply): a server that
    accepts the connection and never answers costs the worker that long, never a page.
    """
    if not settings.server:
        write_to_outbox(settings.outbox_dir, msg)
        return
    if settings.use_ssl:
        client = smtplib.SMTP_SSL(settings.server, settings.port, timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.server, settings.port, timeout=timeout)
    with client:
        if settings.use_tls and not settings.use_ssl:
            client.starttls(context=ssl.create_default_context())
        if settings.username:
            client.login(settings.username, settings.password)
        client.send_message(msg)


@dataclass(frozen=True)
class Failure:
    """Why a message could not be sent, in words an admin can act on, and whether trying
    again can help (a server that is down may come back; a refused address will not)."""

    reason: str
    permanent: bool
    # The server could not be reached at all: the next messages would fail the same way.
    unreachable: bool = False


def describe_failure(settings: MailSettings, exc: BaseException, *, timeout: float = 10) -> Failure:
    where = f"{settings.server}:{settings.port}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = "; ".join(f"{code} {_text(msg)}" for code, msg in exc.recipients.values())
        permanent = all(code >= 500 for code, _ in exc.recipients.values())
        return Failure(clip_reason(f"The mail server refused the address: {replies}"), permanent)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return Failure(clip_reason(f"The mail server refused the sender {settings.sender}: "
                             f"{exc.smtp_code} {_text(exc.smtp_error)}"), exc.smtp_code >= 500)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # A setting to fix (MAIL_USERNAME / MAIL_PASSWORD); keep trying meanwhile.
        return Failure(clip_reason(f"The mail server at {where} refused the user name or password: "
                             f"{exc.smtp_code} {_text(exc.smtp_error)}"), False)
    if isinstance(exc, smtplib.SMTPResponseException):
        return Failure(clip_reason(f"The mail server at {where} answered {exc.smtp_code} "
                             f"{_text(exc.smtp_error)}"), exc.smtp_code >= 500)
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, (socket.timeout,
                                                                                        TimeoutError)):
        # smtplib reports a reply that never came as a disconnection.
        exc = exc.__context__
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return Failure(clip_reason(f"The mail server at {where} closed the connection ({exc or 'no reason given'})."),
                       False, unreachable=True)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return Failure(f"The mail server at {where} did not answer within {timeout:g} s.", False, unreachable=True)
    if isinstance(exc, ConnectionRefusedError):
        return Failure(f"The mail server at {where} refused the connection (nothing listening on that port?).",
                       False, unreachable=True)
    if isinstance(exc, socket.gaierror):
        return Failure(f"The mail server's name {settings.server} could not be found.", False, unreachable=True)
    if isinstance(exc, OSError):
        return Failure(clip_reason(f"Could not reach the mail server at {where}: {exc}"), False, unreachable=True)
    return Failure(clip_reason(f"Sending failed: {type(exc).__name__}: {exc}"), False)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def clip_reason(reason: str, limit: int = 500) -> str:
    return reason if len(reason) <= limit else reason[: limit - 1] + "\u2026"


def write_to_outbox(outbox_dir: str, msg: EmailMessage) -> Path:
    folder = Path(outbox_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    # Several processes or threads may write in the same microsecond.
    path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(msg))
    return path


def read_outbox(outbox_dir: str, limit: int = 100) -> list[dict]:
    """Newest first: what development "sent", for the admin outbox page."""
    from email import policy
    from email.parser import BytesParser

    folder = Path(outbox_dir)
    if not folder.exists():
        return []
    items = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        body = msg.get_body(preferencelist=("plain",))
        items.append({
            "name": path.name, "to": msg["To"], "subject": msg["Subject"],
            "text": body.get_content() if body else "",
            "attachments": [part.get_filename() for part in msg.iter_attachments()],
        })
    return items
