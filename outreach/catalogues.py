"""The translation catalogues: what the source asks to translate, and what each language lacks.

Used by `make messages` (scripts/translations.py) and by tests/i18n, which fail on any word a
family would see untranslated. Extraction reads babel.cfg, as `pybabel extract` does.
"""
import os
import re
from dataclasses import dataclass

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from .i18n import DEFAULT, LANGUAGES, TRANSLATIONS_DIR

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")


def _method_map() -> list[tuple[str, str]]:
    methods = []
    with open(os.path.join(ROOT, "babel.cfg")) as f:
        for line in f:
            line = line.strip()
            if line.startswith("[") and line.endswith("]"):
                method, _, pattern = line[1:-1].partition(":")
                methods.append((pattern.strip(), method.strip()))
    return methods


def _searched(dirpath: str) -> bool:
    """Babel's own filter skips every folder whose name starts with "_", and so templates/_macros/
    (the error summary, the date boxes, the back link): only hidden folders and caches are skipped."""
    name = os.path.basename(dirpath)
    return not (name.startswith(".") or name in ("__pycache__", "node_modules"))


def extract() -> Catalog:
    """Every message the source marks (what `pybabel extract -F babel.cfg` finds)."""
    methods = _method_map()
    options = {pattern: {"extensions": "jinja2.ext.i18n"} for pattern, method in methods if method == "jinja2"}
    catalogue = Catalog(project="Outreach", locale=None)
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT, methods, options, keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True,
            directory_filter=_searched):
        catalogue.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalogue


def read(code: str, folder: str = TRANSLATIONS_DIR) -> Catalog | None:
    path = os.path.join(folder, code, "LC_MESSAGES", "messages.po")
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return read_po(f, locale=code)


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in _PLACEHOLDER.findall(text or "")}


@dataclass
class Gap:
    language: str
    msgid: str
    why: str
    where: str

    def __str__(self):
        return f"{self.language}: {self.why}: {self.msgid!r} ({self.where})"


def gaps(source: Catalog | None = None, folder: str = TRANSLATIONS_DIR) -> list[Gap]:
    """Each message of the source that a shipped language has not translated, has only as a
    fuzzy guess, or translates with different placeholders (a %(name)s lost in Urdu)."""
    source = source or extract()
    found = []
    for code in LANGUAGES:
        if code == DEFAULT:
            continue
        catalogue = read(code, folder)
        for message in source:
            if not message.id:
                continue
            where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
            ours = catalogue.get(message.id, message.context) if catalogue else None
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            if ours is None or not ours.string or (isinstance(ours.string, tuple) and not all(ours.string)):
                found.append(Gap(code, ids[0], "not translated", where))
            elif ours.fuzzy:
                found.append(Gap(code, ids[0], "fuzzy (needs checking)", where))
            else:
                strings = ours.string if isinstance(ours.string, tuple) else (ours.string,)
                wanted = placeholders(ids[-1]) | placeholders(ids[0])
                for string in strings:
                    if placeholders(string) - wanted or (placeholders(ids[0]) - {"num"}) - placeholders(string):
                        found.append(Gap(code, ids[0], f"placeholders differ in {string!r}", where))
                        break
    return found
