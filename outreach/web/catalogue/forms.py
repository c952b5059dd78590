"""The catalogue's filter form (GET, no CSRF: it changes nothing)."""
from flask_babel import lazy_gettext as _l

from ..forms import AppForm, DateField, IntegerField
from wtforms import SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, Regexp

from ...models import CATEGORIES
from ..choices import choices


class FilterForm(AppForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=60)])
    # CATEGORIES' labels are marked where they are written (models/programme.py).
    category = SelectField(_l("Activity"), choices=choices(
        [("", _l("Any activity"))] + [(key, _l(label)) for key, label in CATEGORIES.items()]),
        validators=[Optional()])
    age = IntegerField(_l("Age"), validators=[Optional(), NumberRange(0, 25, _l("Enter an age from 0 to 25."))])
    area = StringField(_l("Area (postcode)"), validators=[
        Optional(), Length(max=8),
        Regexp(r"^\s*[A-Za-z]{1,2}[0-9]{0,2}[A-Za-z]?\s*$", message=_l("Enter the first part of a postcode, like M13."))])
    on = DateField(_l("On"), validators=[Optional()], out_of_range=_l("Enter a date between 1900 and 2200."))
