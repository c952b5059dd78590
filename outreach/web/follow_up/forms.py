"""Recording an attempt to get in touch, and closing a follow-up."""
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..choices import choices
from ..forms import AppForm, DateTimeLocalField
from ...models import CONTACT_METHODS, CONTACT_OUTCOMES
from ...services.follow_up import MAX_NOTE, MAX_REASON


class ContactForm(AppForm):
    method = RadioField("How did you try?", choices=choices(CONTACT_METHODS.items()),
                        validators=[InputRequired("Choose how you tried to get in touch.")])
    outcome = RadioField("What came of it?", choices=choices(CONTACT_OUTCOMES.items()),
                         validators=[InputRequired("Choose what came of it.")])
    made_at = DateTimeLocalField("When", validators=[InputRequired("Enter when you tried.")])
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=MAX_NOTE)])


class CloseForm(AppForm):
    reason = TextAreaField("Reason for closing", validators=[
        DataRequired("Say why the follow-up is closed."), Length(max=MAX_REASON)])
