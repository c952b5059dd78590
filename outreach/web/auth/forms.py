"""Sign-up, sign-in, password forms."""
import re
from datetime import date

from flask_babel import lazy_gettext as _l

from ..forms import AppForm, MemorableDateField
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from ...services.admin_accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ..choices import choices

PHONE_PATTERN = re.compile(r"^[0-9+()\- ]{7,20}$")  # as on a child's details (family/forms.py)

NEW_PASSWORD = [DataRequired(_l("Choose a password.")),
                Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
                       message=_l("Use at least %(num)s characters.", num=MIN_PASSWORD_LENGTH))]


class LoginForm(AppForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email.")), Length(max=254)])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Enter your password.")), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in on this device for 30 days"))


class SignUpForm(AppForm):
    kind = RadioField(_l("Who is this account for?"), default="guardian", choices=choices([
        ("guardian", _l("I'm a parent or carer, signing up my children")),
        ("young_person", _l("I'm a young person, signing myself up")),
    ]), validators=[DataRequired(_l("Choose who the account is for."))])
    full_name = StringField(_l("Your full name"),
                            validators=[DataRequired(_l("Enter your name.")), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email.")), Length(max=254)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=40)])
    date_of_birth = MemorableDateField(_l("Your date of birth"))
    # A young person signing up alone: someone staff can call if something happens at a session.
    emergency_contact_name = StringField(_l("Emergency contact's name"), validators=[Length(max=120)])
    emergency_contact_phone = StringField(_l("Emergency contact's phone"), validators=[Length(max=40)])
    may_go_home_alone = BooleanField(_l("I may go home on my own after a session"))
    password = PasswordField(_l("Password"), validators=NEW_PASSWORD)
    confirm = PasswordField(_l("Password again"),
                            validators=[EqualTo("password", _l("The two passwords don't match."))])

    def validate_date_of_birth(self, field):
        if self.kind.data == "young_person" and not field.data:
            raise ValidationError(_l("Enter your date of birth."))
        if field.data and field.data < date(1990, 1, 1):
            raise ValidationError(_l("Date of birth must be in 1990 or later: activities are for young people."))

    def validate_emergency_contact_name(self, field):
        if self.kind.data == "young_person" and not (field.data or "").strip():
            raise ValidationError(
                _l("Enter the name of someone we can call in an emergency, like a parent or carer."))

    def validate_emergency_contact_phone(self, field):
        if self.kind.data != "young_person":
            return
        if not (field.data or "").strip():
            raise ValidationError(_l("Enter your emergency contact's phone number."))
        if not PHONE_PATTERN.match(field.data.strip()):
            raise ValidationError(_l("Enter a phone number, like 07700 900123."))


class ForgotPasswordForm(AppForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email.")), Length(max=254)])


class ResetPasswordForm(AppForm):
    new_password = PasswordField(_l("New password"), validators=NEW_PASSWORD)
    confirm = PasswordField(_l("New password again"),
                            validators=[EqualTo("new_password", _l("The two passwords don't match."))])


class ChangePasswordForm(AppForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Enter your current password.")), Length(max=256)])
    new_password = PasswordField(_l("New password"), validators=NEW_PASSWORD)
    confirm = PasswordField(_l("New password again"),
                            validators=[EqualTo("new_password", _l("The two passwords don't match."))])
