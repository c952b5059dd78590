"""The ONS personal well-being questions (ONS4).

Wording, order and scale: Government Statistical Service, harmonised standard
"Personal well-being" (published 17 April 2019,
https://gss.civilservice.gov.uk/policy-store/personal-well-being/), "questions as
they currently appear on the ONS Annual Population Survey": each answered on a
scale of 0 to 10, with the interviewer instruction naming the two ends
("where nought is 'not at all satisfied' and 10 is 'completely satisfied'").

Scoring: none across questions. The ONS reports the four measures one by one and
does not combine them (ONS, Personal well-being frequently asked questions: "Why is
there not one composite indicator for personal well-being?"); a higher anxiety
answer is worse, the other three better.

Ages: 16 and over, as the standard asks them ("DVAge = 16+"). The ONS's measures
for 10 to 15 year olds are other questions and are not offered here.

Licence: Crown copyright, re-usable under the Open Government Licence v3.0 with
its attribution statement.
"""
from . import Item, Source, options, register, Instrument

ANCHORS = (
    ("Overall, how satisfied are you with your life nowadays?", "not at all satisfied", "completely satisfied"),
    ("Overall, to what extent do you feel that the things you do in your life are worthwhile?",
     "not at all worthwhile", "completely worthwhile"),
    ("Overall, how happy did you feel yesterday?", "not at all happy", "completely happy"),
    ("On a scale where nought is ‘not at all anxious’ and 10 is ‘completely anxious’, overall, how anxious did "
     "you feel yesterday?", "not at all anxious", "completely anxious"),
)


def _scale(low: str, high: str):
    """0 to 10: the two ends carry the interviewer instruction's words, the rest their number."""
    return options(low, *[str(v) for v in range(1, 10)], high, start=0)


register(Instrument(
    code="ons4",
    title="ONS personal well-being questions (ONS4)",
    short_title="ONS4",
    instructions=("Next I would like to ask you four questions about your feelings on aspects of your life. "
                  "There are no right or wrong answers. For each of these questions I’d like you to give an "
                  "answer on a scale of nought to 10, where nought is ‘not at all’ and 10 is ‘completely’."),
    items=tuple(Item(n, text, _scale(low, high),
                     note="Higher is more anxious." if n == 4 else "")
                for n, (text, low, high) in enumerate(ANCHORS, start=1)),
    min_age=16,
    max_age=None,
    attribution=("Office for National Statistics personal well-being questions. Contains public sector "
                 "information licensed under the Open Government Licence v3.0."),
    licence="Open Government Licence v3.0; when used, cite them as the ONS personal well-being questions.",
    sources=(
        Source("Government Statistical Service / Office for National Statistics",
               "Personal well-being harmonised standard (17 April 2019)",
               "https://gss.civilservice.gov.uk/policy-store/personal-well-being/", "version of 17 April 2019",
               "the introduction, the four questions, the 0–10 scale, the end labels and the 16+ age verbatim"),
    ),
    notes="Each question is reported on its own; the ONS publishes no combined score.",
))
