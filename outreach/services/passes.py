"""QR passes: one live pass per young person, `<base>/p/<secret>`, revocable.

The secret is 192 random bits from `secrets` (the brief asks for at least 128),
URL-safe, and carries no personal data.
"""
import hashlib
import io
import secrets

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import signals
from ..database import lock_row
from ..errors import NotFoundError
from ..extensions import db
from ..models import Pass, YoungPerson
from ..timeutil import utcnow
from . import audit

SECRET_BYTES = 24


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def pass_url(base_url: str, secret: str) -> str:
    return f"{base_url.rstrip('/')}/p/{secret}"


# No 0/O, 1/I/L: a code read out over a phone or copied from paper stays right.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def pass_code(secret: str) -> str:
    """A short code for a pass, for registers and phone calls ("KX4P-9QRT").

    Derived from a hash of the secret, so it identifies the pass without
    revealing anything that would open it."""
    number = int.from_bytes(hashlib.sha256(secret.encode()).digest()[:6], "big")
    chars = []
    for _ in range(8):
        number, digit = divmod(number, len(_CODE_ALPHABET))
        chars.append(_CODE_ALPHABET[digit])
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def _hold(young_person) -> None:
    """Issuing and replacing a pass queue on the young person's row until the commit, so a
    double tap on "replace" or two first views of a pass never meet the one-live-pass rule."""
    lock_row(db.session, YoungPerson, young_person.id)


def live_pass(young_person) -> Pass | None:
    return db.session.execute(
        select(Pass).where(Pass.young_person_id == young_person.id, Pass.revoked_at.is_(None))
    ).scalar_one_or_none()


def ensure_pass(young_person, *, now=None, commit=True) -> Pass:
    """The young person's live pass, issuing one if they have none."""
    current = live_pass(young_person)
    if current is not None:
        return current
    _hold(young_person)
    current = live_pass(young_person)  # another request may have issued one meanwhile
    if current is not None:
        return current
    issued = Pass(young_person_id=young_person.id, secret=new_secret(), created_at=now or utcnow())
    db.session.add(issued)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return issued


def reissue_pass(young_person, *, by=None, reason="Replaced", now=None) -> Pass:
    """Revoke the live pass (a lost card) and issue a new one in the same transaction."""
    now = now or utcnow()
    _hold(young_person)
    old = live_pass(young_person)
    if old is not None:
        old.revoked_at = now
        old.revoked_by_id = getattr(by, "id", None)
        old.revoke_reason = reason[:200]
        db.session.flush()  # the partial unique index allows one live pass
    new = Pass(young_person_id=young_person.id, secret=new_secret(), created_at=now)
    db.session.add(new)
    audit.record("pass.replaced", actor=by, subject=young_person, now=now, reason=reason[:200])
    db.session.flush()
    if old is not None:
        signals.pass_revoked.send(None, old_pass=old, new_pass=new, by=by)
    db.session.commit()
    return new


def find_by_secret(secret: str) -> Pass:
    """The pass with this secret, live or revoked; NotFoundError(code="unknown_pass") otherwise."""
    found = db.session.execute(select(Pass).options(joinedload(Pass.young_person))
                               .where(Pass.secret == secret[:64])).scalar_one_or_none()
    if found is None:
        raise NotFoundError("This pass isn't one of ours.", code="unknown_pass")
    return found


def _qr(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str, box_size: int = 10) -> bytes:
    code = _qr(url)
    code.box_size = box_size
    buf = io.BytesIO()
    code.make_image().save(buf, format="PNG")
    return buf.getvalue()


def qr_svg(url: str) -> bytes:
    code = _qr(url)
    buf = io.BytesIO()
    code.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    return buf.getvalue()


def find_by_secret_or_none(secret: str) -> Pass | None:
    try:
        return find_by_secret(secret)
    except NotFoundError:
        return None
