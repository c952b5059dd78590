"""The funder return's evidence pages (issue 17, point 9): who answered, change from start to
end with its 95% interval, the comparison group, and the definitions, suppressed; read back
as CSV and XLSX."""
import csv
import io
import re
from datetime import datetime, timezone

import openpyxl
import pytest

from outreach.exports.writers import csv_chunks, write_xlsx
from outreach.metrics import MetricQuery, Scope, Settings, compute
from outreach.services.exports import run_export
from tests.comparison_course import random_answers, seed_groups
from tests.factories import add_member, make_org, make_programme, make_user
from tests.survey_pairs import seed_pairs

AS_OF = datetime(2027, 1, 15, 12, 0, tzinfo=timezone.utc)


def funder_return(org, programme, fmt="csv"):
    spec, table = run_export("funder_return", fmt, by=make_user(), role="lead", organisation=org,
                             settings=Settings(), pseudonym_key=b"k", now=AS_OF, programme=programme)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(b"".join(csv_chunks(table)).decode("utf-8-sig"))))
    buf = io.BytesIO()
    write_xlsx(table, buf)
    buf.seek(0)
    return openpyxl.load_workbook(buf).active


def section(rows, title):
    return [r for r in rows if r and r[0] == title]


@pytest.fixture()
def voice(db):
    org = make_org("Northside Youth Voice")
    add_member(org, make_user(), "lead")
    programme = make_programme(org, title="Youth Voice", min_age=12, max_age=16, registration_mode="enrol")
    return org, programme


def test_forty_pairs_give_the_change_with_its_interval_as_the_metric_works_it_out(voice, db):
    org, programme = voice
    seed_pairs(programme, 40)
    db.session.flush()
    rows = funder_return(org, programme)
    change = section(rows, "Change start to end")
    assert change[0][1:] == ["Questionnaire score or question", "Pairs", "Start → end (means)", "Mean change",
                             "95% interval", "Effect size (d_z)", "Up / same / down (Wilcoxon p)"]
    score = next(r for r in change if r[1] == "SWEMWBS metric score")
    st = next(x["stats"] for x in compute("feedback", MetricQuery(scope=Scope(programme_id=programme.id),
                                                                   as_of=AS_OF))["scores"])
    assert st.pairs == 40 and score[2] == "40"
    assert score[3] == f"{st.mean_before:.2f} → {st.mean_after:.2f}"
    assert float(score[4]) == round(st.mean_change, 2) and score[5] == f"from {st.ci_low:+.2f} to {st.ci_high:+.2f}"
    assert float(score[6]) == round(st.effect_size, 2)
    # 32 up, 5 same, 3 down of 40 pairs (shown): the 3 is hidden, and the 5 too, or 40 - 32 - 5 would give it.
    # No Wilcoxon for a score, only for questions.
    assert (st.up, st.same, st.down) == (32, 5, 3) and score[7] == "32 / x / <5"
    police = next(r for r in change if r[1] == "I trust the police in my area")
    assert re.fullmatch(r"\d+ / \d+ / \d+ \(p (=|<) 0\.\d{3}\)", police[7]), police
    # The seven items are given as the published score only, as in the report.
    assert not any(r[1].startswith("SWEMWBS:") for r in change)
    # The core questions were answered by all 40 as well.
    assert next(r for r in change if r[1] == "I trust the police in my area")[2] == "40"
    definitions = dict(r[1].split(": ", 1) for r in section(rows, "Definitions"))
    assert "t(0.975, n - 1)" in definitions["Change from start to end"]
    assert "Welch" in definitions["Difference between the groups"]
    assert "paired = those who answered both" in definitions["Who answered the start and end surveys"]


def test_five_pairs_are_too_few_pairs_to_say(voice, db):
    org, programme = voice
    seed_pairs(programme, 5)
    db.session.flush()
    change = section(funder_return(org, programme), "Change start to end")
    score = next(r for r in change if r[1] == "SWEMWBS metric score")
    assert score[2:5] == ["5", "Too few pairs to say", ""]
    assert all(r[3] == "Too few pairs to say" for r in change[1:-1])


def test_the_comparison_group_beside_the_served_group_with_the_difference(voice, db):
    org, programme = voice
    seed_groups(programme, random_answers(30, rise=0.6, seed=1), random_answers(24, rise=0.1, seed=2))
    rows = funder_return(org, programme)
    groups = section(rows, "Comparison group")
    line = next(r for r in groups if r[1] == "Youth Voice · I trust the police in my area")
    x = next(r for r in compute("comparison", MetricQuery(scope=Scope(programme_id=programme.id), as_of=AS_OF))
             ["programmes"][0]["rows"] if r["code"] == "trust_police")["stats"]
    assert line[2:4] == ["30", "24"]
    assert line[6] == f"difference {x.difference:+.2f} ({x.ci_low:+.2f} to {x.ci_high:+.2f})"
    served = x.served
    assert line[4] == f"change {served.mean_change:+.2f} ({served.ci_low:+.2f} to {served.ci_high:+.2f})"
    assert groups[-1][1].startswith("Not randomised: the groups may differ")
    # Who answered: the served group's one start cohort (all came to the first session), the comparison apart.
    answered = section(rows, "Who answered")
    assert [r[1:6] for r in answered[1:]] == [["Youth Voice · Started Sep 2026", "30", "30", "30", "30"],
                                              ["Youth Voice · Comparison group", "24", "24", "24", "24"]]


def test_small_groups_leave_no_count_from_one_to_four(voice, db):
    org, programme = voice
    seed_groups(programme, random_answers(3, rise=0.6, seed=1), random_answers(2, rise=0.1, seed=2))
    rows = funder_return(org, programme)
    evidence = [r for r in rows if r and r[0] in ("Who answered", "Change start to end", "Comparison group")]
    assert evidence
    for r in evidence:
        for cell in r[2:]:
            assert not re.fullmatch(r"[1-4]", cell), r
            assert not re.search(r"(^|/ )[1-4]( /|$)", cell), r
    line = next(r for r in section(rows, "Comparison group") if "trust the police" in r[1])
    assert line[2:5] == ["<5", "<5", "Too few pairs to say"]


def test_each_evidence_section_starts_a_printed_page(voice, db):
    org, programme = voice
    seed_groups(programme, random_answers(30, rise=0.6, seed=1), random_answers(24, rise=0.1, seed=2))
    sheet = funder_return(org, programme, "xlsx")
    firsts = {}
    for row in sheet.iter_rows(min_row=2):
        firsts.setdefault(row[0].value, row[0].row)
    breaks = {b.id for b in sheet.row_breaks.brk}
    for title in ("Who answered", "Change start to end", "Comparison group", "Definitions"):
        assert firsts[title] - 1 in breaks, title


def _px(width_chars: float) -> int:
    return int(width_chars * 7 + 0.5) + 5  # as XlsxWriter turns a width into pixels


def test_the_printed_return_fits_the_page_and_shows_every_word(voice, db):
    """Printed on A4, every column on the page at a readable scale, and each long note or
    definition wrapped in its cell with the row tall enough for it (not cut off at the edge)."""
    from outreach.exports.writers import PAGE_PX, ROW_PT

    org, programme = voice
    seed_groups(programme, random_answers(30, rise=0.6, seed=1), random_answers(24, rise=0.1, seed=2))
    sheet = funder_return(org, programme, "xlsx")
    widths = {}
    for letter, dim in sheet.column_dimensions.items():
        for col in range(dim.min, dim.max + 1):
            widths[col] = dim.width
    total = sum(_px(w) for w in widths.values())
    scale = sheet.page_setup.scale
    orientation = sheet.page_setup.orientation or "portrait"
    assert total * scale / 100 <= PAGE_PX[orientation][0], (total, scale, orientation)
    assert scale >= 60, scale
    long_cells = 0
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            text = cell.value if isinstance(cell.value, str) else ""
            width = widths.get(cell.column, 8.43)
            if len(text) <= width or cell.coordinate in sheet.merged_cells:
                continue
            long_cells += 1
            assert cell.alignment.wrap_text, (cell.coordinate, text[:60])
            lines = -(-len(text) // int(width * 0.95))
            height = sheet.row_dimensions[cell.row].height or ROW_PT
            assert height >= ROW_PT * (lines - 1), (cell.coordinate, lines, height, text[:60])
    assert long_cells >= 5  # the definitions are long: the test looked at some
