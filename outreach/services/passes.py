"""QR passes: one live pass per young person, `<base>/p/<secret>`, revocable.

The secret is 192 random bits from `secrets` (the brief asks for at least 128),
URL-safe, and carries no personal data.
"""
import functools
import hashlib
import io
import os
import secrets
import unicodedata
import xml.etree.ElementTree as ET

import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import signals
from ..database import lock_row
from ..errors import N_, NotFoundError
from ..extensions import db
from ..models import Pass, YoungPerson
from ..timeutil import utcnow
from . import audit

SECRET_BYTES = 24
SVG_NS = "http://www.w3.org/2000/svg"


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
        raise NotFoundError(N_("This pass isn't one of ours."), code="unknown_pass")
    return found


def _qr(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


# Bold sans faces; the first one found that has every letter of the name draws it. Debian's
# fonts-dejavu-core covers Latin, Greek, Cyrillic and Hebrew; fonts-noto-core adds Arabic with
# Urdu's letters, the scripts of South Asia and more; fonts-noto-cjk Chinese and Japanese.
# A name no font here can draw is left off the image, never drawn as empty boxes: the
# pass's file name and the page around it still say whose it is.
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu/", "/usr/share/fonts/truetype/noto/",
              "/usr/share/fonts/opentype/noto/")
LABEL_FONTS = [d + name for d, name in [
    (_FONT_DIRS[0], "DejaVuSans-Bold.ttf"), (_FONT_DIRS[1], "NotoSans-Bold.ttf"),
    (_FONT_DIRS[1], "NotoSansArabic-Bold.ttf"), (_FONT_DIRS[1], "NotoSansBengali-Bold.ttf"),
    (_FONT_DIRS[1], "NotoSansGurmukhi-Bold.ttf"), (_FONT_DIRS[1], "NotoSansDevanagari-Bold.ttf"),
    (_FONT_DIRS[1], "NotoSansGujarati-Bold.ttf"), (_FONT_DIRS[1], "NotoSansTamil-Bold.ttf"),
    (_FONT_DIRS[1], "NotoSansEthiopic-Bold.ttf"), (_FONT_DIRS[1], "NotoSansHebrew-Bold.ttf"),
    (_FONT_DIRS[1], "NotoSansThai-Bold.ttf"), (_FONT_DIRS[2], "NotoSansCJK-Bold.ttc"),
]]
LABEL_MAX_CHARS = 40


@functools.lru_cache(maxsize=64)
def _font(path: str, size: int):
    return ImageFont.truetype(path, size)


@functools.lru_cache(maxsize=1024)
def _has_glyph(path: str, ch: str) -> bool:
    # A letter the font lacks comes out as its "missing" box, the glyph it draws for a code
    # point no font has.
    font = _font(path, 24)
    return _glyph(font, ch) != _glyph(font, "\U0010fffd")


def _glyph(font, ch: str) -> bytes:
    side = int(font.size * 2)
    image = Image.new("L", (side, side), 0)
    ImageDraw.Draw(image).text((0, 0), ch, font=font, fill=255)
    return image.tobytes()


def _one_line(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= LABEL_MAX_CHARS else label[:LABEL_MAX_CHARS - 1].rstrip() + "…"


def label_font(text: str) -> str | None:
    """The first of LABEL_FONTS on this machine with a glyph for every letter of `text`."""
    # Marks join their letter and spaces and control characters draw nothing; anything
    # else (a private-use or unassigned code point too) needs a glyph of its own.
    letters = {ch for ch in text if unicodedata.category(ch)[0] not in "MZ"
               and unicodedata.category(ch) not in ("Cc", "Cf")}
    for path in LABEL_FONTS:
        if os.path.exists(path) and all(_has_glyph(path, ch) for ch in letters):
            return path
    return None


def _labelled(image: Image.Image, label: str, box_size: int) -> Image.Image:
    """The QR image with `label` centred under the code (three of the quiet zone's four
    modules left clear), as large as fits the width, cut short with "…" if it must be."""
    label = _one_line(label)
    path = label_font(label)
    if path is None:
        return image
    width, height = image.size
    room = width - 2 * box_size
    size = box_size * 4
    font = _font(path, size)
    while font.getlength(label) > room and size > box_size * 1.6:
        size -= max(1, box_size // 5)
        font = _font(path, size)
    if font.getlength(label) > room:
        while len(label) > 1 and font.getlength(label + "…") > room:
            label = label[:-1].rstrip()
        label += "…"
    ascent, descent = font.getmetrics()
    top = height - box_size
    canvas = Image.new("L", (width, top + ascent + descent + 2 * box_size), 255)
    canvas.paste(image.convert("L"), (0, 0))
    ImageDraw.Draw(canvas).text((width / 2, top), label, font=font, fill=0, anchor="ma")
    return canvas


def qr_png(url: str, box_size: int = 10, label: str | None = None) -> bytes:
    """The pass's QR code as PNG; with `label` (the young person's first name) written
    under the code, so a saved or printed pass says whose it is."""
    code = _qr(url)
    code.box_size = box_size
    image = code.make_image().get_image()
    if label and label.strip():
        image = _labelled(image, label, box_size)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def qr_svg(url: str, label: str | None = None) -> bytes:
    """The pass's QR code as SVG; with `label` as text under the code (the viewer's own
    fonts draw it, in any script)."""
    code = _qr(url)
    buf = io.BytesIO()
    code.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    if not (label and label.strip()):
        return buf.getvalue()
    ET.register_namespace("", SVG_NS)
    root = ET.fromstring(buf.getvalue())
    _, _, side, _ = (float(v) for v in root.get("viewBox").split())
    extra = 5  # modules under the code for the name (3 of the quiet zone's 4 stay clear)
    root.set("viewBox", f"0 0 {side:g} {side + extra - 1:g}")
    root.set("height", f"{side + extra - 1:g}mm")
    text = ET.SubElement(root, f"{{{SVG_NS}}}text", {
        "x": f"{side / 2:g}", "y": f"{side + 1.6:g}", "text-anchor": "middle", "font-size": "3",
        "font-weight": "bold", "font-family": "DejaVu Sans, Arial, sans-serif"})
    text.text = _one_line(label)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def find_by_secret_or_none(secret: str) -> Pass | None:
    try:
        return find_by_secret(secret)
    except NotFoundError:
        return None
