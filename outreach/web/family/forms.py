"""Forms for guardians: a child's details, consent, booking."""
import re
from datetime import date

from flask_babel import lazy_gettext as _l

from ..forms import AppForm, CleanMeta, MemorableDateField, MultiCheckboxField, OneTimeTokenMixin
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, RadioField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from ...models.young_person import GENDERS
from ..choices import choices

PHONE = Regexp(r"^[0-9+()\- ]{7,20}$", message=_l("Enter a phone number, like 07700 900123."))
DISTRICT = Regexp(r"^[A-Za-z]{1,2}[0-9][0-9A-Za-z]?$",
                  message=_l("Enter the first part of the postcode, like M13 or SW1A."))


class CollectorForm(Form):
    Meta = CleanMeta

    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    relationship_label = StringField(_l("Relationship"), validators=[Optional(), Length(max=40)])
    phone = StringField(_l("Phone"), validators=[Optional(), PHONE])


class ChildForm(AppForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(_l("Enter their first name.")), Length(max=60)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(_l("Enter their last name.")), Length(max=60)])
    date_of_birth = MemorableDateField(_l("Date of birth"), required=_l("Enter their date of birth."))
    gender = SelectField(_l("Gender (optional)"), choices=choices([("", _l("Not given"))] + [(k, _l(v)) for k, v in GENDERS.items()]),
                         validators=[Optional()])
    postcode_district = StringField(_l("Postcode area (optional)"), validators=[Optional(), DISTRICT])
    emergency_contact_name = StringField(_l("Emergency contact name"),
                                         validators=[DataRequired(_l("Enter an emergency contact.")), Length(max=120)])
    emergency_contact_phone = StringField(_l("Emergency contact phone"),
                                          validators=[DataRequired(_l("Enter a phone number.")), PHONE])
    medical_notes = TextAreaField(_l("Medical needs or allergies (optional)"), validators=[Optional(), Length(max=2000)])
    photo_consent = BooleanField(_l("Photos: they may appear in photos taken at sessions"))
    may_go_home_alone = BooleanField(_l("They may go home on their own after a session"))
    collectors = FieldList(FormField(CollectorForm), label=_l("Who else may collect them"), min_entries=2, max_entries=5)

    def validate_date_of_birth(self, field):
        if field.data and field.data < date(1990, 1, 1):
            raise ValidationError(_l("Date of birth must be in 1990 or later: activities are for young people."))

    def details_kwargs(self) -> dict:
        return dict(
            first_name=self.first_name.data.strip(), last_name=self.last_name.data.strip(),
            date_of_birth=self.date_of_birth.data, gender=self.gender.data or None,
            postcode_district=(self.postcode_district.data or "").strip() or None,
            emergency_contact_name=self.emergency_contact_name.data.strip(),
            emergency_contact_phone=self.emergency_contact_phone.data.strip(),
            medical_notes=(self.medical_notes.data or "").strip() or None,
            photo_consent=self.photo_consent.data, may_go_home_alone=self.may_go_home_alone.data,
            collectors=[{"name": c.form.name.data.strip(), "relationship_label": c.form.relationship_label.data or None,
                         "phone": c.form.phone.data or None}
                        for c in self.collectors if (c.form.name.data or "").strip()],
        )


class NewChildForm(OneTimeTokenMixin, ChildForm):
    consent = BooleanField(_l("I give consent"), validators=[DataRequired(_l("Please tick to give consent."))])


class ConsentForm(AppForm):
    consent = BooleanField(_l("I give consent"), validators=[DataRequired(_l("Please tick to give consent."))])


class ConfirmForm(AppForm):
    confirm = BooleanField(_l("Yes, I understand this can't be undone"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])


class PassCheckInForm(AppForm):
    session_id = HiddenField(validators=[DataRequired()])
    walk_in = HiddenField()


class BookForm(OneTimeTokenMixin, AppForm):
    # Several at once: one tick per child (a single value, as older pages sent, is one child).
    young_person_id = MultiCheckboxField(_l("Who is this booking for?"), coerce=int,
                                         validators=[DataRequired(_l("Choose who to book."))])
    session_id = RadioField(_l("Which session?"), coerce=int, validators=[Optional()])


def is_valid_district(value: str) -> bool:
    return bool(re.match(r"^[A-Za-z]{1,2}[0-9][0-9A-Za-z]?$", value or ""))


def _ethnic_choices():
    from wtforms import SelectChoice

    from ...models.equality import ETHNIC_HEADINGS, PREFER_NOT

    out = [SelectChoice("", _l("Not answered"))]
    for _key, heading, categories in ETHNIC_HEADINGS:
        out += [SelectChoice(key, _l(label), optgroup=_l(heading)) for key, label in categories]
    return out + [SelectChoice(PREFER_NOT, _l("Prefer not to say"))]


def _yes_no_choices():
    from ...models.equality import YES_NO

    return choices([("", _l("Not answered"))] + [(k, _l(v)) for k, v in YES_NO.items()])


class EqualityForm(AppForm):
    """The optional equality questions (models/equality.py). Every answer may be left blank."""
    ethnic_group = SelectField(_l("Ethnic group"), choices=_ethnic_choices(), validators=[Optional()])
    disability = RadioField(_l("Disability: do they have a disability or a long-term health condition?"),
                            choices=_yes_no_choices(), validators=[Optional()])
    special_needs = RadioField(_l("Special educational needs: do they have special educational needs (SEN)?"),
                               choices=_yes_no_choices(), validators=[Optional()])

    def answers(self) -> dict:
        return {name: getattr(self, name).data or None for name in ("ethnic_group", "disability", "special_needs")}
class CalendarFeedForm(AppForm):
    """Make the family's calendar link; replacing or stopping one asks for the tick."""

    confirm = BooleanField(_l("Yes, the old link stops working"))


class StopCalendarFeedForm(AppForm):
    # Its own name: it sits on the page beside the replace form's `confirm`.
    stop_confirm = BooleanField(_l("Yes, stop the link"), validators=[DataRequired(_l("Tick the box to confirm."))])
