"""Forms for safeguarding concerns: raising one (fast, on a phone) and a designated lead's status change."""
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..choices import choices
from ..forms import AppForm, DateField, DateTimeLocalField, OneTimeTokenMixin
from ...models import REFERRAL_BODIES

UNNAMED = "unnamed"


class ConcernForm(OneTimeTokenMixin, AppForm):
    about = RadioField("Who is it about?", choices=[], validators=[InputRequired("Choose who it is about.")])
    unnamed_description = TextAreaField("Not named: describe them (age, clothes, who they were with)",
                                        validators=[Optional(), Length(max=1000)])
    what_happened = TextAreaField("What did you see or hear? Write the words that were said.",
                                  validators=[DataRequired("Write what you saw or heard."), Length(max=10000)])
    occurred_at = DateTimeLocalField("When", validators=[InputRequired("Enter when it happened.")])
    location = StringField("Where", validators=[Optional(), Length(max=200)])
    others_aware = StringField("Who else knows? (optional)", validators=[Optional(), Length(max=500)])
    action_taken = TextAreaField("Anything you did straight away (optional)", validators=[Optional(), Length(max=2000)])


class StatusForm(AppForm):
    to = SelectField("New status", choices=[], validators=[DataRequired("Choose the new status.")])
    referred_to = SelectField("Referred to", choices=choices([("", "Choose…"), *REFERRAL_BODIES.items()]),
                              validators=[Optional()])
    referred_to_other = StringField("Other: who", validators=[Optional(), Length(max=120)])
    referral_reference = StringField("Their reference", validators=[Optional(), Length(max=80)])
    referred_on = DateField("Date referred", validators=[Optional()])
    reason = TextAreaField("Reason (needed to close it)", validators=[Optional(), Length(max=2000)])
