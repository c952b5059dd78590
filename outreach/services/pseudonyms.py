"""How records that outlive a young person's own profile (safeguarding concerns, incidents) name
them: a pseudonymised reference, and their name taken out of free text once the profile is erased
or anonymised."""
import re
from datetime import date


def initials(first_name: str | None, last_name: str | None) -> str:
    letters = [part[0].upper() for part in (first_name, last_name) if part and part.strip()]
    return ".".join(letters) + "." if letters else "?"


def reference(first_name: str | None, last_name: str | None, date_of_birth: date | None) -> str:
    """Initials and date of birth: "Z.Q., born 4 Apr 2013". Enough for a designated lead who
    knows the young person to tell who it was about; not a name in clear."""
    born = f", born {date_of_birth.day} {date_of_birth:%b %Y}" if date_of_birth else ""
    return initials(first_name, last_name) + born


def without_name(text: str | None, first_name: str | None, last_name: str | None) -> str | None:
    """The text with each of the names (whole words, any case) replaced by its initial."""
    if not text:
        return text
    for name in (last_name, first_name):
        name = (name or "").strip()
        if len(name) >= 2:
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", name[0].upper() + ".", text, flags=re.IGNORECASE)
    return text
