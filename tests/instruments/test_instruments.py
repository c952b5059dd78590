"""Each instrument's wording, scale, ages and scoring against the publisher's text kept
in tests/fixtures/instruments/ (with where each part was found)."""
import dataclasses
import json
from itertools import product
from pathlib import Path

import pytest

from outreach import instruments

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "instruments"


def fixture(code):
    data = json.loads((FIXTURES / f"{code}.json").read_text(encoding="utf-8"))
    assert data["instrument"] == code
    for source in data["sources"]:  # every part has a publisher, an address and a date or version
        assert source["publisher"] and source["url"].startswith("http") and source["date"]
    return data


def test_the_library_holds_the_four_instruments_and_nothing_is_editable():
    assert list(instruments.REGISTRY) == ["swemwbs", "ons4", "csew_police", "stirling"]
    swemwbs = instruments.get("swemwbs")
    with pytest.raises(dataclasses.FrozenInstanceError):
        swemwbs.items[0].text = "I feel great"
    with pytest.raises(dataclasses.FrozenInstanceError):
        swemwbs.min_age = 8
    assert isinstance(swemwbs.items, tuple) and isinstance(swemwbs.items[0].options, tuple)
    for inst in instruments.REGISTRY.values():
        assert inst.attribution and inst.sources and all(s.url.startswith("http") for s in inst.sources)


# ------------------------------------------------------------------ SWEMWBS

def test_swemwbs_wording_answers_copyright_and_ages_match_the_publisher():
    f, inst = fixture("swemwbs"), instruments.get("swemwbs")
    assert inst.instructions == f["instruction"]
    assert [i.text for i in inst.items] == f["items"]
    for item in inst.items:
        assert {str(o.value): o.label for o in item.options} == f["answers"]
    assert inst.attribution == f["copyright"]
    assert inst.attribution.startswith("Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health "
                                       "Scotland, University of Warwick and University of Edinburgh")
    assert (inst.min_age, inst.max_age) == (f["min_age"], None)


@pytest.mark.parametrize("raw", range(7, 36))
def test_swemwbs_metric_score_at_every_raw_total_from_the_published_table(raw):
    table = fixture("swemwbs")["conversion_table"]
    # Some answers adding up to `raw`: as many 5s as fit, then the rest spread over the others.
    values, left = [], raw
    for k in range(7, 0, -1):
        v = min(5, left - (k - 1))
        values.append(v)
        left -= v
    assert sum(values) == raw and all(1 <= v <= 5 for v in values)
    answers = dict(enumerate(values, start=1))
    assert instruments.get("swemwbs").score(answers) == pytest.approx(table[str(raw)], abs=1e-9)


def test_swemwbs_score_depends_only_on_the_total():
    inst = instruments.get("swemwbs")
    scores = {}
    for values in product(range(1, 6), repeat=3):  # vary three items, hold four at 3
        answers = {1: values[0], 2: values[1], 3: values[2], 4: 3, 5: 3, 6: 3, 7: 3}
        scores.setdefault(sum(answers.values()), set()).add(inst.score(answers))
    assert all(len(s) == 1 for s in scores.values())


def test_swemwbs_is_not_scored_with_an_item_missing_or_off_its_scale():
    inst = instruments.get("swemwbs")
    assert inst.score({n: 3 for n in range(1, 7)}) is None
    assert inst.score({**{n: 3 for n in range(1, 7)}, 7: 6}) is None
    assert inst.score({**{n: 3 for n in range(1, 7)}, 7: 0}) is None


# ------------------------------------------------------------------ ONS4

def test_ons4_wording_scale_and_ages_match_the_harmonised_standard():
    f, inst = fixture("ons4"), instruments.get("ons4")
    assert inst.instructions == f["instruction"]
    assert [i.text for i in inst.items] == [x["text"] for x in f["items"]]
    for item, x in zip(inst.items, f["items"]):
        assert (item.min_value, item.max_value) == (0, 10) and f["scale"] == "Scale from 0 to 10"
        # The two ends carry the interviewer instruction's words: "where nought is 'X' and 10 is 'Y'".
        assert x["interviewer_instruction"] == (f"where nought is ‘{item.label_of(0)}’ and 10 is "
                                                f"‘{item.label_of(10)}’")
    assert f["asked_if"] == "DVAge = 16+" and inst.min_age == 16
    assert f["attribution"] in inst.attribution
    assert not inst.has_score  # the ONS reports the four one by one


# ------------------------------------------------------------------ CSEW

def test_csew_question_answers_and_ages_match_the_sources():
    f, inst = fixture("csew_police"), instruments.get("csew_police")
    assert [i.text for i in inst.items] == f["items"]
    # Stored so that a rise is an improvement: the ONS's order reversed.
    assert [o.label for o in inst.items[0].options] == list(reversed(f["answers_ons_order"]))
    assert inst.min_age == f["min_age"] == 16 and not inst.is_for_age(15)
    assert f["attribution"] in inst.attribution
    # What was not found verbatim is said, not invented.
    assert f["not_found_verbatim"] and "10 to 15" in inst.notes


# ------------------------------------------------------------------ Stirling

def test_stirling_wording_order_scale_and_ages_match_the_sources():
    f, inst = fixture("stirling"), instruments.get("stirling")
    assert [i.text for i in inst.items] == f["items"]
    assert [i.number for i in inst.items if not i.scored] == f["social_desirability_items"]
    for item in inst.items:
        assert (item.label_of(1), item.label_of(5)) == (f["answer_ends"]["1"], f["answer_ends"]["5"])
    assert (inst.min_age, inst.max_age) == tuple(f["ages"])
    assert inst.instructions == ""  # not found verbatim, so not invented


def test_stirling_score_is_the_sum_of_the_twelve_wellbeing_items():
    inst, (low, high) = instruments.get("stirling"), fixture("stirling")["score_range"]
    assert inst.score({n: 1 for n in range(1, 16)}) == low
    assert inst.score({n: 5 for n in range(1, 16)}) == high
    # The social desirability answers change nothing, and need not be given.
    answers = {n: 3 for n in range(1, 16) if n not in (2, 7, 13)}
    assert inst.score(answers) == inst.score({**answers, 2: 5, 7: 1, 13: 5}) == 36
    assert inst.score({**answers, 9: None}) is None


# ------------------------------------------------------------------ ages

def test_instruments_are_offered_only_for_the_ages_they_were_made_for():
    codes = lambda lo, hi: [i.code for i in instruments.for_ages(lo, hi)]  # noqa: E731
    assert codes(8, 12) == ["stirling"]
    assert codes(13, 15) == ["swemwbs", "stirling"]
    assert codes(16, 25) == ["swemwbs", "ons4", "csew_police"]
    assert codes(5, 7) == []
    swemwbs = instruments.get("swemwbs")
    assert [swemwbs.is_for_age(a) for a in (12, 13, 25, None)] == [False, True, True, False]
