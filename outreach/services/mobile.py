"""An account's mobile number for text messages: added, confirmed with a code sent to it, its
choices of what to receive by text, removed.

For guardians' accounts and young people's own accounts from the age of consent (a younger
child's texts go to their guardians). No text but the code goes to a number until it is confirmed.

The code: six digits from `secrets`, kept only as HMAC-SHA256 under the app's secret key (a
database copy does not give it away), valid MOBILE_CODE_MINUTES, MOBILE_CODE_ATTEMPTS wrong
tries before a new code is needed, at most MOBILE_CODES_PER_HOUR codes sent an hour (each costs
money and lands on someone's phone).
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..database import lock_row
from ..errors import N_, ConflictError, PermissionDeniedError, ValidationError
from ..extensions import db
from ..models import MobileNumber, YoungPerson
from ..timeutil import age_on, utcnow
from . import audit, outbox, sms


@dataclass(frozen=True)
class CodePolicy:
    minutes: int = 15
    attempts: int = 5
    per_hour: int = 3

    @classmethod
    def from_config(cls, config) -> "CodePolicy":
        return cls(config["MOBILE_CODE_MINUTES"], config["MOBILE_CODE_ATTEMPTS"], config["MOBILE_CODES_PER_HOUR"])


def own_young_person(user) -> YoungPerson | None:
    return db.session.scalar(select(YoungPerson).where(YoungPerson.user_id == user.id))


def may_have_mobile(user, *, age_of_consent: int, today: date) -> bool:
    """Guardians' accounts always; a young person's own account from the age of consent."""
    yp = own_young_person(user)
    if yp is None:
        return True
    return yp.date_of_birth is not None and age_on(yp.date_of_birth, today) >= age_of_consent


def mobile_of(user) -> MobileNumber | None:
    return db.session.scalar(select(MobileNumber).where(MobileNumber.user_id == user.id))


def _hash(secret_key: str, mobile: MobileNumber, code: str) -> str:
    message = f"{mobile.user_id}:{mobile.number}:{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10 ** 6):06d}"


def start(user, typed: str, *, secret_key: str, age_of_consent: int, policy: CodePolicy = CodePolicy(),
          now: datetime | None = None) -> MobileNumber:
    """Set (or change) the account's mobile number, unconfirmed, and text it a code (queued in this
    transaction, committed here).

    Raises ValidationError (not_a_mobile), PermissionDeniedError (under_age_of_consent),
    ConflictError (too_many_codes: MOBILE_CODES_PER_HOUR already sent this hour)."""
    now = now or utcnow()
    if not may_have_mobile(user, age_of_consent=age_of_consent, today=now.date()):
        raise PermissionDeniedError(N_("Texts for young people under %(age)s go to their parent or carer."),
                                    code="under_age_of_consent", age=age_of_consent)
    number = sms.normalise_mobile(typed)
    if number is None:
        raise ValidationError(N_("Enter a mobile number, like 07700 900123."), code="not_a_mobile")
    mobile = mobile_of(user)
    if mobile is not None:
        mobile = lock_row(db.session, MobileNumber, mobile.id)
    if mobile is None:
        mobile = MobileNumber(user_id=user.id, number=number, created_at=now, codes_sent=0, code_attempts=0)
        db.session.add(mobile)
    if mobile.code_sent_at is not None and now - mobile.code_sent_at < timedelta(hours=1):
        if mobile.codes_sent >= policy.per_hour:
            db.session.rollback()
            raise ConflictError(N_("We have sent you several codes in the last hour. Try again later."),
                                code="too_many_codes")
    else:
        mobile.codes_sent = 0
    if mobile.number != number:
        mobile.confirmed_at = None
    mobile.number = number
    code = _new_code()
    db.session.flush()
    mobile.code_hash = _hash(secret_key, mobile, code)
    mobile.code_expires_at = now + timedelta(minutes=policy.minutes)
    mobile.code_attempts = 0
    mobile.codes_sent += 1
    mobile.code_sent_at = now if mobile.codes_sent == 1 else mobile.code_sent_at
    outbox.queue_sms(number, f"Your Outreach code is {code}. It works for {policy.minutes} minutes. "
                             "If you did not ask for it, ignore this text.", kind="mobile_code", now=now)
    audit.record("mobile.code_sent", actor=user, now=now)
    db.session.commit()
    return mobile


def confirm(user, code: str, *, secret_key: str, policy: CodePolicy = CodePolicy(),
            now: datetime | None = None) -> MobileNumber:
    """Confirm the account's number with the code texted to it.

    Raises ValidationError: no_code_sent, code_expired, too_many_tries (a new code is needed),
    wrong_code (with the tries left in the message)."""
    now = now or utcnow()
    mobile = mobile_of(user)
    if mobile is not None:
        mobile = lock_row(db.session, MobileNumber, mobile.id)
    if mobile is None or mobile.code_hash is None:
        db.session.rollback()
        raise ValidationError(N_("There is no code waiting for this account. Ask for a new one."), code="no_code_sent")
    if mobile.code_attempts >= policy.attempts:
        db.session.rollback()
        raise ValidationError(N_("Too many wrong codes. Ask for a new one."), code="too_many_tries")
    if mobile.code_expires_at is None or now >= mobile.code_expires_at:
        db.session.rollback()
        raise ValidationError(N_("This code has run out. Ask for a new one."), code="code_expired")
    typed = "".join(ch for ch in (code or "") if not ch.isspace())[:12]
    if not hmac.compare_digest(_hash(secret_key, mobile, typed), mobile.code_hash):
        mobile.code_attempts += 1
        left = policy.attempts - mobile.code_attempts
        db.session.commit()  # the wrong try counts even though the answer is an error
        if left <= 0:
            raise ValidationError(N_("Too many wrong codes. Ask for a new one."), code="too_many_tries")
        raise ValidationError(N_("That code is not right. You can try %(left)s more time.") if left == 1 else
                              N_("That code is not right. You can try %(left)s more times."),
                              code="wrong_code", left=left)
    mobile.confirmed_at = now
    mobile.code_hash = mobile.code_expires_at = None
    mobile.code_attempts = 0
    audit.record("mobile.confirmed", actor=user, now=now)
    db.session.commit()
    return mobile


def set_choices(user, *, bookings: bool, reminders: bool, cancellations: bool,
                now: datetime | None = None) -> MobileNumber:
    """What the account receives by text. Raises ConflictError (no_mobile) without a number."""
    mobile = mobile_of(user)
    if mobile is None:
        raise ConflictError(N_("Add a mobile number first."), code="no_mobile")
    mobile.text_bookings, mobile.text_reminders, mobile.text_cancellations = bookings, reminders, cancellations
    audit.record("mobile.choices_changed", actor=user, now=now)
    db.session.commit()
    return mobile


def remove(user, *, now: datetime | None = None) -> None:
    mobile = mobile_of(user)
    if mobile is not None:
        db.session.delete(mobile)
        audit.record("mobile.removed", actor=user, now=now)
    db.session.commit()


def confirmed_numbers_for(users, kind: str) -> list[str]:
    """The confirmed numbers of these accounts that asked for this kind of text (each once)."""
    return [number for number, _ in confirmed_numbers_with_owners(users, kind)]


def confirmed_numbers_with_owners(users, kind: str) -> list[tuple[str, object]]:
    """The same numbers, each with the account it belongs to (the first of `users` that has it), whose
    language the text is written in."""
    ids = list(dict.fromkeys(u.id for u in users))
    if not ids:
        return []
    rows = db.session.scalars(select(MobileNumber).where(MobileNumber.user_id.in_(ids))).all()
    rows = sorted((m for m in rows if m.wants(kind)), key=lambda m: ids.index(m.user_id))
    owners = {}
    for m in rows:
        owners.setdefault(m.number, m.user)
    return list(owners.items())
