"""Contact notes: what a member of staff records after contact with a young person.

- Any member of an organisation that knows the young person (privacy.py) writes one: the date
  of the contact, how (in person, phone, message), optionally the programme, and the note.
- A note is for the organisation's staff, or `restricted` to its leads and designated
  safeguarding leads (access.may_read_note decides who reads which). A safeguarding worry is not
  a note: it is a concern (services/safeguarding.py), which goes to the designated leads at once.
- Notes are append-only: a correction is a new note, so the record shows what was known when.
- Kept by their own retention classes (services/retention.py): staff notes for
  RETENTION_CONTACT_NOTES_DAYS after they were written, restricted notes for
  RETENTION_RESTRICTED_NOTES_DAYS. Erasing a young person's record removes their notes of both
  kinds; anonymising it (the retention purge) removes staff notes and keeps restricted ones, their
  name taken out, until their own class removes them.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, func, select

from ..errors import ValidationError
from ..extensions import db
from ..models import NOTE_CONTACTS, ContactNote, Organisation, Programme, YoungPerson
from ..privacy import is_known
from ..timeutil import utcnow
from . import audit, one_time, pseudonyms

MAX_TEXT = 10000


@dataclass
class NoteDetails:
    text: str
    contact_on: date
    contact: str = "in_person"
    restricted: bool = False
    programme_id: int | None = None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def check_young_person(org: Organisation, yp: YoungPerson | None) -> YoungPerson:
    """The young person, if the organisation knows them and their record is not erased."""
    if yp is None or yp.erased_at is not None or not is_known(org.id, yp.id):
        raise ValidationError("We couldn't find that young person.", code="unknown_young_person",
                              field="young_person")
    return yp


def check_programme(org: Organisation, programme_id: int | None) -> Programme | None:
    if programme_id is None:
        return None
    programme = db.session.get(Programme, programme_id) if isinstance(programme_id, int) else None
    if programme is None or programme.organisation_id != org.id:
        raise ValidationError("Choose a programme from the list.", code="unknown_programme", field="programme")
    return programme


def check_date(day: date | None, *, now: datetime, field: str, what: str = "The date") -> date:
    if day is None:
        raise ValidationError("Enter the date.", code="date_required", field=field)
    # A day's slack: the organisation's "today" can be UTC's tomorrow.
    if day > now.date() + timedelta(days=1):
        raise ValidationError(f"{what} can't be in the future.", code="date_in_future", field=field)
    return day


def add_note(org: Organisation, writer, yp: YoungPerson, details: NoteDetails, *, once: str | None = None,
             now: datetime | None = None) -> ContactNote:
    """Write a contact note. ValidationError codes: unknown_young_person, text_required,
    text_too_long, unknown_contact, unknown_programme, date_required, date_in_future. `once` is
    the form's one-time token: a second tap on a slow phone raises AlreadySavedError, saves nothing."""
    now = now or utcnow()
    check_young_person(org, yp)
    text = _clean(details.text)
    if not text:
        raise ValidationError("Write the note.", code="text_required", field="text")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Keep the note under {MAX_TEXT} characters.", code="text_too_long", field="text")
    if details.contact not in NOTE_CONTACTS:
        raise ValidationError("Choose how you were in contact.", code="unknown_contact", field="contact")
    programme = check_programme(org, details.programme_id)
    contact_on = check_date(details.contact_on, now=now, field="contact_on", what="The date of the contact")
    claimed = one_time.claim(writer, "add_contact_note", once, now=now)
    note = ContactNote(organisation_id=org.id, young_person_id=yp.id, programme_id=programme.id if programme else None,
                       written_by_id=writer.id, written_at=now, contact_on=contact_on, contact=details.contact,
                       text=text, restricted=bool(details.restricted))
    db.session.add(note)
    db.session.flush()
    one_time.made(claimed, note)
    # Which note and whether restricted; never its text.
    audit.record("contact_note.added", actor=writer, organisation=org, subject=yp, now=now, note=note.id,
                 restricted=note.restricted)
    db.session.commit()
    return note


def notes_about(org: Organisation, yp: YoungPerson) -> list[ContactNote]:
    """Every note the organisation holds about the young person, newest contact first. The
    caller filters with access.may_read_note before anything reaches a page."""
    return db.session.execute(select(ContactNote).where(ContactNote.organisation_id == org.id,
                                                        ContactNote.young_person_id == yp.id)
                              .order_by(ContactNote.contact_on.desc(), ContactNote.id.desc())).scalars().all()


# ------------------------------------------------------------------ erasure, anonymisation, retention

def on_erased(yp: YoungPerson) -> int:
    """The family erased the record: every note about them goes (both kinds). The caller commits."""
    return db.session.execute(delete(ContactNote).where(ContactNote.young_person_id == yp.id)).rowcount or 0


def on_anonymised(yp: YoungPerson) -> int:
    """Anonymised after the retention period: staff notes go; restricted notes stay, the name
    replaced by initials, until their own class removes them. Call before the name is blanked."""
    removed = db.session.execute(delete(ContactNote).where(ContactNote.young_person_id == yp.id,
                                                           ContactNote.restricted.is_(False))).rowcount or 0
    for note in db.session.execute(select(ContactNote).where(ContactNote.young_person_id == yp.id)).scalars():
        note.text = pseudonyms.without_name(note.text, yp.first_name, yp.last_name)
    return removed


def _expired(*, restricted: bool, before: datetime):
    return and_(ContactNote.restricted.is_(restricted), ContactNote.written_at < before)


def purge(*, now: datetime, days: int, restricted: bool, dry_run: bool = False) -> int:
    """Remove the notes of one kind written more than `days` ago; returns how many (would go)."""
    where = _expired(restricted=restricted, before=now - timedelta(days=days))
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(ContactNote).where(where))
    return db.session.execute(delete(ContactNote).where(where)).rowcount or 0
