"""The Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS).

Wording, answer options and instruction: What Works Centre for Wellbeing,
measures bank, "Shorter Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)"
(https://measure.whatworkswellbeing.org/measures-bank/swemwbs/), which reproduces
the scale as published by Warwick Medical School.

Scoring: Warwick Medical School, "Guidance on Scoring"
(https://warwick.ac.uk/fac/med/research/platform/wemwbs/researchers/guidance/):
"The SWEMWBS is scored by first summing the score for each of the seven items and
then transforming the total score for each person according to a conversion
table." The stored copy of that page ends before the table itself; the table below
(raw total 7–35 to metric score) is the one published there, as transcribed
identically in two public analysis scripts that cite it. tests/fixtures/instruments/
swemwbs.json keeps it with these sources, and the test checks every raw score.

Licence: the scale is free to use but users must register with Warwick Medical
School before using it (https://warwick.ac.uk/fac/sci/med/research/platform/wemwbs/using),
and the copyright line must be shown on every copy and every report of results
(Child Outcomes Research Consortium, "Short Warwick-Edinburgh Mental Wellbeing
Scale (SWEMWBS)", terms of use).

Ages: 13 and over. CORC: "can be completed by children and young people aged 13
years and above"; WEMWBS was validated with 13 to 16 year olds (Clarke et al.,
BMC Public Health 2011, 11:487) and SWEMWBS with 15 to 21 year olds (McKay &
Andretta 2017) and adults (Ng Fat et al. 2017).
"""
from . import Source, instrument, options, Item

ANSWERS = options("None of the time", "Rarely", "Some of the time", "Often", "All of the time")

STATEMENTS = (
    "I’ve been feeling optimistic about the future",
    "I’ve been feeling useful",
    "I’ve been feeling relaxed",
    "I’ve been dealing with problems well",
    "I’ve been thinking clearly",
    "I’ve been feeling close to other people",
    "I’ve been able to make up my own mind about things",
)

# Raw total (sum of the seven items, 7–35) -> SWEMWBS metric score, as published.
CONVERSION = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32, 15: 15.84,
    16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98, 23: 20.73, 24: 21.54,
    25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03, 31: 28.13, 32: 29.31, 33: 30.70,
    34: 32.55, 35: 35.00,
}

COPYRIGHT = ("Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health Scotland, "
             "University of Warwick and University of Edinburgh, 2008, all rights reserved.")


@instrument(
    code="swemwbs",
    title="Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)",
    short_title="SWEMWBS",
    instructions=("Below are some statements about feelings and thoughts. Please tick the box that best "
                  "describes your experience of each over the last 2 weeks"),
    items=tuple(Item(n, text, ANSWERS) for n, text in enumerate(STATEMENTS, start=1)),
    min_age=13,
    max_age=None,
    attribution=COPYRIGHT,
    licence=("Free to use once registered with Warwick Medical School; the copyright line must appear on "
             "every copy of the scale and every report of its results."),
    sources=(
        Source("What Works Centre for Wellbeing (measures bank), reproducing Warwick Medical School",
               "Shorter Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)",
               "https://measure.whatworkswellbeing.org/measures-bank/swemwbs/", "stored copy read 2026-11",
               "instruction, the seven statements and the five answer labels verbatim"),
        Source("Warwick Medical School, University of Warwick", "Guidance on Scoring",
               "https://warwick.ac.uk/fac/med/research/platform/wemwbs/researchers/guidance/",
               "stored copy read 2026-11",
               "the scoring rule verbatim; the conversion table itself is cut from the stored copy and was "
               "taken from two identical transcriptions of it"),
        Source("Child Outcomes Research Consortium (CORC)", "Short Warwick-Edinburgh Mental Wellbeing Scale "
               "(SWEMWBS): terms of use and suitability",
               "https://www.corc.uk.net/outcome-experience-measures/short-warwick-edinburgh-mental-wellbeing-"
               "scale-swemwbs/", "stored copy read 2026-11",
               "the copyright line, the registration requirement and the ages (13 and above) verbatim"),
    ),
    score_name="SWEMWBS metric score",
    score_range=(7.0, 35.0),
    notes="Every item must be answered: the publisher's table converts a full raw total only.",
)
def score(answers):
    """SWEMWBS metric score = CONVERSION[sum of the seven items (each 1–5)]: a raw
    total of 7–35 converted with Warwick Medical School's published table."""
    return CONVERSION[sum(answers.values())]
