"""Sign-up, sign-in, password forms."""
import re
from datetime import date

from ..forms import AppForm, MemorableDateField
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from ...services.admin_accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ..choices import choices

PHONE_PATTERN = re.compile(r"^[0-9+()\- ]{7,20}$")  # as on a child's details (family/forms.py)

NEW_PASSWORD = [DataRequired("Choose a password."),
                Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
                       message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")]


class LoginForm(AppForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=256)])
    remember = BooleanField("Keep me signed in on this device for 30 days")


class SignUpForm(AppForm):
    kind = RadioField("Who is this account for?", default="guardian", choices=choices([
        ("guardian", "I'm a parent or carer, signing up my children"),
        ("young_person", "I'm a young person, signing myself up"),
    ]), validators=[DataRequired("Choose who the account is for.")])
    full_name = StringField("Your full name", validators=[DataRequired("Enter your name."), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    phone = StringField("Phone (optional)", validators=[Optional(), Length(max=40)])
    date_of_birth = MemorableDateField("Your date of birth")
    # A young person signing up alone: someone staff can call if something happens at a session.
    emergency_contact_name = StringField("Emergency contact's name", validators=[Length(max=120)])
    emergency_contact_phone = StringField("Emergency contact's phone", validators=[Length(max=40)])
    may_go_home_alone = BooleanField("I may go home on my own after a session")
    password = PasswordField("Password", validators=NEW_PASSWORD)
    confirm = PasswordField("Password again", validators=[EqualTo("password", "The two passwords don't match.")])

    def validate_date_of_birth(self, field):
        if self.kind.data == "young_person" and not field.data:
            raise ValidationError("Enter your date of birth.")
        if field.data and field.data < date(1990, 1, 1):
            raise ValidationError("Date of birth must be in 1990 or later: activities are for young people.")

    def validate_emergency_contact_name(self, field):
        if self.kind.data == "young_person" and not (field.data or "").strip():
            raise ValidationError("Enter the name of someone we can call in an emergency, like a parent or carer.")

    def validate_emergency_contact_phone(self, field):
        if self.kind.data != "young_person":
            return
        if not (field.data or "").strip():
            raise ValidationError("Enter your emergency contact's phone number.")
        if not PHONE_PATTERN.match(field.data.strip()):
            raise ValidationError("Enter a phone number, like 07700 900123.")


class ForgotPasswordForm(AppForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])


class ResetPasswordForm(AppForm):
    new_password = PasswordField("New password", validators=NEW_PASSWORD)
    confirm = PasswordField("New password again",
                            validators=[EqualTo("new_password", "The two passwords don't match.")])


class ChangePasswordForm(AppForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password."),
                                                                     Length(max=256)])
    new_password = PasswordField("New password", validators=NEW_PASSWORD)
    confirm = PasswordField("New password again",
                            validators=[EqualTo("new_password", "The two passwords don't match.")])
