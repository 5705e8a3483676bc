"""CSV: a header row, then the rows as a table streams them, written a chunk at a time (never all in memory).

Cells that a spreadsheet would read as a formula (starting with =, +, - or @) are prefixed with an apostrophe
(OWASP "CSV injection"): names and free text come from users.

The same tables as .xlsx (openpyxl's write-only mode: each row goes to a temporary file as it is read, so memory
stays bounded; the file is sent when complete). Every text cell is written as text, never as a formula, exactly as
typed (less the control characters a workbook cannot hold)."""

import csv
import io
import re
import tempfile

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLUSH_ROWS = 500


def _safe(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_lines(headers, rows):
    """Yield the CSV text of ``headers`` then ``rows`` in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([_safe(v) for v in row])
        count += 1
        if count % FLUSH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(table, stream):
    """Write ``table`` as CSV to an open text ``stream``; returns the number of rows."""
    rows = 0

    def counted():
        nonlocal rows
        for row in table.stream():
            rows += 1
            yield row

    for chunk in csv_lines(table.headers, counted()):
        stream.write(chunk)
    return rows


XLSX_READ = 64 * 1024
_SHEET_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def xlsx_chunks(title, headers, rows):
    """Yield the bytes of a one-sheet workbook: a bold header row, then ``rows``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_SHEET_FORBIDDEN.sub(" ", title)[:31] or "Sheet")
    bold = Font(bold=True)

    def cell(value, font=None):
        if isinstance(value, str):
            made = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            made.data_type = "s"  # text, even when it starts with "="
        else:
            made = WriteOnlyCell(sheet, value=value)
        if font is not None:
            made.font = font
        return made

    sheet.append([cell(h, bold) for h in headers])
    for row in rows:
        sheet.append([cell("" if v is None else v) for v in row])
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(XLSX_READ):
            yield chunk
