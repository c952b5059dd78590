"""Sending email: over SMTP when a server is configured, else into an outbox folder.

Knows nothing of Flask: callers pass the settings and a ready message.
"""
import secrets
import smtplib
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


def send(settings: MailSettings, msg: EmailMessage) -> None:
    if not settings.server:
        write_to_outbox(settings.outbox_dir, msg)
        return
    if settings.use_ssl:
        client = smtplib.SMTP_SSL(settings.server, settings.port, timeout=30,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.server, settings.port, timeout=30)
    with client:
        if settings.use_tls and not settings.use_ssl:
            client.starttls(context=ssl.create_default_context())
        if settings.username:
            client.login(settings.username, settings.password)
        client.send_message(msg)


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
