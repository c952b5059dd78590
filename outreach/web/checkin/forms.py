from datetime import date

from ..forms import AppForm, MemorableDateField, OneTimeTokenMixin
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

PHONE = Regexp(r"^[0-9+()\- ]{7,20}$", message="Enter a phone number, like 07700 900123.")


REASON_LABEL = "Reason for changing the register (it is locked)"


def _reason():
    # Shape only: whether a reason is needed (the register has locked) is the service's rule.
    return TextAreaField(REASON_LABEL, validators=[Optional(), Length(max=500, message="Keep the reason under 500 characters.")])


class ManualCheckInForm(AppForm):
    young_person_id = HiddenField(validators=[DataRequired()])
    walk_in = HiddenField()
    reason = _reason()


class UndoForm(AppForm):
    attendance_id = HiddenField(validators=[DataRequired()])
    reason = _reason()


class WalkInForm(OneTimeTokenMixin, AppForm):
    first_name = StringField("First name", validators=[DataRequired("Enter their first name."), Length(max=60)])
    last_name = StringField("Last name", validators=[DataRequired("Enter their last name."), Length(max=60)])
    date_of_birth = MemorableDateField("Date of birth", required="Enter their date of birth.")
    guardian_name = StringField("Parent or carer's name",
                                validators=[DataRequired("Enter a parent or carer's name."), Length(max=120)])
    guardian_phone = StringField("Parent or carer's phone", validators=[DataRequired("Enter a phone number."), PHONE])
    medical_notes = TextAreaField("Medical needs or allergies (optional)", validators=[Optional(), Length(max=2000)])
    consent_by_phone = BooleanField("The parent or carer gave consent (needed for under-13s)")
    reason = _reason()

    def validate_date_of_birth(self, field):
        if field.data and field.data < date(1990, 1, 1):
            raise ValidationError("Date of birth must be in 1990 or later: activities are for young people.")


class CheckOutForm(AppForm):
    collector = RadioField("Who collected them?", validators=[Optional()])
    collected_by_other = StringField("Someone else (name and relationship)", validators=[Optional(), Length(max=120)])
    went_home_alone = BooleanField("Went home alone")
    reason = _reason()
