"""SQL that SQLite and PostgreSQL spell differently, written once: the month of a timestamp, the days between
two timestamps. Reports aggregate in the database with these, never in Python."""

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from eha.extensions import db


class month_of(FunctionElement):
    """``'YYYY-MM'`` of a date or timestamp."""

    type = sa.String()
    inherit_cache = True


@compiles(month_of)
def _month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


class days_between(FunctionElement):
    """Days (fractional) from the first date or timestamp to the second."""

    type = sa.Float()
    inherit_cache = True


@compiles(days_between)
def _days_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"


@compiles(days_between, "postgresql")
def _days_pg(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM (CAST({compiler.process(end, **kw)} AS TIMESTAMP) - "
        f"CAST({compiler.process(start, **kw)} AS TIMESTAMP))) / 86400.0)"
    )


# Each report sorts or hashes up to a few hundred thousand narrow rows (the moves, the TAF members) at county
# scale: with PostgreSQL's default 4 MB those sorts spilled to disk (an external merge of 2-4 MB).
REPORT_WORK_MEM = "32MB"


def without_jit():
    """Turn PostgreSQL's JIT compiler off, and give the sorts room, for the rest of this transaction (local
    settings; nothing on SQLite).

    The reports' aggregates are estimated as costly (a months join at every case for every month), so PostgreSQL
    compiles them: at 100,000 episodes, compiling the needs report's query took 2.6 s of its 2.8 s; the query
    itself runs in under 200 ms. One statement before each report table."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            sa.text("SELECT set_config('jit', 'off', true), set_config('work_mem', :work_mem, true)"),
            {"work_mem": REPORT_WORK_MEM},
        )
