"""Forms for partner organisations: applying, settings, members."""
from ..forms import AppForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ...models import ORG_KINDS
from ..auth.forms import NEW_PASSWORD
from ..choices import choices

ROLE_CHOICES = [("worker", "Youth worker: checks people in, sees registers"),
                ("lead", "Programme lead: also manages programmes, people and exports")]
COMMON_TIMEZONES = ["Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
                    "Europe/Madrid", "Europe/Amsterdam", "Europe/Athens", "America/New_York", "America/Chicago",
                    "America/Denver", "America/Los_Angeles", "Australia/Sydney", "Pacific/Auckland", "UTC"]


class OrganisationFields(AppForm):
    name = StringField("Organisation name", validators=[DataRequired("Enter the organisation's name."),
                                                        Length(max=120)])
    kind = SelectField("Kind of organisation", choices=choices(ORG_KINDS.items()),
                       validators=[DataRequired("Choose what kind of organisation it is.")])
    description = TextAreaField("What you do (optional)", validators=[Optional(), Length(max=2000)])
    contact_email = EmailField("Contact email for families", validators=[DataRequired("Enter a contact email."),
                                                                         Length(max=254)])
    website = StringField("Website (optional)", validators=[Optional(), Length(max=200)])
    timezone = SelectField("Time zone", default="Europe/London",
                           choices=choices((tz, tz.replace("_", " ")) for tz in COMMON_TIMEZONES))


class ApplyForm(OrganisationFields):
    """Applying, signed in: the applicant becomes the first programme lead."""


class SettingsForm(OrganisationFields):
    pass


class InviteForm(AppForm):
    email = EmailField("Email address", validators=[DataRequired("Enter their email."), Length(max=254)])
    role = SelectField("Role", choices=choices(ROLE_CHOICES), default="worker")


class RoleForm(AppForm):
    role = SelectField("Role", choices=choices([("worker", "Youth worker"), ("lead", "Programme lead")]))


class SafeguardingLeadForm(AppForm):
    on = SelectField("Designated safeguarding lead", choices=choices([("1", "Yes"), ("0", "No")]),
                     validators=[DataRequired()])


class ConfirmForm(AppForm):
    pass


class AcceptNewAccountForm(AppForm):
    full_name = StringField("Your name", validators=[DataRequired("Enter your name."), Length(max=120)])
    password = PasswordField("Choose a password", validators=NEW_PASSWORD)
    confirm = PasswordField("Password again", validators=[EqualTo("password", "The two passwords don't match.")])
