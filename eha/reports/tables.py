"""A report's table: its columns, the one SQL query that makes its rows, and how a row reads. The page shows
the first rows (or all, for an aggregate); a CSV export streams every row with ``yield_per``, so 100,000 rows
never sit in memory at once.

A row carries its dates as ISO text ("2026-05-01"): that is what the CSV and .xlsx downloads keep (machine
readable, the same in every language). The page shows each as the rest of the interface writes dates, in the
reader's language (``shown``: "1 May 2026", "1 Mai 2026")."""

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from eha.extensions import db
from eha.formatting import format_date
from eha.reports.sql import without_jit

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def shown(value, language="en"):
    """A table cell as the page shows it: a date (or a row's ISO date text) as the interface writes dates in
    ``language``; anything else as it is."""
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, date):
        return format_date(value, language=language)
    return value


STREAM_CHUNK = 1000


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass
class Table:
    key: str
    caption: str
    columns: tuple
    query: object  # a SQLAlchemy select whose rows are in the columns' order (before ``shape``)
    shape: object = None  # row -> tuple of display values
    page_rows: int | None = None  # show only this many on the page (the CSV has them all)
    _rows: list | None = field(default=None, repr=False)

    def _shaped(self, rows):
        shape = self.shape or tuple
        return [shape(row) for row in rows]

    def rows(self):
        """The rows the page shows (one query; cached on the table)."""
        if self._rows is None:
            query = self.query if self.page_rows is None else self.query.limit(self.page_rows + 1)
            without_jit()
            self._rows = self._shaped(db.session.execute(query).all())
        return self._rows[: self.page_rows] if self.page_rows is not None else self._rows

    @property
    def has_more(self):
        self.rows()
        return self.page_rows is not None and len(self._rows) > self.page_rows

    def stream(self):
        """Every row, fetched ``STREAM_CHUNK`` at a time."""
        shape = self.shape or tuple
        without_jit()
        result = db.session.execute(self.query.execution_options(yield_per=STREAM_CHUNK))
        for partition in result.partitions():
            for row in partition:
                yield shape(row)

    @property
    def headers(self):
        return [c.label for c in self.columns]


def months_table(filters, limit=120):
    """A select of the period's months, ``key`` ('YYYY-MM'), ``starts`` and ``ends`` (naive UTC datetimes),
    as literal rows: one subquery, whatever the period."""
    from datetime import datetime

    months = []
    year, month = filters.date_from.year, filters.date_from.month
    while (year, month) <= (filters.date_to.year, filters.date_to.month) and len(months) < limit:
        nxt = (year + (month == 12), month % 12 + 1)
        months.append((f"{year:04d}-{month:02d}", datetime(year, month, 1), datetime(*nxt, 1)))
        year, month = nxt
    parts = [
        sa.select(
            sa.literal(key, sa.String).label("key"),
            sa.literal(start, sa.DateTime).label("starts"),
            sa.literal(end, sa.DateTime).label("ends"),
        )
        for key, start, end in months
    ]
    return (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("months")
