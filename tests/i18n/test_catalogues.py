"""Every word the source marks is translated in every shipped language, with its placeholders."""
from outreach import catalogues


def test_every_marked_word_is_translated_in_every_shipped_language():
    gaps = catalogues.gaps()
    assert not gaps, f"{len(gaps)} gaps (make messages, then translate):\n" + "\n".join(map(str, gaps[:80]))
