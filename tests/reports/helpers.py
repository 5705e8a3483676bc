"""Hand-made report fixtures: cases built with the demo's builders, then dated where the test says, so each
figure a test expects can be worked out by hand."""

from contextlib import contextmanager
from datetime import date, datetime, time

import sqlalchemy as sa

from eha.demo import cases as build
from eha.extensions import db
from eha.models.plans import PlanVersion
from eha.transaction import committing


def at(day, hour=9):
    return datetime.combine(day, time(hour))


def case(lead, agencies, *, family, child, started, needs=build.DEFAULT_NEEDS):
    """A draft case started on ``started`` (a date)."""
    with committing():
        made = build.new_case(
            lead, family_name=family, children=(child,), agencies=agencies, needs=needs, started_on=started
        )
    return made


def dated(case, **columns):
    """Set the case's dates (the builders date everything today)."""
    with committing():
        for name, value in columns.items():
            setattr(case, name, value)
    return case


def plan_signed_on(case, day):
    with committing():
        for version in db.session.scalars(sa.select(PlanVersion).where(PlanVersion.assessment_id == case.id)):
            version.signed_at = at(day)


def close_met(case, lead, manager, nurse):
    """Assessment, TAF, plan, one review, closed with every need met (as the demo's Patel case)."""
    with committing():
        _version, meeting = build.to_review_scheduled(case, lead, [nurse])
        build.record_a_review(case, lead, meeting)
        build.fire(case, "close", manager, reason="outcomes_met", notes="Met.", outcomes=build.outcomes_for(case))
    return case


@contextmanager
def count_queries():
    class Counter:
        count = 0

    counter = Counter()

    def before(*_args, **_kwargs):
        counter.count += 1

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


TODAY = date.today()


def table_rows(page, heading_id):
    """The body rows of the table after the heading ``heading_id``: each a list of its cells' text."""
    table = page.one(f"#{heading_id} + table")
    return [
        [" ".join(c.text_content().split()) for c in row.cssselect("th, td")] for row in table.cssselect("tbody tr")
    ]
