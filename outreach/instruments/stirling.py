"""The Stirling Children's Wellbeing Scale (SCWBS), ages 8 to 15.

Publisher: Stirling Council Educational Psychology Service (Liddle & Carter,
"Emotional and Psychological Wellbeing in Children: The Standardisation of the
Stirling Children's Wellbeing Scale"; Educational Psychology in Practice 31(2),
2015, 174–185, doi:10.1080/02667363.2015.1008409).

Structure and scoring (Child Outcomes Research Consortium, "Stirling Children's
Wellbeing Scale"): 12 wellbeing items "answered on a 5-point scale", in two
sub-scales, positive emotional state (6 items) and positive outlook (6 items),
plus "an additional three items to determine if the participant's answers are
biased or if they have a socially desirable response set". The score is the sum of
the 12 wellbeing items, 12 to 60 (Edinstruments: "12 being the minimum score and
60 being the maximum score"). Answers run from 1, never, to 5, all of the time
(Teach For All measurement library: "5-point scale, 1 = never, 5 = all of the
time").

Wording and order of the 15 statements: as published on the scale's form and
reproduced by BounceTogether's copy of it; the three social desirability items are
numbers 2, 7 and 13. The stored copies of the publisher's own form were cut before
the statements, so the fixture records which source gave each part.

Not found verbatim, so not invented: the form's instruction to the child, and
which six items make up each sub-scale (only the two sub-scale totals' sizes were
found). Only the full-scale score is reported here.

Licence (CORC, terms of use): "free to use (prior permission is not required)
subject to the standard conditions which state that the measure must not be
altered and there must be no cost to the end user". All 15 statements are asked,
in order, as published.
"""
from . import Item, Source, instrument, options

ANSWERS = options("Never", "Not much of the time", "Some of the time", "Quite a lot of the time", "All of the time")

STATEMENTS = (
    ("I think good things will happen in my life", True),
    ("I have always told the truth", False),
    ("I've been able to make choices easily", True),
    ("I can find lots of fun things to do", True),
    ("I feel that I am good at some things", True),
    ("I think lots of people care about me", True),
    ("I like everyone I have met", False),
    ("I think there are many things I can be proud of", True),
    ("I've been feeling calm", True),
    ("I've been in a good mood", True),
    ("I enjoy what each new day brings", True),
    ("I've been getting on well with people", True),
    ("I always share my sweets", False),
    ("I've been feeling cheerful about things", True),
    ("I've been feeling relaxed", True),
)


@instrument(
    code="stirling",
    title="Stirling Children's Wellbeing Scale",
    short_title="Stirling scale",
    instructions="",
    items=tuple(Item(n, text, ANSWERS, scored=scored,
                     note="" if scored else "Asked as published; not part of the wellbeing score.")
                for n, (text, scored) in enumerate(STATEMENTS, start=1)),
    min_age=8,
    max_age=15,
    attribution=("Stirling Children's Wellbeing Scale, Stirling Council Educational Psychology Service "
                 "(Liddle & Carter, 2015). Used unaltered and free of charge, as its terms require."),
    licence="Free to use without prior permission, on condition that it is not altered and costs the user nothing.",
    sources=(
        Source("Child Outcomes Research Consortium (CORC)", "Stirling Children's Wellbeing Scale",
               "https://corc.uk.net/outcome-experience-measures/stirling-childrens-wellbeing-scale/",
               "stored copy read 2026-11",
               "12 scored items on a 5-point scale, two sub-scales of 6, 3 social desirability items, ages 8–15 "
               "and the terms of use, verbatim"),
        Source("BounceTogether (reproducing the published form)", "Stirling Children's Wellbeing Scale",
               "https://bouncetogether.co.uk/resources/stirling-childrens-wellbeing-scale",
               "stored copy read 2026-11", "the 15 statements in order, verbatim"),
        Source("Edinstruments", "Stirling Children's Wellbeing Scale",
               "https://edinstruments.com/instruments/stirling-childrens-wellbeing-scale",
               "stored copy read 2026-11", "score range 12–60 verbatim"),
        Source("Teach For All measurement library", "Stirling Children's Wellbeing Scale (SCWBS)",
               "https://taclmeasurementlibrary.teachforall.org/resources/stirling-children%E2%80%99s-wellbeing-"
               "scale-scwbs", "stored copy read 2026-11", "1 = never, 5 = all of the time verbatim; the three "
               "middle labels were not found in full in a stored copy"),
    ),
    score_name="Stirling wellbeing score",
    score_range=(12.0, 60.0),
    notes="The instruction to the child and the sub-scale items were not found verbatim and are left out.",
)
def score(answers):
    """Stirling wellbeing score = sum of the 12 wellbeing items (each 1–5), 12–60;
    the three social desirability items (2, 7, 13) are not counted."""
    return float(sum(answers.values()))
