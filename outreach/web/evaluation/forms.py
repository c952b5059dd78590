"""The dashboard's filters (a GET form) and the export form."""
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from ...metrics.base import AGE_BANDS
from ...models import CATEGORIES
from ...models.young_person import GENDERS
from ..choices import choices
from ..forms import AppForm, DateField


class FilterForm(AppForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    age_band = SelectField("Age band", choices=choices([("", "All ages")] + [(k, label) for k, label, _, _ in AGE_BANDS]),
                           validators=[Optional()])
    gender = SelectField("Gender", choices=choices([("", "Everyone")] + list(GENDERS.items())), validators=[Optional()])
    district = StringField("Postcode district", validators=[
        Optional(), Length(max=8), Regexp(r"^\s*[A-Za-z]{1,2}[0-9][0-9A-Za-z]?\s*$", message="Like M13 or SW1A.")])
    category = SelectField("Activity", choices=choices([("", "All activities")] + list(CATEGORIES.items())),
                           validators=[Optional()])

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError("The end date must not be before the start date.")


class ExportForm(AppForm):
    programme = SelectField("Programme", coerce=str, validators=[Optional()])
    session = SelectField("Session", coerce=str, validators=[Optional()])
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    format = SelectField("Format", choices=choices([("csv", "CSV (any spreadsheet)"), ("xlsx", "Excel (XLSX)")]),
                         default="csv")

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError("The end date must not be before the start date.")
