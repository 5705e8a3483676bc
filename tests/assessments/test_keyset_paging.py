"""Keyset (seek) paging of the case list (issue 14): "Next" and "Previous" carry the key of the row they continue
from, so a deep page is an index range like the first; walking every page shows every case once, in the list's
order (undated last, soonest due first, newest first among equals), across the dated and undated cases; an old
``?page=N`` address still opens page N; a forged key is the first page, never an error."""

import re
from datetime import date, timedelta

import lxml.html
import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.services import assessments as service
from tests.assessments import helpers

REF = re.compile(r">(EHA-[0-9]+)<")


@pytest.fixture
def cases(app, manager):
    """Eleven cases: four due on one day, three on others, four undated; pages of three."""
    app.config["EHA_PAGE_SIZE"] = 3
    soon = date.today() + timedelta(days=10)
    dues = [soon] * 4 + [soon + timedelta(days=1), soon - timedelta(days=3), soon + timedelta(days=30)] + [None] * 4
    made = []
    for n, due in enumerate(dues):
        case = helpers.case(manager, name=f"The Family {n}", first_name=f"Child{n}", last_name=f"Surname{n}")
        case.next_due_on, case.next_due_label = due, "Review" if due else None  # test set-up: due dates to order
        made.append(case)
    db.session.commit()
    return made


def _link(html, which):
    links = lxml.html.fromstring(html).cssselect(f".govuk-pagination__{which} a")
    return links[0].get("href") if links else None


def _walk(client, url, which):
    pages = []
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append((REF.findall(html), html))
        url = _link(html, which)
    return pages


def test_next_and_previous_walk_every_case_once_in_the_lists_order(client, signed_in, manager, cases):
    signed_in(manager)
    expected = [c.ref for c in db.session.scalars(service.case_list(manager))]
    assert len(expected) == 11
    forward = _walk(client, "/assessments", "next")
    assert [refs for refs, _ in forward] == [expected[i : i + 3] for i in range(0, 11, 3)]
    assert "Page 4 of 4 (11 in all)" in forward[-1][1]
    links = [_link(html, "next") for _, html in forward[:-1]]
    assert all("after=" in link and "page=" not in link for link in links)
    # And back from the last page, page by page, to the list's own address.
    backward = _walk(client, _link(forward[-1][1], "prev"), "prev")
    assert [refs for refs, _ in backward] == [refs for refs, _ in forward[-2::-1]]
    assert _link(forward[1][1], "prev") == "/assessments"


def test_the_pager_keeps_the_filters(client, signed_in, manager, cases):
    signed_in(manager)
    html = client.get("/assessments?q=surname&state=draft").get_data(as_text=True)
    assert "q=surname" in _link(html, "next") and "state=draft" in _link(html, "next")


def test_an_old_page_address_still_opens_that_page(client, signed_in, manager, cases):
    signed_in(manager)
    forward = _walk(client, "/assessments", "next")
    for number, (refs, _html) in enumerate(forward, start=1):
        html = client.get(f"/assessments?page={number}").get_data(as_text=True)
        assert REF.findall(html) == refs and f"Page {number} of 4" in html
    # Past the end (a bookmark kept while the list shrank): the last page, not "No cases match".
    past_the_end = client.get("/assessments?page=9").get_data(as_text=True)
    assert REF.findall(past_the_end) == forward[-1][0] and "Page 4 of 4" in past_the_end
    assert "No cases match" in client.get("/assessments?page=9&q=nobody-at-all").get_data(as_text=True)


@pytest.mark.parametrize(
    "query", ["after=nonsense", "after=2027-02-30.1", "after=undated.99999999999999999999", "before=.", "after=%00"]
)
def test_a_forged_key_is_the_first_page(client, signed_in, manager, cases, query):
    signed_in(manager)
    response = client.get(f"/assessments?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        first = REF.findall(client.get("/assessments").get_data(as_text=True))
        assert REF.findall(response.get_data(as_text=True)) == first


def test_a_deep_page_seeks_instead_of_walking_an_offset(client, signed_in, manager, cases):
    signed_in(manager)
    forward = _walk(client, "/assessments", "next")
    executed = []

    def before(conn, cursor, statement, parameters, context, executemany):
        executed.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(_link(forward[2][1], "next")).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    pages = [(s, p) for s, p in executed if "FROM assessments" in s and "count(" not in s and "LIMIT" in s]
    assert pages
    for statement, parameters in pages:
        # SQLite always writes an OFFSET after a LIMIT: a seek's is 0, a walk's would be (page - 1) * 3.
        assert "OFFSET" not in statement or parameters[-1] == 0, (statement, parameters)
