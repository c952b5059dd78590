"""A pseudo-language that shows which words on a page were never marked for translation.

Every message the source marks is "translated" into itself between ⟦ and ⟧, in a catalogue for
Esperanto ("eo", which Outreach does not ship, so Babel still formats its dates). A page rendered
in it has every translatable word between the marks; test data is marked the same way
(`marked("Amira")`). Whatever is left outside the marks is a word a Polish, Urdu or Arabic
reader would see in English: `unmarked(html)` lists them.
"""
import functools
import os
import re
from html.parser import HTMLParser

from babel import Locale
from babel.messages.mofile import write_mo

from outreach import catalogues

CODE = "eo"
OPEN, CLOSE = "\u27e6", "\u27e7"
_INNER = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Outward postcodes ("M40") and the product's name are not words to translate.
_NOT_WORDS = re.compile(r"^(?:[A-Z]{1,2}\d[A-Z\d]?|Outreach)$")


def marked(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


def build(folder: str) -> str:
    """Write the pseudo catalogue under `folder` and return the folder (a translation directory)."""
    source = catalogues.extract()
    source.locale = Locale.parse(CODE)
    for message in source:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(marked(message.id[i if i < 2 else 1]) for i in range(source.num_plurals))
        else:
            message.string = marked(message.id)
    path = os.path.join(folder, CODE, "LC_MESSAGES")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "messages.mo"), "wb") as f:
        write_mo(f, source)
    return folder


@functools.cache
def _babel_words() -> frozenset[str]:
    """Esperanto month and day names, as Babel prints them in dates."""
    locale = Locale.parse(CODE)
    words = set()
    for table in (locale.months, locale.days):
        for context in table.values():
            for width in context.values():
                for name in width.values():
                    words.update(w.lower() for w in _WORD.findall(name))
    for name in locale.eras.get("abbreviated", {}).values():
        words.update(w.lower() for w in _WORD.findall(name))
    return frozenset(words)


def leftover(text: str) -> list[str]:
    """The words of `text` outside the marks (URLs, e-mail addresses and numbers are not words)."""
    previous = None
    while previous != text:
        previous, text = text, _INNER.sub(" ", text)
    words = []
    for token in text.split():
        if "://" in token or "@" in token or token.startswith("/"):
            continue
        for word in _WORD.findall(token):
            if not _NOT_WORDS.match(word) and word.lower() not in _babel_words():
                words.append(word)
    return words


_SKIP = {"script", "style", "template", "noscript"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SPOKEN = ("title", "aria-label", "placeholder", "alt", "aria-description", "data-confirm")


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, skipped)
        self.found = []

    def _skipped(self):
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # Words in another language on purpose (the switcher's "Polski"), or never translated.
        skip = tag in _SKIP or ("lang" in attrs and attrs["lang"] != CODE) or attrs.get("translate") == "no"
        if not skip and not self._skipped():
            for name in _SPOKEN:
                if attrs.get(name):
                    self.found.append((f"<{tag} {name}>", attrs[name]))
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.found.append(("<input value>", attrs["value"]))
        if tag not in _VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if data.strip() and not self._skipped():
            where = self.stack[-1][0] if self.stack else "text"
            self.found.append((f"<{where}>", data))


def unmarked(html: str) -> list[str]:
    """Every text on the page (and every spoken attribute) with words left untranslated."""
    parser = _Texts()
    parser.feed(html)
    return [f"{where} {' '.join(text.split())!r}" for where, text in parser.found if leftover(text)]


def unmarked_text(text: str) -> list[str]:
    """The same for a plain-text email or a text message: each line with untranslated words."""
    return [line.strip() for line in text.splitlines() if leftover(line)]
