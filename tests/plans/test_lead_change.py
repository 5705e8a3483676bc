"""Change of lead professional (``/assessments/<ref>/lead``): the lead or a manager hands the case over, through the
page, to a practitioner from an agency within the family's agreement."""

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.users import User
from tests import factories
from tests.plans import helpers


@pytest.fixture
def hana(app, health):
    return factories.user(role="practitioner", agency=health, name="Hana Health")


@pytest.fixture
def outsider(app):
    police = factories.agency(name="Northshire Police", kind="police")
    return factories.user(role="practitioner", agency=police, name="Omar Outsider")


@pytest.fixture
def case(app, lead, health):
    return helpers.assessed_case(lead, [health])


def _url(case):
    return f"/assessments/{case.ref}/lead"


def _choices(page, name):
    return {i.get("value") for i in page.select(f"input[name={name}]")}


def _hand_over(
    client_request,
    case,
    to,
    *,
    keep_old="yes",
    reason="Nia knows the family best.",
    when=None,
    expected_status=302,
    **kw,
):
    """Open the page, choose ``to`` on it and post; return the page answered."""
    page = client_request.get(_url(case))
    assert str(to.id) in _choices(page, "new_lead")
    when = when or date.today()
    data = {
        "version": page.one("input[name=version]").get("value"),
        "new_lead": str(to.id),
        "keep_old": keep_old,
        "reason": reason,
        "handed_over_on": [str(when.day), str(when.month), str(when.year)],
    }
    data.update(kw)
    return client_request.post(_url(case), data=data, expected_status=expected_status)


def test_the_lead_hands_over_through_the_page(client_request, signed_in, case, lead, nurse, hana, outsider, manager):
    factories.user(role="practitioner", agency=nurse.agency, name="Ivy Inactive", active=False)
    signed_in(lead)
    page = client_request.get(f"/assessments/{case.ref}")
    link = page.one("a[href$='/lead']")
    assert " ".join(link.text_content().split()) == "Change the lead professional"

    page = client_request.get(_url(case))
    assert page.h1 == "Change the lead professional"
    # Only active practitioners of agreed agencies, not the lead: no outsider, manager or inactive user.
    assert _choices(page, "new_lead") == {str(nurse.id), str(hana.id)}
    assert "Should Lena Lead stay in the Team Around the Family?" in page.text

    page = _hand_over(client_request, case, nurse)
    assert page.location.endswith(f"/assessments/{case.ref}")
    page = client_request.get(f"/assessments/{case.ref}")
    assert "Nia Nurse is now the lead professional" in page.text
    assert "Lena Lead (Northtown Primary School) handed the case to Nia Nurse as lead professional" in page.text
    assert not page.select("a[href$='/lead']")  # Lena no longer manages the case

    signed_in(nurse)
    client_request.get(f"/assessments/{case.ref}/plan/actions/new")
    client_request.get(_url(case))
    team = client_request.get(f"/assessments/{case.ref}/team")
    assert "Nia Nurse" in team.text and "Lena Lead" in team.text

    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "lead_changed"))
    assert event.outcome == "success" and event.user_id == lead.id
    assert event.detail["from"] == lead.id and event.detail["to"] == nurse.id
    assert event.detail["on"] == date.today().isoformat() and event.detail["old_lead_kept_on_team"] is True


def test_a_forged_practitioner_from_outside_the_agreement_is_refused(
    client_request, signed_in, case, lead, nurse, outsider
):
    signed_in(lead)
    page = client_request.get(_url(case))
    data = {
        "version": page.one("input[name=version]").get("value"),
        "new_lead": str(outsider.id),
        "keep_old": "yes",
        "reason": "Forged.",
        "handed_over_on": [str(date.today().day), str(date.today().month), str(date.today().year)],
    }
    page = client_request.post(_url(case), data=data, expected_status=200)
    assert page.errors() == ["Select an option from the list"]
    assert page.one("textarea[name=reason]").text == "Forged."
    assert helpers.reload(case).lead_id == lead.id
    refused = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "lead_changed"))
    assert refused.outcome == "failed"


def test_the_old_lead_keeps_sight_only_as_a_team_member(client_request, signed_in, case, lead, nurse, hana, manager):
    signed_in(lead)
    _hand_over(client_request, case, nurse)
    # Nia did not start the case: after she hands it on and leaves the team she no longer sees it.
    signed_in(nurse)
    _hand_over(client_request, case, hana, keep_old="yes")
    client_request.get(f"/assessments/{case.ref}")
    client_request.get(f"/assessments/{case.ref}/plan/actions/new", expected_status=403)
    client_request.get(_url(case), expected_status=403)

    signed_in(manager)
    _hand_over(client_request, case, nurse, reason="Back to Nia.")
    signed_in(nurse)
    _hand_over(client_request, case, hana, keep_old="no")
    client_request.get(f"/assessments/{case.ref}", expected_status=404)
    client_request.get(f"/assessments/{case.ref}/plan/actions/new", expected_status=404)
    signed_in(hana)
    client_request.get(f"/assessments/{case.ref}/plan/actions/new")


def test_a_team_member_who_is_not_the_lead_cannot_change_the_lead(client_request, signed_in, case, nurse, hana):
    helpers.member(case, nurse)
    signed_in(nurse)
    client_request.get(_url(case), expected_status=403)
    client_request.post(_url(case), data={"new_lead": str(nurse.id)}, expected_status=403)
    assert helpers.reload(case).lead_id != nurse.id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": ""}, "Enter why the lead professional is changing"),
        ({"reason": "x" * 50_000}, "Why the lead professional is changing must be 2000 characters or fewer"),
        ({"handed_over_on": ["32", "13", "2026"]}, "Date of the handover must be a real date"),
        ({"handed_over_on": ["", "", ""]}, "Enter the date of the handover"),
        ({"keep_old": "maybe"}, "Select an option from the list"),
        ({"keep_old": ""}, "Select whether they stay in the Team Around the Family"),
    ],
)
def test_bad_input_is_shown_on_the_form(client_request, signed_in, case, lead, nurse, changes, message):
    signed_in(lead)
    page = _hand_over(client_request, case, nurse, expected_status=200, **changes)
    assert page.errors() == [message]
    assert page.title.startswith("Error: Change the lead professional")
    assert helpers.reload(case).lead_id == lead.id


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (date.today() + timedelta(days=1), "Date of the handover must be today or in the past"),
        (date.today() - timedelta(days=1), "Date of the handover must be on or after the day the case started"),
    ],
)
def test_the_handover_date_is_today_or_earlier_and_not_before_the_case(
    client_request, signed_in, case, lead, nurse, when, message
):
    signed_in(lead)
    page = _hand_over(client_request, case, nurse, when=when, expected_status=200)
    assert page.errors() == [message]
    assert page.one("textarea[name=reason]").text == "Nia knows the family best."
    assert helpers.reload(case).lead_id == lead.id


def test_a_stale_form_gets_the_conflict_page_with_the_input_kept(client_request, signed_in, case, manager, nurse, hana):
    signed_in(manager)
    opened = client_request.get(_url(case)).one("input[name=version]").get("value")
    _hand_over(client_request, case, nurse)
    data = {
        "version": opened,
        "new_lead": str(hana.id),
        "keep_old": "no",
        "reason": "Hana has more time.",
        "handed_over_on": [str(date.today().day), str(date.today().month), str(date.today().year)],
    }
    page = client_request.post(_url(case), data=data, expected_status=409)
    assert page.h1 == "Someone else has changed this case"
    assert page.words(".govuk-summary-list__value") == ["Nia Nurse, Northshire Health Visiting"]
    assert page.one("textarea[name=reason]").text == "Hana has more time."
    assert helpers.reload(case).lead_id == nurse.id
    del data["version"]
    client_request.post(_url(case), data=data, expected_status=409)
    assert helpers.reload(case).lead_id == nurse.id
    assert [
        e.outcome for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "lead_changed"))
    ] == [
        "success",
        "failed",
        "failed",
    ]


def test_the_audit_keeps_no_copy_of_the_reason(client_request, signed_in, case, lead, nurse):
    signed_in(lead)
    _hand_over(client_request, case, nurse, reason="y" * 2000)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "lead_changed"))
    assert event.detail["reason_given"] is True and "yyy" not in str(event.detail)


def test_a_closed_case_keeps_its_lead(client_request, signed_in, lead, health, nurse):
    case = helpers.assessed_case(lead, [health], state="closed")
    signed_in(lead)
    client_request.get(_url(case), expected_status=409)
    assert "Change the lead professional" not in client_request.get(f"/assessments/{case.ref}").text


def test_without_another_agreed_practitioner_there_is_no_one_to_choose(client_request, signed_in, case, lead):
    signed_in(lead)
    page = client_request.get(_url(case))
    assert not page.select("form[action$='/lead']")
    assert "There is no other practitioner from an agency the family agreed may be involved" in page.text


def test_the_demo_has_a_case_handed_to_a_new_lead_who_is_in_its_team(app, client_request, signed_in, demo_loaded):
    summary = demo_loaded  # what the first `flask demo --json` printed
    agency_of = {u["email"]: u["agency"] for u in summary["users"]}
    handed = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "lead_changed")).all()
    assert len(handed) == 1
    case = next(a for a in summary["assessments"] if a["ref"] == handed[0].case_ref)
    assert case["lead_email"] == "jamie.clarke@northshire-earlyhelp.example.org"
    team = {m["email"]: m["agency"] for m in case["team"]}
    # The new lead and the school's old lead are both in the TAF, each with their agency.
    assert team[case["lead_email"]] == agency_of[case["lead_email"]]
    assert (
        team["sarah.okafor@northshire-primary.example.org"] == agency_of["sarah.okafor@northshire-primary.example.org"]
    )
    assert all(set(a) == {"ref", "state", "lead_email", "team"} for a in summary["assessments"])

    signed_in(db.session.scalar(sa.select(User).where(User.email == case["lead_email"])))
    page = client_request.get(f"/assessments/{case['ref']}")
    assert "handed the case to Jamie Clarke as lead professional" in page.text
    # Running the demo again hands nothing over twice.
    again = app.test_cli_runner().invoke(args=["demo", "--json"])
    assert json.loads(again.output) == summary
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "lead_changed")) == 1
