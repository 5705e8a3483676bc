"""The signed-in pages a practitioner opens most make a small, fixed number of queries (issue 14, part 5): the
case page reads the case row once, with its children, and stays within eight queries; My cases and the plan page
hold their counts. Reached as a user reaches them: the lead signs in and opens the pages; the TAF member records
progress through the progress page first, so the plan page has progress to show.

The counts include the session look-up and the one audit INSERT a view writes. A change that adds a query to these
pages fails here: look for a lazy load first (``before_cursor_execute`` below lists the statements)."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import FormDefinitionVersion
from tests.plans import helpers

# The pages' queries, counted on SQLite and PostgreSQL alike.
CASE_PAGE_QUERIES = 7  # session, case with children, audit INSERT, family with children and carers, agreements
# with their agencies, section answers, timeline (a short first page: no count)
MY_CASES_QUERIES = 6  # session, change generation, bounded count, page, children, own actions (one more, for
# the TAF meetings held, when a case on the page is waiting for its TAF meeting)
MY_CASES_SERVED_AGAIN_QUERIES = 2  # session, change generation: nothing changed, the page drawn is served again
PLAN_PAGE_QUERIES = 11  # session, case, audit INSERT, people, versions, actions, signatures, answers, TAF,
# progress recorded, carers


def _case_in_force(client, signed_in, lead, nurse, health):
    """A case with a signed plan, a TAF member who owns an action and has recorded progress on it, the lead
    signed in at the end."""
    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.member(case, nurse)
    version = helpers.plan(case, lead, owners=[nurse, lead], actions=3, status="signed")
    theirs = version.actions[0]
    signed_in(nurse)
    url = f"/assessments/{case.ref}/plan/actions/{theirs.key}/progress"
    sent = {"progress": "on_track", "comment": "Seen Zofia twice", "version": helpers.version_on(client.get(url))}
    assert client.post(url, data=sent).status_code == 302
    signed_in(lead)
    return case


def test_the_case_page_reads_the_case_once_in_at_most_eight_queries(client, signed_in, lead, nurse, health):
    case = _case_in_force(client, signed_in, lead, nurse, health)
    url = f"/assessments/{case.ref}"
    client.get(url)  # the first request of a process stores the shipped definitions
    response, statements = helpers.get_with_statements(client, url)
    assert len(statements) == CASE_PAGE_QUERIES, "\n".join(statements)
    assert len(statements) <= 8
    case_reads = [s for s in statements if s.startswith("SELECT assessments.")]
    assert len(case_reads) == 1, "\n".join(statements)
    page = response.get_data(as_text=True)
    assert "Zofia" in page and "The Nowak family" in page
    assert "Northshire Health Visiting" in page  # the agreement's agencies, read with the agreement


def test_the_case_page_still_counts_the_timeline_past_its_first_page(client, signed_in, lead, nurse, health):
    case = _case_in_force(client, signed_in, lead, nurse, health)
    url = f"/assessments/{case.ref}?page=2"
    client.get(url)
    _, statements = helpers.get_with_statements(client, url)
    assert len(statements) == CASE_PAGE_QUERIES + 1  # a later page counts the timeline to draw the pager


def test_my_cases_holds_its_count(client, signed_in, lead, nurse, health):
    case = _case_in_force(client, signed_in, lead, nurse, health)
    client.get("/")
    client.application.extensions["eha_page_cache"].clear()  # drawn afresh, as after any change
    response, statements = helpers.get_with_statements(client, "/")
    assert len(statements) == MY_CASES_QUERIES, "\n".join(statements)
    assert case.ref in response.get_data(as_text=True)
    response, statements = helpers.get_with_statements(client, "/")
    assert len(statements) == MY_CASES_SERVED_AGAIN_QUERIES, "\n".join(statements)
    assert case.ref in response.get_data(as_text=True)
    # A TAF member's My cases lists the case by their own action, in the same number of queries.
    signed_in(nurse)
    response, statements = helpers.get_with_statements(client, "/")
    assert len(statements) == MY_CASES_QUERIES, "\n".join(statements)
    assert case.ref in response.get_data(as_text=True)


def test_the_plan_page_holds_its_count_and_loads_no_owner_alone(client, signed_in, lead, nurse, health):
    case = _case_in_force(client, signed_in, lead, nurse, health)
    url = f"/assessments/{case.ref}/plan"
    client.get(url)
    response, statements = helpers.get_with_statements(client, url)
    assert len(statements) == PLAN_PAGE_QUERIES, "\n".join(statements)
    assert not [s for s in statements if "WHERE case_people.id =" in s], "\n".join(statements)
    assert "Seen Zofia twice" in response.get_data(as_text=True)


def test_an_activated_definition_is_what_the_next_assessment_starts_on(client, signed_in, lead, admin):
    """The active definition is read per request, not kept in the process: an administrator's activation (in any
    worker) is what the next assessment starts on, and the one before keeps its own version."""
    from eha.definitions import latest_definition

    before = helpers.assessed_case(lead, name="The Before family")
    shipped = latest_definition()
    assert (before.definition_name, before.definition_version) == (shipped.name, shipped.version)
    signed_in(admin)
    text = shipped.to_text().replace(f"version: {shipped.version}", f"version: {shipped.version + 1}", 1)
    assert client.post("/admin/definitions", data={"content": text}).status_code == 302
    record = db.session.scalar(
        sa.select(FormDefinitionVersion).where(FormDefinitionVersion.version == shipped.version + 1)
    )
    assert client.post(f"/admin/definitions/{record.id}/activate").status_code == 302
    after = helpers.assessed_case(lead, name="The After family")
    assert after.definition_version == shipped.version + 1
    db.session.refresh(before)
    assert before.definition_version == shipped.version
