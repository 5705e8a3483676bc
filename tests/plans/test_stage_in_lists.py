"""The home page and the cases list show each case's stage: a case whose TAF meeting is recorded as held no longer
says "TAF meeting scheduled", and working that out for a page of cases is one query, not one per case."""

import sqlalchemy as sa

from eha.extensions import db
from tests.plans.meeting_people import record_data, taf_case_with_grandmother


def _status_cells(page, column):
    return page.words(f"table tbody tr td:nth-child({column})")


def _record(client_request, case, meeting):
    client_request.post(f"/assessments/{case.ref}/meetings/{meeting.id}/record", data=record_data(meeting))


def test_the_home_page_and_the_cases_list_say_the_taf_meeting_is_held(client_request, signed_in, lead, nurse, health):
    case, meeting, _grandmother = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
    assert _status_cells(client_request.get("/"), 3) == ["TAF meeting scheduled"]
    assert _status_cells(client_request.get("/assessments"), 4) == ["TAF meeting scheduled"]
    _record(client_request, case, meeting)
    home = client_request.get("/")
    assert _status_cells(home, 3) == ["TAF meeting held"]
    assert "TAF meeting scheduled" not in home.text
    listed = client_request.get("/assessments")
    assert _status_cells(listed, 4) == ["TAF meeting held"]
    assert "TAF meeting scheduled" not in " ".join(listed.words("table"))
    # The TAF member sees the same stage on their home page.
    signed_in(nurse)
    assert _status_cells(client_request.get("/"), 3) == ["TAF meeting held"]


def _count_queries(client_request, url):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        page = client_request.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    return len(statements), page


def test_the_stage_of_a_page_of_cases_is_one_query(client_request, signed_in, lead, nurse, health):
    case, meeting, _ = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
    _record(client_request, case, meeting)
    client_request.get("/assessments")  # warm caches
    one, _page = _count_queries(client_request, "/assessments")
    home_one, _page = _count_queries(client_request, "/")
    for _ in range(2):
        case, meeting, _ = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
        _record(client_request, case, meeting)
    three, page = _count_queries(client_request, "/assessments")
    home_three, home = _count_queries(client_request, "/")
    assert _status_cells(page, 4) == ["TAF meeting held"] * 3
    assert _status_cells(home, 3) == ["TAF meeting held"] * 3
    assert (three, home_three) == (one, home_one)
