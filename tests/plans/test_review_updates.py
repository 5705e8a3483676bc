"""Reviews read the team's updates: the progress a TAF member records on their own action is where the lead's
review form starts, marked as theirs, and what the lead confirms stays on the plan page after the review."""

from datetime import date, timedelta

from eha.formatting import format_date
from eha.models.plans import Review
from tests.plans import helpers
from tests.plans.test_cycle import parts, schedule


def review_page_form(page):
    """What the browser would send from the review form as drawn (checked radios, typed text, hidden fields)."""
    form = page.tree.xpath("//form[@method='post'][.//input[@name='action_keys']]")[0]
    data = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    for radio in form.xpath(".//input[starts-with(@name, 'attendance_')]"):
        data[radio.get("name")] = "attended"
    return data


def a_review_waiting(client, signed_in, lead, nurse, health, *, progress="on_track", comment="Seen Zofia twice"):
    """A plan in force with one action owned by ``nurse`` (a TAF member) and one by the lead, the nurse's
    progress recorded from their own sign-in, then a review scheduled by the lead (signed in at the end)."""
    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.member(case, nurse)
    version = helpers.plan(case, lead, owners=[nurse, lead], actions=2, status="signed")
    theirs = version.actions[0]
    signed_in(nurse)
    url = f"/assessments/{case.ref}/plan/actions/{theirs.key}/progress"
    assert client.get(url).status_code == 200
    sent = {"progress": progress, "comment": comment, "version": helpers.version_on(client.get(url))}
    assert client.post(url, data=sent).status_code == 302
    signed_in(lead)
    assert schedule(client, case, "review", invite=[lead]).status_code == 302
    return case


def the_rest_of_the_review(data):
    data.update(
        {
            "held_on": parts(date.today()),
            "family_view": "Things are better at home",
            "family_score": "6",
            "practitioner_score": "5",
            "decision": "continue",
            "next_review_on": parts(date.today() + timedelta(days=42)),
            "progress_2": "on_track",
            "confirm_date": "yes",  # scheduled for tomorrow, held today
        }
    )
    return data


def test_the_review_form_starts_from_the_members_progress_marked_as_theirs(
    client, client_request, signed_in, lead, nurse, health
):
    case = a_review_waiting(client, signed_in, lead, nurse, health)
    page = client_request.get(f"/assessments/{case.ref}/reviews/new")
    assert page.one("input[name=progress_1][checked]").get("value") == "on_track"
    assert page.one("textarea[name=comment_1]").text_content().strip() == "Seen Zofia twice"
    recorded = f"Recorded by Nia Nurse (Northshire Health Visiting) on {format_date(date.today())}"
    assert recorded in page.text
    # The lead's own action has no update yet: nothing is chosen for it, and nothing is said to be recorded.
    assert page.select("input[name=progress_2][checked]") == []
    assert page.text.count("Recorded by") == 1


def test_what_the_lead_confirms_at_the_review_stays_on_the_plan_page(
    client, client_request, signed_in, lead, nurse, health
):
    case = a_review_waiting(client, signed_in, lead, nurse, health)
    page = client_request.get(f"/assessments/{case.ref}/reviews/new")
    client_request.post(f"/assessments/{case.ref}/reviews/new", data=the_rest_of_the_review(review_page_form(page)))
    assert helpers.count(Review) == 1
    plan = client_request.get(f"/assessments/{case.ref}/plan")
    cells = plan.words("table tbody tr td:last-child")
    assert "On track" in cells[0] and "Seen Zofia twice" in cells[0]


def test_the_lead_may_change_what_the_member_recorded(client, client_request, signed_in, lead, nurse, health):
    case = a_review_waiting(client, signed_in, lead, nurse, health)
    page = client_request.get(f"/assessments/{case.ref}/reviews/new")
    data = the_rest_of_the_review(review_page_form(page))
    data.update({"progress_1": "done", "comment_1": "Finished at the review"})
    client_request.post(f"/assessments/{case.ref}/reviews/new", data=data)
    cells = client_request.get(f"/assessments/{case.ref}/plan").words("table tbody tr td:last-child")
    assert "Done" in cells[0] and "Finished at the review" in cells[0] and "Seen Zofia twice" not in cells[0]


def test_a_review_with_actions_not_started_asks_the_lead_to_confirm_they_checked(
    client, client_request, signed_in, lead, nurse, health
):
    case = a_review_waiting(client, signed_in, lead, nurse, health, progress="not_started", comment="")
    url = f"/assessments/{case.ref}/reviews/new"
    page = client_request.get(url)
    assert "Some actions have not started" in page.text
    data = the_rest_of_the_review(review_page_form(page))
    page = client_request.post(url, data=data, expected_status=200)
    assert page.errors() == ["Confirm you have checked the actions not started"]
    assert page.title.startswith("Error:") and helpers.count(Review) == 0
    assert page.one("input[name=progress_1][checked]").get("value") == "not_started"
    data["checked_not_started"] = "yes"
    client_request.post(url, data=data)
    assert helpers.count(Review) == 1


def test_choosing_not_started_at_the_review_asks_for_the_confirmation_too(
    client, client_request, signed_in, lead, nurse, health
):
    case = a_review_waiting(client, signed_in, lead, nurse, health)
    url = f"/assessments/{case.ref}/reviews/new"
    page = client_request.get(url)
    assert "Some actions have not started" not in page.text
    data = the_rest_of_the_review(review_page_form(page))
    data["progress_2"] = "not_started"
    page = client_request.post(url, data=data, expected_status=200)
    assert page.errors() == ["Confirm you have checked the actions not started"]
    data["checked_not_started"] = "forged"
    page = client_request.post(url, data=data, expected_status=200)
    assert helpers.count(Review) == 0


def test_bad_input_on_the_prefilled_comment_is_kept_and_never_a_500(
    client, client_request, signed_in, lead, nurse, health
):
    case = a_review_waiting(client, signed_in, lead, nurse, health)
    url = f"/assessments/{case.ref}/reviews/new"
    data = the_rest_of_the_review(review_page_form(client_request.get(url)))
    data.update({"comment_1": "c" * 50000, "progress_1": "finished"})
    page = client_request.post(url, data=data, expected_status=200)
    assert any("2000 characters or fewer" in e for e in page.errors())
    assert helpers.count(Review) == 0
    data.update({"comment_1": "Kept", "progress_1": "on_track"})
    del data["version"]
    page = client_request.post(url, data=data, expected_status=409)
    assert "Things are better at home" in page.text and helpers.count(Review) == 0
