"""National figures for questions in the instrument library, shipped with the code so a
programme's own figure can be read beside them (issue 17, point 5).

One row per published figure, with what it measures, who it covers, its year, where it
was read and its licence. A figure goes in only when it was read in the publisher's own
text; none is worked out or remembered. A lead adds their own force area's figure per
programme (models/benchmark.py); that one is theirs, typed with its source.

The CSEW rating ("Taking everything into account, how good a job do you think the police
in this area are doing?", outreach/instruments/csew_police.py) is reported by the ONS as
the share of respondents aged 16 and over answering Good or Excellent. The ONS article
below quotes that question word for word, so its figure is for the very question the
programme asks. Where the article gives no figure for a question in the library (the
CSEW "confidence in the police in this area" statement is not in the library; the 10 to
15 year olds' questions are not either), there is no row.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Benchmark:
    question: str      # shared question code: instrument code and item number ("csew_police_1")
    measure: str       # what the figure is a share of
    values: tuple      # the answers counted (on the programme's own scale for that item)
    percent: float     # as published (the ONS rounds to whole per cent)
    population: str
    year: str
    publisher: str
    title: str
    url: str
    licence: str
    read: str          # where exactly the figure and the wording were read

    @property
    def source(self) -> str:
        return f"{self.publisher}, {self.title}"

    @property
    def question_text(self) -> str:
        """The item's wording, as the instrument library holds it."""
        from . import get

        code, _, number = self.question.rpartition("_")
        return get(code).item(int(number)).text


NATIONAL: tuple[Benchmark, ...] = (
    Benchmark(
        question="csew_police_1",
        measure="answered Good or Excellent",
        values=(4, 5),  # Good 4, Excellent 5 on the programme's scale (csew_police.RATING)
        percent=49.0,
        population="Adults aged 16 and over, England and Wales",
        year="Year ending March 2025",
        publisher="Office for National Statistics",
        title="Perception and experience of police and criminal justice system, England and Wales: year ending "
              "March 2025 (Crime Survey for England and Wales)",
        url="https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/articles/"
            "perceptionandexperienceofpoliceandcriminaljusticesystemenglandandwales/latest",
        licence="Contains public sector information licensed under the Open Government Licence v3.0.",
        read=("Section 2, 'Public perceptions of local policing': \"Of the respondents, 49% gave their local police "
              "a positive rating (that they did a good or excellent job) in the year ending (YE) March 2025 "
              "survey\", after quoting the question asked of people aged 16 years and over word for word. Read in "
              "the stored copy of the article's 'latest' page (its Welsh-site mirror, cy.ons.gov.uk); the same "
              "article gives 62% for the year ending March 2015."),
    ),
)


def national(question: str) -> Benchmark | None:
    """The latest national figure shipped for a shared question code, or None."""
    return next((b for b in NATIONAL if b.question == question), None)


def questions() -> list[str]:
    """The question codes that have a national figure, in table order."""
    return [b.question for b in NATIONAL]
