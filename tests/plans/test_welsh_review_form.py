"""The review form's own checks in Welsh (issue 18): a lead who reads eha in Welsh is told in Welsh to confirm the
actions not started, and that the plan can only change when it continues; nothing is saved until they do."""

from eha.models.plans import Review
from tests.foundation.welsh_walk import english_on
from tests.plans import helpers
from tests.plans.test_review_updates import a_review_waiting, review_page_form, the_rest_of_the_review

SERVICE_NAME = {"Early help"}  # configuration (EHA_SERVICE_NAME), as the Welsh walk allows


def test_a_welsh_lead_is_asked_in_welsh_to_confirm_the_actions_not_started(
    client, client_request, signed_in, lead, nurse, health
):
    case = a_review_waiting(client, signed_in, lead, nurse, health, progress="not_started", comment="")
    url = f"/assessments/{case.ref}/reviews/new"
    page = client_request.get(f"{url}?lang=cy")
    assert page.tree.get("lang") == "cy"
    assert "Rwyf wedi gwirio’r camau gweithredu heb ddechrau" in page.words("label")
    assert "Do, newidiodd y cynllun" in page.words("label")
    data = the_rest_of_the_review(review_page_form(page))

    page = client_request.post(url, data=data, expected_status=200)
    assert page.errors() == ["Cadarnhewch eich bod wedi gwirio’r camau gweithredu heb ddechrau"]
    assert page.title.startswith("Gwall:") and helpers.count(Review) == 0
    assert set(english_on(page.html)) <= SERVICE_NAME

    data.update({"checked_not_started": "yes", "decision": "close", "plan_changed": "yes"})
    page = client_request.post(url, data=data, expected_status=200)
    assert "Dywedwch fod y cynllun wedi newid dim ond pan fydd y cynllun yn parhau" in page.errors()
    assert helpers.count(Review) == 0


def test_the_same_checks_read_as_before_in_english(client, client_request, signed_in, lead, nurse, health):
    case = a_review_waiting(client, signed_in, lead, nurse, health, progress="not_started", comment="")
    url = f"/assessments/{case.ref}/reviews/new"
    data = the_rest_of_the_review(review_page_form(client_request.get(url)))
    data.update({"decision": "close", "plan_changed": "yes"})
    page = client_request.post(url, data=data, expected_status=200)
    assert "Confirm you have checked the actions not started" in page.errors()
    assert "Only say the plan changed when the plan continues" in page.errors()


def test_a_welsh_lead_scheduling_a_meeting_is_told_in_welsh_which_fields_are_missing(
    client, client_request, signed_in, lead, nurse, health
):
    from tests.plans.meeting_people import schedule_data

    case = helpers.assessed_case(lead, agencies=[health])
    signed_in(lead)
    url = f"/assessments/{case.ref}/meetings/new?kind=taf"
    client_request.get(f"{url}&lang=cy")
    data = {**schedule_data(invite=[nurse]), "date": ["", "", ""], "time": ""}
    page = client_request.post(url, data=data, expected_status=200)
    errors = " ".join(page.errors())
    assert "dyddiad y cyfarfod" in errors and "amser y cyfarfod" in errors, page.errors()
    assert "date of the meeting" not in errors and "time of the meeting" not in errors
    client_request.get(f"{url}&lang=en")
    errors = " ".join(client_request.post(url, data=data, expected_status=200).errors())
    assert "date of the meeting" in errors and "time of the meeting" in errors
