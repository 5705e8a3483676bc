"""The reports page's "Cases by state" (issue 14): read from counts kept beside the cases, which follow every new
case and every change of state, and one query however many cases there are."""

import re

import sqlalchemy as sa

from eha.demo import cases as build
from eha.extensions import db
from eha.models.assessments import Assessment
from eha.models.report_facts import CaseStateCount
from eha.transaction import committing
from tests.workflow.helpers import new_cases, team


def _shown(client):
    html = client.get("/reports").get_data(as_text=True)
    table = html[html.index("Cases by state") :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>\s*<td[^>]*>(\d+)</td>', table)
    total = re.search(r"(\d+) cases? in all", table)
    return {label.strip(): int(n) for label, n in rows}, int(total[1])


def test_cases_by_state_follows_new_cases_and_each_change_of_state(app, client, signed_in):
    lead, nurse, manager = team(app)
    cases = new_cases(lead, [nurse.agency], 3)
    signed_in(manager)
    shown, total = _shown(client)
    assert total == 3 and shown["Assessment in progress"] == 3 and shown["Closed"] == 0
    with committing():
        build.to_taf_scheduled(cases[0], lead, [nurse])
        build.fire(cases[1], "close", manager, reason="created_in_error")
    shown, total = _shown(client)
    assert total == 3
    assert (shown["Assessment in progress"], shown["TAF meeting scheduled"], shown["Closed"]) == (1, 1, 1)
    # What the counts say is what the cases say.
    counted = dict(db.session.execute(sa.select(Assessment.state, sa.func.count()).group_by(Assessment.state)).all())
    kept = {s: n for s, n in db.session.execute(sa.select(CaseStateCount.state, CaseStateCount.cases)).all() if n}
    assert kept == counted


def test_a_change_of_state_rolled_back_leaves_the_counts_as_they_were(app, client, signed_in):
    lead, nurse, manager = team(app)
    case = new_cases(lead, [nurse.agency], 1)[0]
    build.fire(case, "close", manager, reason="created_in_error")
    db.session.flush()
    db.session.rollback()
    signed_in(manager)
    shown, total = _shown(client)
    assert total == 1 and shown["Assessment in progress"] == 1 and shown["Closed"] == 0


def test_the_reports_page_reads_no_case_rows(app, client, signed_in):
    lead, nurse, manager = team(app)
    new_cases(lead, [nurse.agency], 2)
    signed_in(manager)
    client.get("/reports")
    statements = []
    listener = lambda *a, **k: statements.append(a[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get("/reports").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert not [s for s in statements if "FROM assessments" in s]
