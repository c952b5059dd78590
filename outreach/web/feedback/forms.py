"""A survey form built from the survey's questions: one 1–5 choice each, all optional."""
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ...services.surveys import SCALE
from ..choices import choices
from ..forms import AppForm


def answer_form(survey, formdata=None):
    class SurveyForm(AppForm):
        pass

    for question in survey.questions:
        setattr(SurveyForm, f"q{question.id}", RadioField(
            question.text, choices=choices((str(v), words) for v, words in SCALE),
            validators=[Optional()]))
    return SurveyForm(formdata=formdata)


def answers_of(form, survey) -> dict[int, int]:
    out = {}
    for question in survey.questions:
        value = getattr(form, f"q{question.id}").data
        if value and value.isdigit():
            out[question.id] = int(value)
    return out


class QuestionForm(AppForm):
    text = StringField("Your own question", validators=[DataRequired("Write the question."), Length(max=200)])
