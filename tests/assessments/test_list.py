"""The case list: only visible cases, filters, pages, and a query count that does not grow with cases."""

import sqlalchemy as sa

from eha.extensions import db
from tests import factories
from tests.assessments import helpers


def _make_cases(user, n, start=0):
    for i in range(start, start + n):
        helpers.case(user, name=f"The Family {i}", first_name=f"Child{i}", last_name=f"Surname{i}")


def test_the_list_shows_only_cases_the_user_may_see(client, signed_in, practitioner):
    mine = helpers.case(practitioner, first_name="Ayşe", last_name="Yılmaz", name="The Yılmaz family")
    theirs = helpers.case(factories.user(role="practitioner"), first_name="Minh", last_name="Nguyễn")
    signed_in(practitioner)
    page = client.get("/assessments")
    assert page.status_code == 200
    assert mine.ref in page.text and theirs.ref not in page.text
    assert "Assessment in progress" in page.text


def test_the_list_filters_by_reference_name_and_state(client, signed_in, manager):
    one = helpers.case(manager, first_name="Ayşe", last_name="Yılmaz", name="The Yılmaz family")
    two = helpers.case(manager, first_name="Minh", last_name="Nguyễn", name="The Nguyễn family")
    signed_in(manager)
    page = client.get("/assessments", query_string={"q": "yılmaz"})
    assert one.ref in page.text and two.ref not in page.text
    page = client.get("/assessments", query_string={"q": two.ref.lower()})
    assert two.ref in page.text and one.ref not in page.text
    page = client.get("/assessments", query_string={"state": "closed"})
    assert one.ref not in page.text and "No cases match" in page.text
    for junk in ({"page": "x"}, {"page": "-5"}, {"page": "9" * 30}, {"state": "nonsense"}, {"q": "ab" * 100}):
        assert client.get("/assessments", query_string=junk).status_code == 200
    # A NUL byte is never meant: refused as a bad request before any query (PostgreSQL cannot compare it).
    assert client.get("/assessments", query_string={"q": "a\x00b"}).status_code == 400


def test_the_list_is_paged(app, client, signed_in, manager):
    app.config["EHA_PAGE_SIZE"] = 5
    _make_cases(manager, 7)
    signed_in(manager)
    first = client.get("/assessments")
    second = client.get("/assessments", query_string={"page": 2})
    assert first.text.count('class="govuk-table__row"') == 1 + 5
    assert second.text.count('class="govuk-table__row"') == 1 + 2


def _count_queries(client, url):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    assert response.status_code == 200
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_number_of_cases(app, client, signed_in, manager):
    app.config["EHA_PAGE_SIZE"] = 100
    _make_cases(manager, 10)
    signed_in(manager)
    with_ten = _count_queries(client, "/assessments")
    _make_cases(manager, 50, start=10)
    with_sixty = _count_queries(client, "/assessments")
    assert with_ten == with_sixty
