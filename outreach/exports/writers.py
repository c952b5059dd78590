"""CSV and XLSX writers that stream, and the guard against spreadsheet formulas.

A cell beginning with = + - @ tab or carriage return is run as a formula by
Excel, LibreOffice and Google Sheets ("CSV injection"), so such text is written
with a leading apostrophe: shown as typed, never executed. Numbers stay numbers.
"""
import csv
import io
from datetime import datetime, time, timedelta
from itertools import chain

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FIRST_CHARS = frozenset(FORMULA_STARTS)
CHUNK_ROWS = 2000


def _clean(row):
    # The hot loop of every export: one check per cell, written for speed.
    return [("'" + v) if type(v) is str and v and v[0] in _FIRST_CHARS else v for v in row]


def _keep(row):
    return row


def _guard(table):
    """The formula guard for this table's rows: every cell, only its text columns, or
    (none of them typed in) nothing."""
    columns = table.text_columns
    if columns is None:
        return _clean
    if not columns:
        return _keep

    def clean_text_columns(row):
        for i in columns:
            v = row[i]
            if type(v) is str and v and v[0] in _FIRST_CHARS:
                row[i] = "'" + v
        return row
    return clean_text_columns


def csv_chunks(table):
    """The table as UTF-8 CSV text chunks (with a BOM so Excel reads accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(_clean(table.header))
    guard, n = _guard(table), 0
    if table.groups is None:
        for row in table.rows:
            writer.writerow(guard(row))
            n += 1
            if n % CHUNK_ROWS == 0:
                yield _drain(buffer)
    else:
        write, writerow, lead_text = buffer.write, writer.writerow, _lead_encoder()
        for lead, rows in table.groups:
            text = lead_text(lead)
            for row in rows:
                write(text)
                writerow(guard(row))
            n += len(rows)
            if n >= CHUNK_ROWS:
                yield _drain(buffer)
                n = 0
    if table.footnote:
        writer.writerow([])
        writer.writerow(_clean(["Note", table.footnote]))
    yield _drain(buffer)


def _drain(buffer):
    """What the buffer holds, as UTF-8, leaving it empty."""
    chunk = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return chunk


def _lead_encoder():
    """Shared first cells as CSV text ending in the separator, to be written before each row's own."""
    scratch = io.StringIO()
    writer = csv.writer(scratch, lineterminator="")

    def encode(lead):
        if not lead:
            return ""
        scratch.seek(0)
        scratch.truncate()
        writer.writerow(_clean(lead))
        return scratch.getvalue() + ","
    return encode


# Width of an XLSX column in characters of the default font (Calibri 11): the longest cell,
# a little room, and no wider than this (a long note wraps nowhere, but does not push every
# other column off the printed page).
MAX_WIDTH = 50
# Excel's number format and the width in digits, per kind of date column.
DATE_FORMATS = {"date": ("yyyy-mm-dd", 10), "time": ("hh:mm", 5), "datetime": ("yyyy-mm-dd hh:mm", 16)}
# A4 with half-inch side margins and 0.75 in top and bottom, in Excel's pixels (96 per inch),
# and Excel's default row: what the printed page holds.
MARGIN_SIDE, MARGIN_TOP = 0.5, 0.75
PAGE_PX = {"portrait": ((8.27 - 2 * MARGIN_SIDE) * 96, (11.69 - 2 * MARGIN_TOP) * 96),
           "landscape": ((11.69 - 2 * MARGIN_SIDE) * 96, (8.27 - 2 * MARGIN_TOP) * 96)}
ROW_PX, ROW_PT = 20, 15


EXCEL_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's dates (1900 date system)


def _excel_serial(kind: str, text: str) -> float:
    """Excel's number for a local date ("2026-11-04"), time ("18:02") or both: days since
    its epoch, the time of day as a fraction."""
    if kind == "time":
        t = time.fromisoformat(text)
        return (t.hour * 3600 + t.minute * 60 + t.second) / 86400
    return (datetime.fromisoformat(text) - EXCEL_EPOCH) / timedelta(days=1)


def _text_width(text: str) -> float:
    """Width of text in digits of the default font: capitals are about a third wider."""
    if text.islower() or text.isdigit():
        return len(text)
    return len(text) + 0.35 * sum(map(str.isupper, text))


def _column_px(width: float) -> int:
    """XlsxWriter's conversion of a width in characters to pixels (7 per digit, 5 of padding)."""
    return int(width * 7 + 0.5) + 5


def _wrapped_lines(text: str, width: float) -> int:
    """How many lines a header of this text takes in a column this wide (words kept whole)."""
    if "\n" in text:
        return sum(_wrapped_lines(part, width) for part in text.split("\n"))
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
    return lines


FIRST_BATCH_ROWS = 1000
HIDDEN_COUNT = frozenset({"x"})


def _runs(table):
    """The table as runs of (shared first cells, rows of the remaining cells)."""
    if table.groups is None:
        return (((), [row]) for row in table.rows)
    return iter(table.groups)


def write_xlsx(table, fileobj):
    """Write the table to an open binary file as XLSX, one row in memory at a time.

    Text is written as text (write_string), never as a formula, so unlike the CSV it needs
    no apostrophe: a cell shows exactly what was typed. Dates and times are date cells.
    The header row is bold, wrapped and frozen; columns are as wide as their content (up
    to MAX_WIDTH); a printed copy is A4, repeats the header on every page, fits the page's
    width, and starts a page at each of the table's page breaks."""
    # constant_memory flushes each row to a temporary file as it is written; formulas and
    # URLs are never inferred from strings. Column widths, panes and page setup are kept
    # apart from the rows and written when the workbook closes, so they can be set last.
    workbook = xlsxwriter.Workbook(fileobj, {"constant_memory": True, "strings_to_formulas": False,
                                             "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("Export")
    header = list(table.header)
    n_cols = len(header)
    kinds = {c: k for c, k in table.date_columns.items() if c < n_cols}
    # Dates read from the left like the text beside them; numbers (and the "<5" and "x" of a
    # suppressed count among them) from the right, under a header aligned with them
    # (indented, so a number never runs into the text of the column to its right).
    date_format = {c: workbook.add_format({"num_format": DATE_FORMATS[k][0], "align": "left"})
                   for c, k in kinds.items()}
    serials = {c: {} for c in kinds}  # each distinct date text turned into Excel's number once
    right = workbook.add_format({"align": "right", "indent": 1, "valign": "top"})
    wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
    top = workbook.add_format({"valign": "top"})  # the other cells of a tall row: beside its first line
    numeric = set()
    widths = [0] * n_cols
    caps = [min(table.wrap_widths.get(c, MAX_WIDTH), MAX_WIDTH) for c in range(n_cols)]
    for c, k in kinds.items():
        widths[c] = DATE_FORMATS[k][1]
    write_string, write_number = sheet.write_string, sheet.write_number

    def measure(cells, first=0):
        for c, value in enumerate(cells, start=first):
            if value is None or c in kinds or c >= n_cols:
                continue
            w = _text_width(value) if type(value) is str else 5 if type(value) is bool else len(str(value))
            if w > widths[c]:
                widths[c] = w

    def planned(cells):
        """The writes for a run's shared cells, worked out once and made on each of its rows."""
        plan = []
        for c, value in enumerate(cells):
            if value is None:
                continue
            if type(value) is str and c in kinds:
                plan.append((write_number, c, _excel_serial(kinds[c], value), date_format[c]))
            elif type(value) is str:
                plan.append((write_string, c, value, right if c in numeric else None))
            elif type(value) is bool:
                plan.append((sheet.write_boolean, c, value, None))
            else:
                plan.append((write_number, c, value, right if c in numeric else None))
        return plan

    def write(r, cells, first=0):
        """Write cells from column `first`, noting each one's width (the hot loop of an XLSX);
        returns how many lines tall the row is."""
        lines = 1
        for c, value in enumerate(cells, start=first):
            if value is None:
                continue
            if type(value) is str:
                known = serials.get(c)
                if known is not None:
                    number = known.get(value)
                    if number is None:
                        number = known[value] = _excel_serial(kinds[c], value)
                    # A number in a date format: what Excel stores for a date or a time.
                    write_number(r, c, number, date_format[c])
                    continue
                w = len(value) if value.islower() or value.isdigit() else _text_width(value)
                if c < n_cols and w > caps[c]:
                    # A note or a definition: wrapped in its capped column, its row as tall as
                    # its lines, so a printed page shows all of it rather than cutting it off.
                    write_string(r, c, value, wrapped)
                    lines = max(lines, _wrapped_lines(value, caps[c]))
                else:
                    write_string(r, c, value, right if c in numeric else None)
            elif type(value) is bool:
                sheet.write_boolean(r, c, value)
                w = 5
            else:
                write_number(r, c, value, right if c in numeric else None)
                w = len(str(value))
            if c < n_cols and w > widths[c]:
                widths[c] = w
        if lines > 1:
            sheet.set_row(r, ROW_PT * lines, top)
        return lines

    # Rows go out in order and the header's height is set with its row, so a first batch of
    # rows is read before anything is written: with the header's words, it gives the widths
    # the header wraps to. Later rows widen columns further (set when the workbook closes).
    runs, first_batch, buffered = _runs(table), [], 0
    for run in runs:
        first_batch.append(run)
        buffered += len(run[1])
        if buffered >= FIRST_BATCH_ROWS:
            break
    numbers, texts = [0] * n_cols, [0] * n_cols
    for lead, rows in first_batch:
        measure(lead)
        for row in rows:
            measure(row, len(lead))
            for c, value in enumerate(row, start=len(lead)):
                if c < n_cols and value is not None and c not in kinds:
                    # A suppressed count ("<5", "x") stands for a number.
                    if (isinstance(value, (int, float)) and not isinstance(value, bool)) or value in HIDDEN_COUNT \
                            or (isinstance(value, str) and value[:1] == "<" and value[1:].isdigit()):
                        numbers[c] += 1
                    else:
                        texts[c] += 1
    numeric.update(c for c in range(n_cols) if numbers[c] and numbers[c] >= texts[c])
    header_lines = 1
    for c, name in enumerate(header):
        longest_word = max((len(word) for word in name.split()), default=0)
        width = min(max(widths[c], longest_word), caps[c])
        header_lines = max(header_lines, _wrapped_lines(name, width))
    header_style = {"bold": True, "text_wrap": True, "valign": "top", "bottom": 1}
    header_format = workbook.add_format(header_style)
    header_right = workbook.add_format({**header_style, "align": "right", "indent": 1})
    sheet.set_row(0, ROW_PT * header_lines)
    for c, name in enumerate(header):
        sheet.write_string(0, c, name, header_right if c in numeric else header_format)

    r, breaks, since_break, tallest = 1, set(table.page_breaks), 0, 0
    plain = table.groups is None
    for lead, rows in chain(first_batch, runs):
        if lead:
            measure(lead)  # once for the run, not once per row
            plan = planned(lead)
        shared = len(lead)
        for row in rows:
            if plain and r - 1 in breaks:
                tallest, since_break = max(tallest, since_break), 0
            if lead:
                for fn, c, value, fmt in plan:
                    fn(r, c, value, fmt)
            since_break += write(r, row, shared)
            r += 1
    tallest = max(tallest, since_break)

    for c, name in enumerate(header):
        longest_word = max((len(word) for word in name.split()), default=0)
        # Room for the bold header, and for the indent of a column of numbers.
        widths[c] = round(min(max(widths[c], longest_word, 4), max(caps[c], longest_word)) + 2 + (c in numeric), 1)
        sheet.set_column(c, c, widths[c])
    if table.footnote:
        # Wrapped across the table's width below a blank row, so it prints with the table.
        across = sum(widths[1:]) or MAX_WIDTH
        lines = _wrapped_lines(table.footnote, across * 0.9)
        note = workbook.add_format({"text_wrap": True, "valign": "top"})
        sheet.set_row(r + 1, ROW_PT * lines)
        sheet.write_string(r + 1, 0, "Note", workbook.add_format({"bold": True, "valign": "top"}))
        if n_cols > 2:
            sheet.merge_range(r + 1, 1, r + 1, n_cols - 1, table.footnote, note)
        else:
            sheet.write_string(r + 1, 1, table.footnote, note)
    sheet.freeze_panes(1, 0)
    _page_setup(sheet, table, widths, tallest, header_lines)
    workbook.close()


def _page_setup(sheet, table, widths, tallest, header_lines):
    """A4, the header on every page, the page's width filled; one table per page where the
    table has page breaks (Excel drops manual breaks under "fit to page", so the scale is
    worked out here instead)."""
    sheet.set_paper(9)
    sheet.set_margins(left=MARGIN_SIDE, right=MARGIN_SIDE, top=MARGIN_TOP, bottom=MARGIN_TOP)
    sheet.repeat_rows(0)
    # Excel allows 255 characters in a footer, its codes included; "&" starts a code.
    title = (table.title or table.filename)[:180].replace("&", "&&")
    sheet.set_footer(f"&L{title}&RPage &P of &N")
    total = sum(_column_px(w) for w in widths)
    orientation = "portrait" if total <= PAGE_PX["portrait"][0] else "landscape"
    if orientation == "landscape":
        sheet.set_landscape()
    page_w, page_h = PAGE_PX[orientation]
    if not table.page_breaks:
        sheet.fit_to_pages(1, 0)  # as wide as one page, as many pages long as it takes
        return
    sheet.set_h_pagebreaks(sorted(b + 1 for b in table.page_breaks if b))
    # Every column on the page; the longest table (with its header) on one page too when that
    # costs little more shrinking, else it runs on to the next page at a readable size.
    scale = min(100, 100 * page_w / total)
    fits_height = 100 * page_h / (ROW_PX * (tallest + header_lines))
    if 0.8 * scale <= fits_height < scale:
        scale = fits_height
    sheet.set_print_scale(max(40, int(scale * 0.95)))
