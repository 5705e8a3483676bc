"""CSV: a header row, then the rows as a table streams them, written a chunk at a time (never all in memory).

Cells that a spreadsheet would read as a formula (starting with =, +, - or @) are prefixed with an apostrophe
(OWASP "CSV injection"): names and free text come from users."""

import csv
import io

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
