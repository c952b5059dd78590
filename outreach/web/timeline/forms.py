"""Forms of the young person's timeline: a contact note (quick, on a phone), a milestone, a
referral in or out, a referral's outcome, and the lead's milestone list."""
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..choices import choices
from ..forms import AppForm, DateField, OneTimeTokenMixin
from ...models import NOTE_CONTACTS, REFERRAL_OUTCOMES, REFERRAL_SOURCES

VISIBILITY = [("staff", "All staff here"), ("restricted", "Leads and safeguarding leads only")]


class NoteForm(OneTimeTokenMixin, AppForm):
    text = TextAreaField("Note", validators=[DataRequired("Write the note."), Length(max=10000)])
    contact_on = DateField("Date of the contact", validators=[InputRequired("Enter the date of the contact.")])
    contact = RadioField("How", choices=choices(NOTE_CONTACTS.items()), default="in_person",
                         validators=[InputRequired("Choose how you were in contact.")])
    visibility = RadioField("Who can read it", choices=choices(VISIBILITY), default="staff",
                            validators=[InputRequired("Choose who can read it.")])
    programme = SelectField("Programme (optional)", choices=[], validators=[Optional()])


class MilestoneForm(AppForm):
    kind = RadioField("Milestone", choices=[], validators=[InputRequired("Choose the milestone.")])
    reached_on = DateField("Date", validators=[InputRequired("Enter the date.")])
    programme = SelectField("Programme (optional)", choices=[], validators=[Optional()])
    note = StringField("Note (optional)", validators=[Optional(), Length(max=500)])


class ReferralForm(AppForm):
    direction = RadioField("Referral", choices=choices([("in", "Referred in to us"),
                                                        ("out", "We signposted them elsewhere")]),
                           validators=[InputRequired("Choose in or out.")])
    referred_on = DateField("Date", validators=[InputRequired("Enter the date.")])
    programme = SelectField("Programme", choices=[], validators=[Optional()])
    source = RadioField("Referred in by", choices=choices(REFERRAL_SOURCES.items()), validators=[Optional()])
    source_other = StringField("Other: who referred them", validators=[Optional(), Length(max=120)])
    signposted_to = StringField("Signposted to (service or organisation)", validators=[Optional(), Length(max=200)])
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=1000)])


class OutcomeForm(AppForm):
    outcome = RadioField("What came of it", choices=choices(REFERRAL_OUTCOMES.items()),
                         validators=[InputRequired("Choose what came of it.")])
    outcome_note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=1000)])


class MilestoneKindForm(AppForm):
    name = StringField("New milestone", validators=[DataRequired("Enter the milestone's name."), Length(max=80)])
