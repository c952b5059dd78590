"""A survey form built from the questions a young person is asked: one choice each, on
the question's own scale (faces for the 1–5 questions, an instrument's published
answers for its items), all optional."""
from flask_babel import gettext as _
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ... import instruments
from ...services.surveys import CORE_TEXT, options_of
from ..choices import choices
from ..forms import AppForm


def answer_form(questions, formdata=None):
    class SurveyForm(AppForm):
        pass

    for question in questions:
        setattr(SurveyForm, f"q{question.id}", RadioField(
            question_text(question), choices=choices((str(v), option_words(question, words))
                                                     for v, words in options_of(question)),
            validators=[Optional()]))
    return SurveyForm(formdata=formdata)


def question_text(question) -> str:
    """A core question in the reader's language; an instrument's item word for word as
    published, and a lead's own question as they wrote it."""
    if question.code and CORE_TEXT.get(question.code) == question.text and not question.instrument:
        return _(question.text)
    return question.text


def option_words(question, words) -> str:
    # The faces scale is ours to translate; an instrument's answers are part of its wording.
    return words if instruments.get(question.instrument) is not None else _(words)


def answers_of(form, questions) -> dict[int, int]:
    out = {}
    for question in questions:
        value = getattr(form, f"q{question.id}").data
        if value and value.isdigit():
            out[question.id] = int(value)
    return out


class QuestionForm(AppForm):
    text = StringField("Your own question", validators=[DataRequired("Write the question."), Length(max=200)])
