"""Text message providers behind one interface, chosen by SMS_PROVIDER.

- `outbox` (the default): nothing leaves the machine; each text is written to a file in
  MAIL_OUTBOX_DIR (`*.sms.txt`), as the development mail outbox does for email.
- `notify`: GOV.UK Notify through its official client (notifications-python-client), for
  public-sector partners (police, councils), which have a free allowance. One SMS template whose
  whole content is `((body))` carries every text (NOTIFY_SMS_TEMPLATE_ID).
- `twilio`: Twilio through its official client (twilio), for charities and clubs.

`send` answers the provider's id for the message, or raises SmsFailure: permanent (a number
the provider refuses, a bad key) or not (a timeout, a 5xx, a refused connection), which the outbox
turns into "failed" or "try again later". Each call waits at most `timeout` seconds: the outbox
worker, never a page, is the one waiting.

The callbacks the providers send back (delivery receipts and replies) are read here too, so the
web routes stay thin: `verify_*` checks a callback is the provider's as each documents it, and
`delivery_status` maps their words to sent / delivered / failed.
"""
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

PROVIDERS = ("outbox", "notify", "twilio")


class SmsFailure(Exception):
    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason, self.permanent = reason[:500], permanent


@dataclass(frozen=True)
class SmsSettings:
    provider: str = "outbox"
    outbox_dir: str = "instance/outbox"
    timeout: float = 10
    base_url: str = ""  # this app's public address, for status callbacks
    notify_api_key: str = ""
    notify_template_id: str = ""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_callback_token: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from: str = ""  # a number (+44...) or a Messaging Service SID (MG...)
    twilio_base_url: str = "https://api.twilio.com"

    @classmethod
    def from_config(cls, config) -> "SmsSettings":
        return cls(provider=config["SMS_PROVIDER"], outbox_dir=config["MAIL_OUTBOX_DIR"],
                   timeout=config["SMS_TIMEOUT"], base_url=config["BASE_URL"],
                   notify_api_key=config["NOTIFY_API_KEY"], notify_template_id=config["NOTIFY_SMS_TEMPLATE_ID"],
                   notify_base_url=config["NOTIFY_BASE_URL"], notify_callback_token=config["NOTIFY_CALLBACK_TOKEN"],
                   twilio_account_sid=config["TWILIO_ACCOUNT_SID"], twilio_auth_token=config["TWILIO_AUTH_TOKEN"],
                   twilio_from=config["TWILIO_FROM"], twilio_base_url=config["TWILIO_BASE_URL"])


def send(settings: SmsSettings, to: str, body: str, *, reference: str) -> str:
    """Hand one text to the configured provider; its id for the message (SmsFailure otherwise)."""
    sender = {"outbox": _send_to_file, "notify": _send_notify, "twilio": _send_twilio}.get(settings.provider)
    if sender is None:
        raise SmsFailure(f"SMS_PROVIDER {settings.provider!r} is not one of {', '.join(PROVIDERS)}.", True)
    return sender(settings, to, body, reference)


# ------------------------------------------------------------------ development outbox

def _send_to_file(settings, to, body, reference) -> str:
    folder = Path(settings.outbox_dir)
    folder.mkdir(parents=True, exist_ok=True)
    ref = "dev-" + secrets.token_hex(8)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (folder / f"{stamp}-{ref}.sms.txt").write_text(f"To: {to}\nReference: {reference}\n\n{body}\n", encoding="utf-8")
    return ref


def read_sms_outbox(folder: str) -> list[dict]:
    """The texts written by the development outbox, newest first: {"to", "reference", "body"}."""
    out = []
    for path in sorted(Path(folder).glob("*.sms.txt"), key=os.path.getmtime, reverse=True):
        head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
        out.append({"to": fields.get("To", ""), "reference": fields.get("Reference", ""), "body": body.rstrip("\n")})
    return out


# ------------------------------------------------------------------ GOV.UK Notify

def _send_notify(settings, to, body, reference) -> str:
    from notifications_python_client.errors import APIError, TokenError
    from notifications_python_client.notifications import NotificationsAPIClient
    import requests

    if not (settings.notify_api_key and settings.notify_template_id):
        raise SmsFailure("GOV.UK Notify is chosen but NOTIFY_API_KEY or NOTIFY_SMS_TEMPLATE_ID is not set.", True)
    try:
        client = NotificationsAPIClient(settings.notify_api_key, base_url=settings.notify_base_url,
                                        timeout=settings.timeout)
        answer = client.send_sms_notification(phone_number=to, template_id=settings.notify_template_id,
                                              personalisation={"body": body}, reference=reference)
    except TokenError as exc:
        raise SmsFailure(f"GOV.UK Notify API key refused: {exc}", True) from None
    except APIError as exc:
        status = getattr(exc, "status_code", 0) or 0
        # 400 (a bad number, a missing template) and 403 (a bad key) will not mend themselves;
        # 429 (rate or daily limit) and 5xx will.
        raise SmsFailure(f"GOV.UK Notify answered {status}: {_clip(exc)}", status in (400, 403)) from None
    except requests.RequestException as exc:
        raise SmsFailure(f"GOV.UK Notify could not be reached: {type(exc).__name__}") from None
    return str(answer["id"])


# ------------------------------------------------------------------ Twilio

def _twilio_client(settings):
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    base = settings.twilio_base_url.rstrip("/")

    class _Client(TwilioHttpClient):
        """Twilio's own HTTP client, with its timeout, pointed at TWILIO_BASE_URL (a local server
        in the tests; api.twilio.com otherwise)."""

        def request(self, method, url, *args, **kwargs):
            if base != "https://api.twilio.com" and url.startswith("https://api.twilio.com"):
                url = base + url[len("https://api.twilio.com"):]
            return super().request(method, url, *args, **kwargs)

    return Client(settings.twilio_account_sid, settings.twilio_auth_token,
                  http_client=_Client(timeout=settings.timeout))


def _send_twilio(settings, to, body, reference) -> str:
    import requests
    from twilio.base.exceptions import TwilioException, TwilioRestException

    if not (settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from):
        raise SmsFailure("Twilio is chosen but TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN or TWILIO_FROM is not set.", True)
    sender = ({"messaging_service_sid": settings.twilio_from} if settings.twilio_from.startswith("MG")
              else {"from_": settings.twilio_from})
    try:
        message = _twilio_client(settings).messages.create(
            to=to, body=body, status_callback=f"{settings.base_url.rstrip('/')}/sms/twilio/status", **sender)
    except TwilioRestException as exc:
        # 4xx: a number Twilio will not text, a bad account; 429 and 5xx pass.
        permanent = 400 <= (exc.status or 0) < 500 and exc.status != 429
        raise SmsFailure(f"Twilio answered {exc.status}: {_clip(exc.msg)}", permanent) from None
    except (requests.RequestException, TwilioException) as exc:
        raise SmsFailure(f"Twilio could not be reached: {type(exc).__name__}") from None
    return message.sid


def _clip(value) -> str:
    return str(value).replace("\n", " ")[:200]


# ------------------------------------------------------------------ callbacks

def verify_twilio(settings: SmsSettings, url: str, params: dict, signature: str | None) -> bool:
    """Twilio signs each webhook: X-Twilio-Signature is base64(HMAC-SHA1(auth token, the full URL
    followed by each POST parameter's name and value, sorted by name)); its RequestValidator checks it."""
    from twilio.request_validator import RequestValidator

    if not (settings.twilio_auth_token and signature):
        return False
    try:
        return RequestValidator(settings.twilio_auth_token).validate(url, params, signature)
    except Exception:  # a signature that is not even base64, odd parameters: not Twilio's
        return False


def verify_notify(settings: SmsSettings, authorization: str | None) -> bool:
    """Notify calls back with `Authorization: Bearer <the token set on the service's callback>`."""
    token = settings.notify_callback_token
    if not token or not authorization or not authorization.startswith("Bearer "):
        return False
    return hmac.compare_digest(authorization[len("Bearer "):].encode("utf-8", "replace"), token.encode())


_TWILIO_STATUSES = {"queued": "sent", "accepted": "sent", "sending": "sent", "sent": "sent",
                    "delivered": "delivered", "undelivered": "failed", "failed": "failed"}
_NOTIFY_STATUSES = {"created": "sent", "sending": "sent", "pending": "sent", "sent": "sent", "delivered": "delivered",
                    "permanent-failure": "failed", "temporary-failure": "failed", "technical-failure": "failed"}


def delivery_status(provider: str, status: str) -> str | None:
    """A provider's word for where a text got to, as sent / delivered / failed (None: not one we know)."""
    return (_TWILIO_STATUSES if provider == "twilio" else _NOTIFY_STATUSES).get((status or "").strip().lower())


# ------------------------------------------------------------------ numbers

_UK_MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def normalise_mobile(typed: str) -> str | None:
    """A mobile number as E.164 (+447700900123), or None when it is not one: UK numbers in any usual
    spelling (07700 900123, +44 7700 900123, (07700) 900-123), other countries with their +code."""
    digits = re.sub(r"[\s().\-]", "", typed or "")
    if len(digits) > 20:
        return None
    if _UK_MOBILE.match(digits):
        return "+44" + digits[-10:]
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    return digits if _E164.match(digits) and not digits.startswith("+44") else None


def same_number(a: str | None, b: str | None) -> bool:
    return bool(a and b) and normalise_mobile(a) == normalise_mobile(b)
