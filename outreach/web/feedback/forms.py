"""A survey form built from the questions a young person is asked: one choice each, on
the question's own scale (faces for the 1–5 questions, an instrument's published
answers for its items), all optional."""
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ...services.surveys import options_of
from ..choices import choices
from ..forms import AppForm


def answer_form(questions, formdata=None):
    class SurveyForm(AppForm):
        pass

    for question in questions:
        setattr(SurveyForm, f"q{question.id}", RadioField(
            question.text, choices=choices((str(v), words) for v, words in options_of(question)),
            validators=[Optional()]))
    return SurveyForm(formdata=formdata)


def answers_of(form, questions) -> dict[int, int]:
    out = {}
    for question in questions:
        value = getattr(form, f"q{question.id}").data
        if value and value.isdigit():
            out[question.id] = int(value)
    return out


class QuestionForm(AppForm):
    text = StringField("Your own question", validators=[DataRequired("Write the question."), Length(max=200)])
