"""Forms for an account's mobile number: the number, the code texted to it, what to get by text."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import AppForm


class MobileForm(AppForm):
    number = StringField(_l("Mobile number"), validators=[DataRequired(_l("Enter a mobile number.")), Length(max=30)],
                         render_kw={"type": "tel", "autocomplete": "tel"})


class CodeForm(AppForm):
    code = StringField(_l("Code from the text"), validators=[DataRequired(_l("Enter the 6-digit code from the text.")),
                                                             Length(max=12, message=_l("The code has 6 digits."))],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})


class ChoicesForm(AppForm):
    bookings = BooleanField(_l("When a place is booked, or comes up from the waiting list"))
    reminders = BooleanField(_l("A reminder the day before (reply CANCEL if they can't come)"))
    cancellations = BooleanField(_l("When a session is cancelled"))


class PlainForm(AppForm):
    """A button with only its CSRF token: send a new code, remove the number."""
