"""Platform admin forms."""
from ..forms import AppForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional


class DecisionForm(AppForm):
    note = TextAreaField("Reason or note", validators=[Optional(), Length(max=2000)])
