"""Staff and volunteer time at a session; a programme's cost per term. Shapes only: hours and
money are read (with Decimal) and bounded by services/delivery.py."""
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..choices import choices
from ..forms import AppForm, DateField
from ...models.delivery import STAFF_ROLES


class StaffTimeForm(AppForm):
    name = StringField("Who", validators=[DataRequired("Enter who it was."), Length(max=120)])
    role = RadioField("Staff or volunteer", choices=choices(STAFF_ROLES.items()), default="staff",
                      validators=[InputRequired("Choose staff or volunteer.")])
    hours = StringField("Hours at the session", validators=[DataRequired("Enter the hours, like 2.5."),
                                                              Length(max=12, message="Enter the hours, like 2.5.")])


class CostForm(AppForm):
    term = StringField("Term", validators=[DataRequired("Name the term, like Autumn 2026."), Length(max=60)])
    first_day = DateField("First day", validators=[InputRequired("Enter the term's first day.")])
    last_day = DateField("Last day", validators=[InputRequired("Enter the term's last day.")])
    amount = StringField("Cost (£)", validators=[DataRequired("Enter the cost in pounds."),
                                                 Length(max=20, message="Enter the cost in pounds, like 1250.")])
    note = TextAreaField("What it covers (optional)", validators=[Optional(), Length(max=500)])


class RemoveForm(AppForm):
    pass
