"""Accounts: sign-up, sign-in checks, password reset and change.

Young people can have their own account from the age of consent; the sign-up
creates their profile (a YoungPerson linked to the login) with their own
consent, so they can book without a guardian.
"""
from dataclasses import dataclass
from datetime import date

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..errors import N_, ValidationError
from ..extensions import db
from ..models import Membership, User, YoungPerson
from ..timeutil import age_on, utcnow
from . import audit, consent, passes
from .admin_accounts import check_password, normalise_email
from .passwords import hash_password, needs_rehash, verify_password

KINDS = ("guardian", "young_person", "staff")
_RESET_SALT = "password-reset"
_CONFIRM_SALT = "confirm-email"
# A real hash to verify against when the address is unknown, so a wrong address
# takes as long as a wrong password and does not reveal who has an account.
_DUMMY_HASH = None


@dataclass(frozen=True)
class SignUp:
    kind: str
    full_name: str
    email: str
    password: str
    date_of_birth: date | None = None
    phone: str | None = None
    # A young person signing up alone gives their own emergency contact and home-alone consent.
    emergency_contact_name: str | None = None
    emergency_contact_phone: str | None = None
    may_go_home_alone: bool = False
    # The language the visitor was reading the sign-up page in: the account's from the start.
    language: str | None = None


def _language(code: str | None) -> str | None:
    """A shipped language's code (outreach/i18n.py), else None (the browser's, then English)."""
    from ..i18n import known

    return known(code)


def _check(details: SignUp, *, age_of_consent: int, now) -> tuple[str, str]:
    """The normalised address and name, or ValidationError. Looks nothing up: the answer
    must not depend on who has an account."""
    if details.kind not in KINDS:
        raise ValidationError(N_("Choose who the account is for."), code="invalid_kind", field="kind")
    email = normalise_email(details.email)
    check_password(details.password)
    name = details.full_name.strip()
    if not name:
        raise ValidationError(N_("Enter your name."), code="name_required", field="full_name")
    if details.kind == "young_person":
        dob = details.date_of_birth
        if dob is None:
            raise ValidationError(N_("Enter your date of birth."), code="dob_required", field="date_of_birth")
        age = age_on(dob, now.date())
        if age < age_of_consent:
            raise ValidationError(
                N_("You need to be %(age)s or older to have your own account. "
                   "Ask a parent or carer to sign up and add you: it only takes a few minutes."),
                code="under_age_of_consent", field="date_of_birth", age=age_of_consent)
        if age > 25:
            raise ValidationError(N_("Outreach activities are for young people up to 25."), code="too_old",
                                  field="date_of_birth")
        # Staff at the door must have someone to call: the fire register never says "none".
        if not (details.emergency_contact_name or "").strip():
            raise ValidationError(N_("Enter the name of someone we can call in an emergency, like a parent or carer."),
                                  code="emergency_contact_required", field="emergency_contact_name")
        if not (details.emergency_contact_phone or "").strip():
            raise ValidationError(N_("Enter your emergency contact's phone number."),
                                  code="emergency_phone_required", field="emergency_contact_phone")
    return email, name


def _user_with(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def _add_account(*, email: str, name: str, kind: str, phone, date_of_birth, password_hash: str,
                 email_confirmed: bool, now, emergency_contact_name=None, emergency_contact_phone=None,
                 may_go_home_alone=False, language=None) -> User:
    """The user (and a young person's own profile, consent and pass), flushed, not committed.
    Raises IntegrityError when the address got an account meanwhile."""
    user = User(email=email, full_name=name, phone=(phone or "").strip() or None,
                password_hash=password_hash, created_at=now, email_confirmed=email_confirmed,
                language=_language(language))
    db.session.add(user)
    db.session.flush()
    if kind == "young_person":
        first, _, last = name.partition(" ")
        # Their own phone is not an emergency contact: the contact is someone else, named.
        yp = YoungPerson(first_name=first[:60], last_name=(last.strip() or "-")[:60],
                         date_of_birth=date_of_birth, user_id=user.id, created_by_id=user.id,
                         emergency_contact_name=(emergency_contact_name or "").strip()[:120] or None,
                         emergency_contact_phone=(emergency_contact_phone or "").strip()[:40] or None,
                         may_go_home_alone=bool(may_go_home_alone), created_at=now)
        db.session.add(yp)
        db.session.flush()
        consent.record_consent(yp, given_by=user, kind="self", now=now)
        # Their own pass, as a guardian's child gets one: it is what the door scans.
        passes.ensure_pass(yp, now=now, commit=False)
    audit.record("account.created", actor=user, subject=user, now=now, kind=kind)
    return user


def sign_up(details: SignUp, *, age_of_consent: int, email_confirmed: bool = False, now=None) -> User | None:
    """Create an account at once, or None when the address already has one (its owner is emailed).

    For a caller that already knows the address is its owner's (an invitation link): the
    account can sign in straight away. The public sign-up page uses `request_sign_up`.
    """
    now = now or utcnow()
    email, name = _check(details, age_of_consent=age_of_consent, now=now)
    existing = _user_with(email)
    if existing is not None:
        hash_password(details.password)
        signals.signup_address_taken.send(None, user=existing)
        db.session.commit()
        return None
    try:
        user = _add_account(email=email, name=name, kind=details.kind, phone=details.phone,
                            date_of_birth=details.date_of_birth, password_hash=hash_password(details.password),
                            email_confirmed=email_confirmed, now=now,
                            emergency_contact_name=details.emergency_contact_name,
                            emergency_contact_phone=details.emergency_contact_phone,
                            may_go_home_alone=details.may_go_home_alone, language=details.language)
    except IntegrityError:  # two sign-ups with one address at once
        db.session.rollback()
        raise ValidationError(N_("There is already an account with this email."), code="email_taken",
                              field="email") from None
    db.session.commit()
    return user


def request_sign_up(details: SignUp, *, age_of_consent: int, next_url: str | None = None, now=None) -> None:
    """Ask for an account; the worker creates it and emails the confirmation link, or tells
    the address's owner they already have one.

    The same work whatever the address: the checks (which look nothing up), one password
    hash, one outgoing message written. So neither the answer nor its timing says whether
    the address has an account.
    """
    now = now or utcnow()
    email, name = _check(details, age_of_consent=age_of_consent, now=now)
    payload = {"kind": details.kind, "full_name": name, "phone": (details.phone or "").strip() or None,
               "date_of_birth": details.date_of_birth.isoformat() if details.date_of_birth else None,
               "password_hash": hash_password(details.password), "next_url": next_url or "",
               "emergency_contact_name": (details.emergency_contact_name or "").strip() or None,
               "emergency_contact_phone": (details.emergency_contact_phone or "").strip() or None,
               "may_go_home_alone": bool(details.may_go_home_alone),
               "language": _language(details.language)}
    signals.sign_up_requested.send(None, email=email, payload=payload, now=now)
    db.session.commit()


def complete_sign_up(email: str, payload: dict, *, now) -> tuple[User, bool]:
    """For the worker: the account asked for by `request_sign_up`, created unless the
    address has one; (the user, whether it is new). Not committed: the worker commits it
    with the message it composes."""
    existing = _user_with(email)
    if existing is not None:
        return existing, False
    dob = payload.get("date_of_birth")
    try:
        with db.session.begin_nested():
            user = _add_account(email=email, name=payload["full_name"], kind=payload["kind"],
                                phone=payload.get("phone"), date_of_birth=date.fromisoformat(dob) if dob else None,
                                password_hash=payload["password_hash"], email_confirmed=False, now=now,
                                emergency_contact_name=payload.get("emergency_contact_name"),
                                emergency_contact_phone=payload.get("emergency_contact_phone"),
                                may_go_home_alone=payload.get("may_go_home_alone", False),
                                language=payload.get("language"))
    except IntegrityError:  # the same address asked twice, composed by two workers at once
        return _user_with(email), False
    return user, True


def is_young_person(user: User) -> bool:
    """A young person's own login (rather than a guardian's or a worker's)."""
    return db.session.execute(select(YoungPerson.id).where(YoungPerson.user_id == user.id)).first() is not None


def sign_in_name(email: str) -> str:
    """The account a sign-in attempt is for, the way `authenticate` looks it up.

    Sign-in limits count per this name, so every spelling that would reach one account (case,
    spaces, a full-width domain) counts against that account. Text that is no address at all
    is never checked against a password; it is counted under its own trimmed, lower-cased form.
    """
    try:
        return normalise_email(email)
    except ValidationError:
        return (email or "").strip().lower()[:254]


def is_staff(user: User) -> bool:
    """A member of any organisation, or a platform admin: a sign-in that opens young people's records."""
    if user.is_platform_admin:
        return True
    return db.session.execute(select(Membership.id).where(Membership.user_id == user.id).limit(1)).first() is not None


def authenticate(email: str, password: str, *, now=None) -> User | None:
    """The active user with this email and password, or None (never says which part was wrong).

    A wrong password is written to the audit log (`account.sign_in_failed`, naming the account
    when there is one), so the guesses an account has had can be counted afterwards.
    """
    global _DUMMY_HASH
    # Made on the first sign-in of the process, known address or not, so that the first
    # unknown one does not take a hash longer.
    _DUMMY_HASH = _DUMMY_HASH or hash_password("not-a-real-password")
    try:
        address = normalise_email(email)
    except ValidationError:
        return None
    user = _user_with(address)
    if user is None:
        verify_password(_DUMMY_HASH, password or "")
        # The same write as for a known account's wrong password, so the two take alike time
        # (and the log counts guesses at addresses nobody has); the address itself is not kept.
        audit.record("account.sign_in_failed", now=now or utcnow())
        db.session.commit()
        return None
    if not verify_password(user.password_hash, password or ""):
        audit.record("account.sign_in_failed", subject=user, now=now or utcnow())
        db.session.commit()
        return None
    if not user.is_active_account:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now or utcnow()
    db.session.commit()
    return user


def end_sessions(user: User) -> None:
    """Sign the account out everywhere (used at sign-out)."""
    user.session_version += 1
    db.session.commit()


def change_password(user: User, current: str, new: str, *, now=None) -> None:
    if not verify_password(user.password_hash, current or ""):
        raise ValidationError(N_("That is not your current password."), code="wrong_password",
                              field="current_password")
    _set_password(user, new, now=now)


def _set_password(user: User, new: str, *, now=None) -> None:
    try:
        check_password(new)
    except ValidationError as err:
        raise ValidationError(err.msgid, code=err.code, field="new_password", **err.params) from None
    user.password_hash = hash_password(new)
    # Signs out every other session and spends any reset link already sent.
    user.session_version += 1
    audit.record("account.password_changed", actor=user, subject=user, now=now)
    db.session.commit()


# ------------------------------------------------------------ address confirmation

def confirmation_url(user: User, *, secret_key: str, base_url: str, next_url: str | None = None) -> str:
    token = URLSafeTimedSerializer(secret_key, salt=_CONFIRM_SALT).dumps({"u": user.id, "n": next_url or ""})
    return f"{base_url}/signup/confirm/{token}"


def send_confirmation(user: User, *, secret_key: str, base_url: str, next_url: str | None = None) -> None:
    """Email the confirmation link again (an unconfirmed account signed in with its password)."""
    url = confirmation_url(user, secret_key=secret_key, base_url=base_url, next_url=next_url)
    signals.signup_confirmation_requested.send(None, user=user, url=url)
    db.session.commit()


def confirm_email(token: str, *, secret_key: str, max_age: int) -> tuple[User, str]:
    """Mark the address confirmed; returns the user and where they were going when they signed up."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=_CONFIRM_SALT).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError(N_("This link has expired. Sign in to be sent a new one."),
                              code="token_expired") from None
    except BadSignature:
        raise ValidationError(N_("This link is not valid. Check it was copied whole."),
                              code="token_invalid") from None
    user_id = data.get("u") if isinstance(data, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active_account:
        raise ValidationError(N_("This link is not valid any more."), code="token_invalid")
    if not user.email_confirmed:
        user.email_confirmed = True
        audit.record("account.email_confirmed", actor=user, subject=user)
        db.session.commit()
    return user, data.get("n") or ""


# ------------------------------------------------------------ password reset

def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_RESET_SALT)


def reset_token(user: User, secret_key: str) -> str:
    return _serializer(secret_key).dumps({"u": user.id, "v": user.session_version})


def request_password_reset(email: str, *, now=None) -> None:
    """Ask for a reset link; the worker emails it if the address has an account.

    The same work whatever the address (one outgoing message written, nothing looked up),
    so neither the answer nor its timing says whether the address has an account.
    """
    try:
        address = normalise_email(email)
    except ValidationError:
        return
    signals.password_reset_requested.send(None, email=address, now=now or utcnow())
    db.session.commit()


def account_for_reset(email: str) -> User | None:
    """For the worker: the active account a reset asked for by `request_password_reset` is for."""
    user = _user_with(email)
    return user if user is not None and user.is_active_account else None


def user_for_reset_token(token: str, *, secret_key: str, max_age: int) -> User:
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError(N_("This reset link has expired. Ask for a new one."), code="token_expired") from None
    except BadSignature:
        raise ValidationError(N_("This reset link is not valid. Ask for a new one."), code="token_invalid") from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or user.session_version != data.get("v"):
        raise ValidationError(N_("This reset link has already been used. Ask for a new one."), code="token_used")
    return user


def reset_password(token: str, new: str, *, secret_key: str, max_age: int, now=None) -> User:
    user = user_for_reset_token(token, secret_key=secret_key, max_age=max_age)
    _set_password(user, new, now=now)
    return user


def choose_language(user: User, code: str) -> None:
    """Keep the language an account chose (a shipped one, outreach/i18n.py): its pages, emails and
    texts are in it from now on."""
    from ..i18n import known

    language = known(code)
    if language is None:
        raise ValidationError(N_("That language is not offered."))
    user.language = language
    db.session.commit()
