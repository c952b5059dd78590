"""The catalogue's filter form (GET, no CSRF: it changes nothing)."""
from ..forms import AppForm, DateField, IntegerField
from wtforms import SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, Regexp

from ...models import CATEGORIES
from ..choices import choices


class FilterForm(AppForm):
    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=60)])
    category = SelectField("Activity", choices=choices([("", "Any activity")] + list(CATEGORIES.items())),
                           validators=[Optional()])
    age = IntegerField("Age", validators=[Optional(), NumberRange(0, 25, "Enter an age from 0 to 25.")])
    area = StringField("Area (postcode)", validators=[Optional(), Length(max=8),
                                                      Regexp(r"^\s*[A-Za-z]{1,2}[0-9]{0,2}[A-Za-z]?\s*$",
                                                             message="Enter the first part of a postcode, like M13.")])
    on = DateField("On", validators=[Optional()])
