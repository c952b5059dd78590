"""The base every form in the app derives from.

Text typed or pasted into any field loses control characters (a NUL byte is
refused outright by PostgreSQL, and escape codes have no place in a register)
while keeping line breaks and tabs in longer text.
"""
import re
import secrets
from datetime import date

from flask import has_request_context, redirect, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField as _DateField
from wtforms import DateTimeLocalField as _DateTimeLocalField
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms import HiddenField
from wtforms import IntegerField as _IntegerField
from wtforms import StringField
from wtforms.fields.core import Field
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

from ..errors import N_
from ..services.one_time import TOKEN

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_TEXT_FIELDS = (StringField,)  # TextArea, Email, Password, Search... all derive from it


def _strip_control(value):
    return _CONTROL.sub("", value) if isinstance(value, str) else value


class CleanMeta:
    """Meta for any form, also plain wtforms.Form subforms inside a FieldList."""

    def bind_field(self, form, unbound_field, options):
        filters = unbound_field.kwargs.get("filters") or []
        # Only plain input fields take filters (FieldList/FormField refuse them).
        if issubclass(unbound_field.field_class, _TEXT_FIELDS) and _strip_control not in filters:
            unbound_field.kwargs["filters"] = [_strip_control, *filters]
        return unbound_field.bind(form=form, **options)


# WTForms' own messages a family can meet (an answer not among those offered: a tampered or
# stale form), in Outreach's catalogues so every language has them, Urdu included (WTForms
# ships no Urdu); WTForms' own translations answer for any other.
N_("Not a valid choice.")
N_("Invalid Choice: could not coerce.")


class _Translations:
    def __init__(self, fallback):
        self.fallback = fallback

    def gettext(self, string):
        if has_request_context():
            ours = get_translations().gettext(string)
            if ours != string:
                return ours
        return self.fallback.gettext(string) if self.fallback is not None else string

    def ngettext(self, singular, plural, n):
        if has_request_context():
            ours = get_translations().ngettext(singular, plural, n)
            if ours not in (singular, plural):
                return ours
        if self.fallback is not None:
            return self.fallback.ngettext(singular, plural, n)
        return singular if n == 1 else plural


class AppForm(FlaskForm):
    class Meta(CleanMeta):
        def get_translations(self, form):
            return _Translations(FlaskForm.Meta.get_translations(self, form))


class IntegerField(_IntegerField):
    """An integer field that refuses numbers no form here means (capacity, ages, pages).

    A 70-bit number would otherwise reach NumberRange, which turns it into a
    float and fails with an OverflowError (a 500), or reach the database.
    """
    LIMIT = 2 ** 31 - 1

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > self.LIMIT:
            self.data = None
            raise ValueError(_("That number is too large."))


class DateField(_DateField):
    """A date field for dates people mean: years 1900 to 2200, else a message next to the field.

    Every date reaches timezone conversions and day arithmetic: 9999-12-31 plus a
    day, or 0001-01-01 moved to UTC, raise OverflowError (a 500) long before any
    rule could say the date makes no sense. Every form uses this one, not wtforms' own.
    """
    FIRST, LAST = date(1900, 1, 1), date(2200, 12, 31)

    def __init__(self, *args, out_of_range: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.out_of_range = out_of_range or _l("Enter a date between %(first)s and %(last)s.",
                                               first=self.FIRST.year, last=self.LAST.year)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.FIRST <= self.data <= self.LAST:
            self.data = None
            raise ValueError(self.out_of_range)


class DateTimeLocalField(_DateTimeLocalField):
    """A date and time from a native picker, in the organisation's time zone (the route turns it
    into UTC), years 1900 to 2200 like DateField, else a message next to the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_("Enter a date and time, like 04/12/2026 18:40.")) from None
        if self.data is not None and not DateField.FIRST <= self.data.date() <= DateField.LAST:
            self.data = None
            raise ValueError(_("Enter a real date and time."))


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (the macro in _macros/forms.html lays them out)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def _page_token() -> str:
    token = request.args.get(TOKEN_PARAMETER, "") if has_request_context() else ""
    return token if TOKEN.fullmatch(token) else _new_token()


def _usable_token(value):
    # A page always sends the token it was given; anything else (missing, tampered) gets a fresh one.
    return value if isinstance(value, str) and TOKEN.fullmatch(value) else _new_token()


TOKEN_PARAMETER = "once"


class OneTimeTokenMixin:
    """For the forms that create a young person or a booking: a hidden one-time token, taken from the
    page's address (see `token_redirect`) and sent back with the form. The service claims it with what it
    creates (services/one_time.py), so sending the same form twice creates one. Render
    `{{ form.form_token }}` inside the form."""

    form_token = HiddenField(default=_page_token, filters=[_usable_token])


def token_redirect():
    """For the page of a OneTimeTokenMixin form, once the route has loaded what the page is about: a GET
    without a token is sent to the same address with a new one (`?once=...`), else None.

    Going back to the page after an error page, or reloading it, then shows the same token again, so
    the natural retry ("go back and send it again") is seen as a repeat; a token made afresh for each
    showing of the page would make it a second young person."""
    if request.method != "GET" or TOKEN.fullmatch(request.args.get(TOKEN_PARAMETER, "")):
        return None
    # Names with a leading "_" would be url_for's own options (_external, _scheme...).
    # Every value of a repeated name is kept (?child=3&child=7: the children chosen on a booking page).
    kept = {k: v for k, v in request.args.lists() if not k.startswith("_")}
    return redirect(url_for(request.endpoint, **{**kept, **(request.view_args or {}),
                                                 TOKEN_PARAMETER: _new_token()}))


class MemorableDateField(Field):
    """A date people know by heart (a date of birth) as three boxes: day, month and year, as the
    GOV.UK Design System asks, rather than a browser's date picker (which shows mm/dd/yyyy in
    some setups and makes a 2009 birthday many taps away).

    The boxes post as `<name>-day`, `<name>-month`, `<name>-year`. What was typed is kept in
    `parts` to show again after an error, and `bad_parts` says which boxes to mark. Every way
    of getting it wrong (an empty box, letters, 31 February, year 3000, year 1, a 30-digit
    number) becomes a message next to the field, never an exception further on. A single ISO
    date posted as `<name>` (scripts, older pages) is still read when no box was sent.

    Digits of any script count (Arabic-Indic digits typed on an Urdu keyboard are digits).
    `required` is the message for three empty boxes; without it the date is optional.
    `earliest`/`latest` bound the date (latest=None: today; dates of birth are in the past).
    """

    PARTS = ("day", "month", "year")
    # Whole sentences, so a translation can put the words in its own order.
    _MISSING = {
        ("day",): N_("%(noun)s must include a day."),
        ("month",): N_("%(noun)s must include a month."),
        ("year",): N_("%(noun)s must include a year."),
        ("day", "month"): N_("%(noun)s must include a day and a month."),
        ("day", "year"): N_("%(noun)s must include a day and a year."),
        ("month", "year"): N_("%(noun)s must include a month and a year."),
    }

    def __init__(self, label=None, validators=None, *, required: str | None = None, noun: str = _l("Date of birth"),
                 earliest: date = date(1900, 1, 1), latest: date | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required, self.noun = required, noun
        self.earliest, self.latest = earliest, latest
        self.parts = {p: "" for p in self.PARTS}
        self.bad_parts: set[str] = set()

    def _value(self):
        return self.data.isoformat() if self.data else ""

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.bad_parts = set()
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data if isinstance(data, date) else None
        if self.data:
            self.parts = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        if formdata is None:
            return
        sent = {p: formdata.get(f"{self.name}-{p}") for p in self.PARTS}
        if all(v is None for v in sent.values()):
            legacy = formdata.get(self.name)
            if legacy is None:
                return  # nothing posted for this field (a form on another page)
            self.parts = {p: "" for p in self.PARTS}
            try:
                self.data = date.fromisoformat(str(legacy).strip()[:10]) if str(legacy).strip() else None
            except ValueError:
                self.data = None
                self.bad_parts = set(self.PARTS)
                self.process_errors.append(_("%(noun)s must be a real date.", noun=self.noun))
                return
            if self.data:
                self.parts = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        else:
            # Bounded before anything else looks at it: a megabyte of digits is shown back clipped.
            self.parts = {p: _strip_control(str(v or "")).strip()[:12] for p, v in sent.items()}
            self.data = None
            message = self._read_parts()
            if message:
                self.process_errors.append(message)
                return
        if self.data is not None:
            latest = self.latest or date.today()
            if self.data > latest:
                self.bad_parts, self.data = set(self.PARTS), None
                self.process_errors.append(_("%(noun)s must be in the past.", noun=self.noun) if self.latest is None
                                           else _("%(noun)s must be a real date.", noun=self.noun))
            elif self.data < self.earliest:
                self.bad_parts, self.data = {"year"}, None
                self.process_errors.append(_("%(noun)s must be after %(year)s.", noun=self.noun,
                                             year=self.earliest.year))

    def _read_parts(self) -> str | None:
        """Set self.data from the three boxes, or say what is wrong (and mark the boxes)."""
        day, month, year = (self.parts[p] for p in self.PARTS)
        empty = [p for p in self.PARTS if not self.parts[p]]
        if len(empty) == 3:
            return None  # nothing typed: `required` decides in pre_validate
        if empty:
            self.bad_parts = set(empty)
            return _(self._MISSING[tuple(empty)], noun=self.noun)
        not_numbers = [p for p in self.PARTS if not self.parts[p].isdecimal()]
        if not_numbers:
            self.bad_parts = set(not_numbers)
            return _("%(noun)s must be a real date, in numbers, like 27 3 2012.", noun=self.noun)
        if len(year) != 4:
            self.bad_parts = {"year"}
            return _("Year must include 4 numbers.")
        if len(day) > 2 or len(month) > 2:
            self.bad_parts = {p for p in ("day", "month") if len(self.parts[p]) > 2}
            return _("%(noun)s must be a real date.", noun=self.noun)
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            # 31 February, month 13, day 0: which box is wrong is not always clear, so mark day and month.
            self.bad_parts = {"month"} if not 1 <= int(month) <= 12 else {"day"}
            return _("%(noun)s must be a real date.", noun=self.noun)
        return None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # one message per field: the form's own checks need a date
        if self.data is None and self.required:
            self.bad_parts = set(self.PARTS)
            raise StopValidation(self.required)


def field_error(form, err) -> None:
    """Show a service's DomainError on the form: next to the field it names, else at the top."""
    if err.field and hasattr(form, err.field):
        getattr(form, err.field).errors.append(err.translated())
    else:
        form.form_errors.append(err.translated())
