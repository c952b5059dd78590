"""The national figures shipped beside the instrument library (issue 17, point 5): each one
as its publisher's text gives it, for the very question the library asks."""
import json
import re
from pathlib import Path

from outreach import instruments
from outreach.instruments import benchmarks

FIXTURE = json.loads((Path(__file__).parent.parent / "fixtures" / "instruments" / "benchmarks.json").read_text())
SOURCES = {f["question"]: f for f in FIXTURE["figures"]}


def test_every_figure_has_its_publishers_text_in_the_fixtures():
    assert [b.question for b in benchmarks.NATIONAL] == list(SOURCES)


def test_the_csew_rating_figure_matches_the_ons_text():
    b, source = benchmarks.national("csew_police_1"), SOURCES["csew_police_1"]
    text = " ".join(source["text"])
    # The question the ONS quotes is the library's item, word for word.
    item = instruments.get("csew_police").item(1)
    assert f'"{item.text}"' in text and b.question_text == item.text
    # The figure, its year and its population as published.
    assert re.search(r"Of the respondents, (\d+)% gave their local police a positive rating \(that they did a good "
                     r"or excellent job\) in the year ending \(YE\) March 2025 survey", text).group(1) == "49"
    assert (b.percent, b.year) == (49.0, "Year ending March 2025")
    assert "people aged 16 years and over" in text and b.population.startswith("Adults aged 16 and over")
    assert (b.publisher, b.url) == (source["publisher"], source["url"])
    assert source["title"] in b.title


def test_the_counted_answers_are_good_and_excellent_on_the_librarys_scale():
    item = instruments.get("csew_police").item(1)
    assert [item.label_of(v) for v in benchmarks.national("csew_police_1").values] == ["Good", "Excellent"]


def test_a_question_without_a_published_figure_has_none():
    assert benchmarks.national("swemwbs_1") is None and benchmarks.national("nonsense") is None
