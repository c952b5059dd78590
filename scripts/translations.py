"""The pybabel workflow in one place (make messages, make translations).

    python scripts/translations.py messages   extract the marked words into messages.pot and
                                              bring every language's messages.po up to date
    python scripts/translations.py fill       put the translations from translations/parts/*.json
                                              into the .po files (for words translated in bulk)
    python scripts/translations.py check      list every word a shipped language lacks
    python scripts/translations.py compile    build the .mo files the app reads

A parts file is a list of {"msgid": ..., "pl": ..., "ur": ..., "ar": ...}; for a plural message
also "msgid_plural", and each language's forms as a list (Polish 3, Urdu 2, Arabic 6).
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.pofile import write_po  # noqa: E402

from outreach import catalogues  # noqa: E402
from outreach.i18n import DEFAULT, LANGUAGES, TRANSLATIONS_DIR, compile_catalogues  # noqa: E402

POT = os.path.join(TRANSLATIONS_DIR, "messages.pot")


def _po_path(code):
    return os.path.join(TRANSLATIONS_DIR, code, "LC_MESSAGES", "messages.po")


def _write(catalogue, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        write_po(f, catalogue, width=100, sort_output=False, include_previous=False)


def messages():
    source = catalogues.extract()
    _write(source, POT)
    for code in LANGUAGES:
        if code == DEFAULT:
            continue
        catalogue = catalogues.read(code) or Catalog(locale=code, project="Outreach")
        catalogue.update(source, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        _write(catalogue, _po_path(code))
    print(f"{len(source)} messages in {POT}")


def fill():
    parts = []
    for path in sorted(glob.glob(os.path.join(TRANSLATIONS_DIR, "parts", "*.json"))):
        with open(path, encoding="utf-8") as f:
            parts.extend(json.load(f))
    for code in LANGUAGES:
        if code == DEFAULT:
            continue
        catalogue = catalogues.read(code)
        filled = 0
        for entry in parts:
            key = entry["msgid"]
            message = catalogue.get(key)
            if message is None or entry.get(code) in (None, "", []):
                continue
            value = entry[code]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
            filled += 1
        _write(catalogue, _po_path(code))
        print(f"{code}: {filled} filled from {len(parts)} in translations/parts")


def check():
    found = catalogues.gaps()
    for gap in found:
        print(gap)
    print(f"{len(found)} gaps")
    return 1 if found else 0


def compile_():
    done = compile_catalogues(TRANSLATIONS_DIR)
    print("compiled:", ", ".join(done) or "nothing changed")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    actions = {"messages": messages, "fill": fill, "check": check, "compile": compile_}
    if command not in actions:
        print(__doc__)
        sys.exit(2)
    sys.exit(actions[command]() or 0)
