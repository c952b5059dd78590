"""The accident and incident form (at a session, on a phone)."""
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import AppForm, DateTimeLocalField, MultiCheckboxField, OneTimeTokenMixin


class IncidentForm(OneTimeTokenMixin, AppForm):
    occurred_at = DateTimeLocalField("When", validators=[InputRequired("Enter when it happened.")])
    location = StringField("Where", validators=[Optional(), Length(max=200)])
    young_people = MultiCheckboxField("Young people involved", choices=[], coerce=int, validate_choice=True)
    injured = MultiCheckboxField("Hurt (their parent or carer is emailed now)", choices=[], coerce=int,
                                 validate_choice=True)
    staff = MultiCheckboxField("Staff involved", choices=[], coerce=int, validate_choice=True)
    what_happened = TextAreaField("What happened", validators=[DataRequired("Write what happened."),
                                                               Length(max=10000)])
    first_aid = TextAreaField("First aid given (optional)", validators=[Optional(), Length(max=4000)])
    follow_up = TextAreaField("Follow-up needed (optional)", validators=[Optional(), Length(max=4000)])
