import io

import pytest
import zxingcpp
from PIL import Image

from outreach.errors import NotFoundError
from outreach.services import passes
from tests.factories import make_young_person


def decode_png(data: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))]


def test_secret_has_at_least_128_bits_and_no_personal_data(db):
    yp = make_young_person("Amelia", "Okafor")
    issued = passes.ensure_pass(yp)
    # token_urlsafe(24) -> 32 characters of base64: 192 bits.
    assert len(issued.secret) >= 22
    assert "amelia" not in issued.secret.lower() and str(yp.id) != issued.secret


def test_one_live_pass_is_reused(db):
    yp = make_young_person()
    assert passes.ensure_pass(yp).id == passes.ensure_pass(yp).id


def test_reissue_revokes_the_old_pass(db):
    yp = make_young_person()
    old = passes.ensure_pass(yp)
    new = passes.reissue_pass(yp, reason="Lost card")
    assert new.secret != old.secret
    assert passes.find_by_secret(old.secret).is_revoked
    assert not passes.find_by_secret(new.secret).is_revoked


def test_unknown_secret_is_refused_with_a_code(db):
    with pytest.raises(NotFoundError) as err:
        passes.find_by_secret("nope")
    assert err.value.code == "unknown_pass"


def test_png_decodes_to_the_pass_url(db):
    url = passes.pass_url("https://outreach.example.org/", passes.new_secret())
    assert decode_png(passes.qr_png(url)) == [url]


def test_svg_is_an_svg_of_the_code(db):
    svg = passes.qr_svg("https://outreach.example.org/p/abc")
    assert svg.startswith(b"<?xml") and b"<svg" in svg and b"<path" in svg


def test_a_name_is_drawn_under_the_code_only_with_a_font_that_has_its_letters(db):
    url = "http://127.0.0.1:5000/p/" + "s" * 32
    plain, named = (Image.open(io.BytesIO(passes.qr_png(url, label=label))) for label in (None, "Maya"))
    assert decode_png(passes.qr_png(url, label="Maya")) == [url]
    assert named.width == plain.width and named.height > plain.height
    # A name no installed font can draw (here, a private-use character) is left off, not drawn as boxes.
    assert passes.label_font("\ue000\ue001") is None
    boxed = Image.open(io.BytesIO(passes.qr_png(url, label="\ue000\ue001")))
    assert boxed.size == plain.size
    # A long name is cut short with "…" to fit the width; the code still reads.
    assert decode_png(passes.qr_png(url, label="Wolfeschlegelsteinhausenbergerdorff " * 3)) == [url]
