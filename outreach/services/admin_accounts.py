"""Platform admin accounts, made from the command line (`flask create-admin`).

There is no sign-up page for platform admins on purpose: whoever can run
commands on the server decides who approves partner organisations.
"""
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from ..errors import N_, ValidationError
from ..extensions import db
from ..models import User
from ..timeutil import utcnow
from . import audit
from .passwords import hash_password

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_NAME_LENGTH = 120

CREATED = "created"
PROMOTED = "promoted"
ALREADY_ADMIN = "already_admin"


def normalise_email(email: str) -> str:
    """The address as stored (lower-cased), or ValidationError(code="invalid_email")."""
    try:
        checked = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as err:
        raise ValidationError(N_("That email address doesn't look right: %(reason)s"), code="invalid_email",
                              field="email", reason=str(err)) from None
    return checked.normalized.lower()


def find_user(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


def check_password(password: str | None) -> str:
    if not password:
        raise ValidationError(N_("A password is needed for a new account."), code="password_required",
                              field="password")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(N_("The password must be at least %(num)s characters long."),
                              code="password_too_short", field="password", num=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(N_("The password must be at most %(num)s characters long."),
                              code="password_too_long", field="password", num=MAX_PASSWORD_LENGTH)
    if is_common_password(password):
        raise ValidationError(N_("That password is one of the most common ones, so it is easy to guess. "
                              "Try three or four unrelated words together."), code="password_too_common",
                              field="password")
    return password


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from real breaches.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common_password(password: str) -> bool:
    return password.strip().lower() in _common_passwords()


def create_or_promote_admin(email: str, password: str | None = None, *, full_name: str | None = None,
                            now=None) -> tuple[User, str]:
    """Make `email` a platform admin and say what happened (CREATED, PROMOTED or ALREADY_ADMIN).

    A new account needs a password of at least MIN_PASSWORD_LENGTH characters.
    An existing account is promoted and keeps its password and name, so
    re-running the command never locks anyone out.
    """
    now = now or utcnow()
    address = normalise_email(email)
    name = (full_name or "").strip()
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(f"The name must be at most {MAX_NAME_LENGTH} characters long.",
                              code="name_too_long", field="full_name")

    user = db.session.execute(select(User).where(User.email == address)).scalar_one_or_none()
    if user is not None:
        if user.is_platform_admin:
            return user, ALREADY_ADMIN
        user.is_platform_admin = True
        audit.record("platform_admin.promoted", subject=user, now=now, email=address)
        db.session.commit()
        return user, PROMOTED

    check_password(password)
    user = User(email=address, full_name=name or address.split("@")[0], password_hash=hash_password(password),
                is_platform_admin=True, created_at=now)
    db.session.add(user)
    db.session.flush()
    audit.record("platform_admin.created", subject=user, now=now, email=address)
    db.session.commit()
    return user, CREATED
