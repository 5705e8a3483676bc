"""The plan page says who recorded each action's latest progress and when: the owner's own update is marked as
theirs, progress from a review says so with the review's date, and the comment is shown with it. The page's
queries do not grow with the number of actions."""

from datetime import date

import sqlalchemy as sa

from eha.extensions import db
from eha.formatting import format_date
from eha.models.plans import PlanVersion
from tests.plans import helpers
from tests.plans.test_review_updates import a_review_waiting, review_page_form, the_rest_of_the_review

TODAY = format_date(date.today())


def _progress_cells(client_request, case):
    return client_request.get(f"/assessments/{case.ref}/plan").words("table tbody tr td:last-child")


def _record_progress(client, case, key, progress, comment):
    url = f"/assessments/{case.ref}/plan/actions/{key}/progress"
    sent = {"progress": progress, "comment": comment, "version": helpers.version_on(client.get(url))}
    assert client.post(url, data=sent).status_code == 302


def test_the_plan_page_says_a_taf_member_recorded_their_own_progress(
    client, client_request, signed_in, lead, nurse, health
):
    case = a_review_waiting(client, signed_in, lead, nurse, health)
    cells = _progress_cells(client_request, case)
    assert "On track" in cells[0] and "Seen Zofia twice" in cells[0]
    assert f"Recorded by Nia Nurse on {TODAY} (their own update)" in cells[0]
    # The lead's own action has no progress yet: nothing says who recorded it.
    assert "Recorded by" not in cells[1]
    # The nurse sees the same on her own sign-in.
    signed_in(nurse)
    assert f"Recorded by Nia Nurse on {TODAY} (their own update)" in _progress_cells(client_request, case)[0]


def test_progress_the_lead_records_on_someone_elses_action_is_not_marked_as_theirs(
    client, client_request, signed_in, lead, nurse, health
):
    case = a_review_waiting(client, signed_in, lead, nurse, health)
    version = db.session.scalar(sa.select(PlanVersion).where(PlanVersion.assessment_id == case.id))
    key = min(version.actions, key=lambda a: a.position).key
    _record_progress(client, case, key, "not_started", "Nia is off sick; I phoned the family")
    cells = _progress_cells(client_request, case)
    assert "Not started" in cells[0] and "Nia is off sick; I phoned the family" in cells[0]
    assert f"Recorded by Lena Lead on {TODAY}" in cells[0] and "their own update" not in cells[0]


def test_after_a_review_the_plan_page_says_the_progress_came_from_the_review(
    client, client_request, signed_in, lead, nurse, health
):
    case = a_review_waiting(client, signed_in, lead, nurse, health)
    page = client_request.get(f"/assessments/{case.ref}/reviews/new")
    data = the_rest_of_the_review(review_page_form(page))
    data.update({"progress_1": "done", "comment_1": "Finished at the review", "comment_2": "Started this week"})
    client_request.post(f"/assessments/{case.ref}/reviews/new", data=data)
    cells = _progress_cells(client_request, case)
    assert "Done" in cells[0] and "Finished at the review" in cells[0]
    assert f"Recorded by Lena Lead at the review on {TODAY}" in cells[0]
    assert "their own update" not in cells[0] and "Seen Zofia twice" not in cells[0]
    assert "On track" in cells[1] and "Started this week" in cells[1]
    assert f"Recorded by Lena Lead at the review on {TODAY}" in cells[1]


def _count_queries(client, url):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def _plan_with_progress(client, signed_in, lead, nurse, health, actions, name):
    case = helpers.assessed_case(lead, [health], state="plan_active", name=name)
    helpers.member(case, nurse)
    version = helpers.plan(case, lead, owners=[nurse, lead], actions=actions, status="signed")
    keys = [a.key for a in version.actions]
    signed_in(lead)
    for key in keys:
        _record_progress(client, case, key, "on_track", "Going well")
    return case


def test_the_plan_page_makes_as_many_queries_for_six_actions_as_for_two(client, signed_in, lead, nurse, health):
    two = _plan_with_progress(client, signed_in, lead, nurse, health, 2, "The Two family")
    six = _plan_with_progress(client, signed_in, lead, nurse, health, 6, "The Six family")
    client.get(f"/assessments/{two.ref}/plan")  # warm caches
    with_two = _count_queries(client, f"/assessments/{two.ref}/plan")
    with_six = _count_queries(client, f"/assessments/{six.ref}/plan")
    assert with_six == with_two
    assert client.get(f"/assessments/{six.ref}/plan").get_data(as_text=True).count("Recorded by Lena Lead") == 6
