"""CSV and XLSX writers that stream, and the guard against spreadsheet formulas.

A cell beginning with = + - @ tab or carriage return is run as a formula by
Excel, LibreOffice and Google Sheets ("CSV injection"), so such text is written
with a leading apostrophe: shown as typed, never executed. Numbers stay numbers.
"""
import csv
import io

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


def _checked_rows(table, guard):
    """Every row in full, through the formula guard, whichever way the table holds them."""
    if table.groups is None:
        for row in table.rows:
            yield guard(row)
        return
    for lead, rows in table.groups:
        lead = _clean(lead)
        for row in rows:
            yield [*lead, *guard(row)]


def write_xlsx(table, fileobj):
    """Write the table to an open binary file as XLSX, one row in memory at a time."""
    # constant_memory flushes each row to a temporary file as it is written; formulas and
    # URLs are never inferred from strings.
    workbook = xlsxwriter.Workbook(fileobj, {"constant_memory": True, "strings_to_formulas": False,
                                             "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("Export")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, _clean(table.header), bold)
    r, guard = 1, _guard(table)
    for row in _checked_rows(table, guard):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is None:
                continue
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            else:
                sheet.write_number(r, c, value)
        r += 1
    if table.footnote:
        sheet.write_string(r + 1, 0, "Note")
        sheet.write_string(r + 1, 1, table.footnote)
    workbook.close()
