"""Forms for programmes and sessions."""
from ..forms import AppForm, DateField, IntegerField
from wtforms import RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ...models import CATEGORIES, REGISTRATION_MODES
from ...services.follow_up import MAX_FIRST_SESSIONS, MAX_MISSED
from ...i18n import DEFAULT, LANGUAGES
from ...services.programmes import (MAX_DESCRIPTION, MAX_DIRECTIONS, MAX_END_SURVEY_WEEKS, MAX_REGULAR_SESSIONS,
                                    MAX_TITLE, WEEKDAYS)
from ..choices import choices

DISTRICT = Regexp(r"^\s*[A-Za-z]{1,2}[0-9][0-9A-Za-z]?\s*$",
                  message="Enter the first part of the postcode, like M13 or SW1A.")


class ProgrammeForm(AppForm):
    title = StringField("Title", validators=[DataRequired("Give the programme a title."), Length(max=MAX_TITLE)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    category = SelectField("Category", choices=choices(CATEGORIES.items()))
    venue_name = StringField("Venue", validators=[DataRequired("Enter the venue's name."), Length(max=120)])
    venue_address = TextAreaField("Venue address", validators=[DataRequired("Enter the address."), Length(max=300)])
    venue_directions = TextAreaField("How to find the venue (optional)",
                                     validators=[Optional(), Length(max=MAX_DIRECTIONS)])
    postcode_district = StringField("Postcode area", validators=[DataRequired("Enter the postcode area."), DISTRICT])
    min_age = IntegerField("Youngest age", validators=[InputRequired("Enter the youngest age."),
                                                       NumberRange(0, 25, "Ages run from 0 to 25.")])
    max_age = IntegerField("Oldest age", validators=[InputRequired("Enter the oldest age."),
                                                     NumberRange(0, 25, "Ages run from 0 to 25.")])
    capacity = IntegerField("Places", validators=[InputRequired("Enter how many places there are."),
                                                  NumberRange(1, 10000, "Enter a number from 1 to 10,000.")])
    registration_mode = RadioField("How young people register", default="per_session",
                                   choices=choices(REGISTRATION_MODES.items()))
    regular_sessions = IntegerField("Sessions that make a regular attendee (optional)", validators=[
        Optional(), NumberRange(1, MAX_REGULAR_SESSIONS,
                                f"Enter a number of sessions from 1 to {MAX_REGULAR_SESSIONS:,}, or leave it blank.")])
    end_survey_weeks = IntegerField("Weeks until the end survey (optional)", validators=[
        Optional(), NumberRange(1, MAX_END_SURVEY_WEEKS,
                                f"Enter a number of weeks from 1 to {MAX_END_SURVEY_WEEKS}, or leave it blank.")])
    follow_up_first_sessions = IntegerField("Follow-up: judge a regular on their first … sessions (optional)", validators=[
        Optional(), NumberRange(1, MAX_FIRST_SESSIONS,
                                f"Enter a number of sessions from 1 to {MAX_FIRST_SESSIONS}, or leave it blank.")])
    follow_up_missed = IntegerField("Follow-up: after missing … sessions in a row (optional)", validators=[
        Optional(), NumberRange(1, MAX_MISSED, f"Enter a number of sessions from 1 to {MAX_MISSED}, or leave it blank.")])

    def validate_max_age(self, field):
        if self.min_age.data is not None and field.data is not None and field.data < self.min_age.data:
            raise ValidationError("The oldest age must not be below the youngest.")

    def text_fields(self, code):
        """The title, description and directions fields of one other language."""
        return [getattr(self, text_field_name(code, part)) for part in TEXT_PARTS]


# The programme's words in each other language the site ships: text_<code>_title and so on, each
# input marked with its language and direction so the browser lays out and spell-checks it right.
ENGLISH_NAMES = {"pl": "Polish", "ur": "Urdu", "ar": "Arabic"}
OTHER_LANGUAGES = [lang for code, lang in LANGUAGES.items() if code != DEFAULT]
TEXT_PARTS = ("title", "description", "venue_directions")


def text_field_name(code: str, part: str) -> str:
    return f"text_{code}_{part}"


for _lang in OTHER_LANGUAGES:
    _name = ENGLISH_NAMES.get(_lang.code, _lang.name)
    _kw = {"lang": _lang.tag, "dir": "rtl" if _lang.rtl else "ltr"}
    setattr(ProgrammeForm, text_field_name(_lang.code, "title"), StringField(
        f"Title in {_name} (optional)", validators=[Optional(), Length(max=MAX_TITLE)], render_kw=_kw))
    setattr(ProgrammeForm, text_field_name(_lang.code, "description"), TextAreaField(
        f"Description in {_name} (optional)", validators=[Optional(), Length(max=MAX_DESCRIPTION)], render_kw=_kw))
    setattr(ProgrammeForm, text_field_name(_lang.code, "venue_directions"), TextAreaField(
        f"How to find the venue, in {_name} (optional)", validators=[Optional(), Length(max=MAX_DIRECTIONS)],
        render_kw=_kw))


class SessionForm(AppForm):
    day = DateField("Date", validators=[InputRequired("Enter the date.")])
    start = TimeField("Starts", validators=[InputRequired("Enter the start time.")])
    end = TimeField("Ends", validators=[InputRequired("Enter the end time.")])
    venue_name = StringField("Different venue (optional)", validators=[Optional(), Length(max=120)])
    venue_address = StringField("Different address (optional)", validators=[Optional(), Length(max=300)])
    capacity = IntegerField("Different number of places (optional)",
                            validators=[Optional(), NumberRange(0, 10000, "Enter a number from 0 to 10,000.")])

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError("The session must end after it starts.")


class WeeklyRuleForm(AppForm):
    weekday = SelectField("Day of the week", choices=choices((str(i), d) for i, d in enumerate(WEEKDAYS)),
                          default="2")
    start = TimeField("Starts", validators=[InputRequired("Enter the start time.")])
    end = TimeField("Ends", validators=[InputRequired("Enter the end time.")])
    first_date = DateField("First date", validators=[InputRequired("Enter the first date.")])
    last_date = DateField("Last date", validators=[InputRequired("Enter the last date.")])
    skip_dates = TextAreaField("Dates to skip (optional)", validators=[Optional(), Length(max=2000)])

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError("The session must end after it starts.")

    def validate_last_date(self, field):
        if self.first_date.data and field.data and field.data < self.first_date.data:
            raise ValidationError("The last date must be on or after the first.")


class CancelSessionForm(AppForm):
    reason = TextAreaField("Reason", validators=[DataRequired("Give a reason: families see it in their email."),
                                                 Length(max=500)])


class ConfirmForm(AppForm):
    pass
