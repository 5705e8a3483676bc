"""A Welsh user's case, from starting it to closing it through the pages (issue 18): the timeline reads every
sentence in Welsh (composed when shown from each event's action and detail, dates in Welsh), the workflow's
refusals are Welsh on the page, while the audit trail and the API stay English; the same steps in English read
as before."""

import html
from datetime import date, timedelta

import lxml.html
import pytest
import sqlalchemy as sa

from eha.definitions.store import definition_for
from eha.demo.cases import answers_for
from eha.extensions import db
from eha.formatting import MONTHS
from eha.models.assessments import Assessment
from eha.models.audit import AuditEvent
from eha.models.meetings import Meeting
from eha.models.plans import PlanAction
from tests import factories
from tests.api.helpers import bearer, token_for
from tests.assessments.test_start import NEW_FAMILY as STARTED_FAMILY
from tests.foundation.welsh_walk import english_on
from tests.plans import helpers
from tests.plans.test_cycle import hold_meeting, latest, parts, review_data, schedule, signed_actions

NEW_FAMILY = {**STARTED_FAMILY, "child_nhs_number": ""}
NEEDS = ["sf-education", "sf-health"]
SERVICE_NAME = {"Early help"}  # the header's service name is configuration (EHA_SERVICE_NAME), as the walk allows


# school, health, lead and nurse: tests/plans/conftest.py


@pytest.fixture
def manager(app):
    early_help = factories.agency(name="Early Help Service", kind="early_help")
    return factories.user(role="manager", agency=early_help, name="Helen Brooks")


def words(response):
    return html.unescape(response.get_data(as_text=True))


def timeline_html(response):
    """The "What has happened" list of the case page, as HTML."""
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    found = tree.xpath("//ol[contains(@class, 'app-timeline')]")
    assert found, "the case page has no timeline"
    return lxml.html.tostring(found[0], encoding="unicode")


def timeline_entries(response):
    tree = lxml.html.fromstring(timeline_html(response))
    return [" ".join(li.text_content().split()) for li in tree.xpath("//li")]


def whole_timeline(client, case):
    """Every page of the case page's timeline (20 to a page, newest first): ``(entries, [timeline HTML])``."""
    entries, pieces = [], []
    for number in range(1, 10):
        page = client.get(f"/assessments/{case.ref}?page={number}")
        found = timeline_entries(page)
        if page.status_code != 200 or not found or found[0] in entries:
            break
        entries += found
        pieces.append(timeline_html(page))
        if f"page={number + 1}" not in page.get_data(as_text=True):
            break
    return entries, pieces


def flashed_errors(response):
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    return [" ".join(a.text_content().split()) for a in tree.xpath("//div[contains(@class,'govuk-error-summary')]//li")]


def start(client):
    """Start an assessment for a new family the way a practitioner does: find, safety, the family's details."""
    client.post("/assessments/new", data={"last_name": "Kowalski"})
    client.post("/assessments/new/continue", data={"family": "new"})
    client.post("/assessments/new/safety", data={"at_risk": "no"})
    response = client.post("/assessments/new/family", data=NEW_FAMILY)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalar(sa.select(Assessment).order_by(Assessment.id.desc()))


def _form_value(value):
    if isinstance(value, list):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        day = date.fromisoformat(value)
        return parts(day)
    return value


def answer_every_section(client, case):
    """Answer every section's required questions on its page (each child's sections for the child)."""
    definition = definition_for(case)
    values = answers_for(definition, needs=NEEDS)
    child = case.children[0]
    for section in definition.sections:
        answers = values.get(section.key)
        if not answers:
            continue
        url = f"/assessments/{case.ref}/sections/{section.key}"
        if section.each_child:
            url += f"/children/{child.id}"
        data = {"version": "0", "action": "complete", **{k: _form_value(v) for k, v in answers.items()}}
        response = client.post(url, data=data)
        assert response.status_code == 302, (section.key, response.get_data(as_text=True)[:3000])


def record_agreement(client, case, agencies):
    carer = case.family.carers[0]
    today = date.today()
    response = client.post(
        f"/assessments/{case.ref}/consent",
        data={
            "given_by": f"carer:{carer.id}",
            "given_on": [str(today.day), str(today.month), str(today.year)],
            "withheld": "",
            "legal_basis": case.legal_basis,
            "marker": "0",
            "agencies": [str(a.id) for a in agencies],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def the_journey(client, signed_in, case, lead, nurse, manager, health, language=None):
    """Every step after the start, through the pages: the family's agreement, every section, complete, schedule
    the TAF, record it, the plan and its signatures, agree it, a review scheduled and recorded, the closure asked
    for, sent back by a manager, asked for again and signed off."""
    carer = case.family.carers[0]
    record_agreement(client, case, [lead.agency, health])
    answer_every_section(client, case)
    assert client.post(f"/assessments/{case.ref}/transitions/complete_assessment").status_code == 302
    assert helpers.reload(case).state == "assessed"

    assert schedule(client, case, "taf", invite=[nurse], family=[f"carer:{carer.id}"]).status_code == 302
    hold_meeting(client, case, latest(Meeting, case))

    due = parts(date.today() + timedelta(days=20))
    response = client.post(
        f"/assessments/{case.ref}/plan/actions/new",
        data={
            "need": "sf-health",
            "what": "See the school nurse",
            "owner": f"user:{nurse.id}",
            "due_on": due,
            "success": "Łukasz sleeps better",
        },
    )
    assert response.status_code == 302
    for signer in (f"lead:{lead.id}", f"carer:{carer.id}"):
        assert helpers.sign(client, case, signer).status_code == 302
    assert client.post(f"/assessments/{case.ref}/transitions/agree_plan").status_code == 302
    assert helpers.reload(case).state == "plan_active"

    assert schedule(client, case, "review", invite=[nurse]).status_code == 302
    meeting = latest(Meeting, case)
    actions = signed_actions(case)
    response = client.post(f"/assessments/{case.ref}/reviews/new", data=review_data(meeting, actions))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert helpers.reload(case).state == "plan_active"

    outcomes = {f"outcome_{code.replace('-', '_')}": "met" for code in NEEDS}
    closing = {"reason": "outcomes_met", "notes": "", "checked_not_done": "yes", **outcomes}
    response = client.post(f"/assessments/{case.ref}/close", data=closing)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    signed_in(manager)
    if language:
        client.get(f"/?lang={language}")
    assert client.post(f"/assessments/{case.ref}/close/reject", data={"reason": "Dim eto"}).status_code == 302
    signed_in(lead)
    assert client.post(f"/assessments/{case.ref}/close", data=closing).status_code == 302
    signed_in(manager)
    assert client.post(f"/assessments/{case.ref}/close/approve").status_code == 302
    assert helpers.reload(case).state == "closed"
    signed_in(lead)


def test_a_welsh_users_case_timeline_reads_welsh_from_start_to_close(client, signed_in, lead, nurse, manager, health):
    signed_in(lead)
    client.get("/?lang=cy")  # chosen once, remembered on the account
    case = start(client)

    # A guard refusal on the page, in Welsh: completing with no agreement and required questions unanswered.
    response = client.post(f"/assessments/{case.ref}/transitions/complete_assessment", follow_redirects=True)
    errors = flashed_errors(response)
    assert "Cofnodwch gytundeb y teulu cyn cwblhau’r asesiad" in errors
    assert any(e.startswith("Cwblhewch yr adran '") and "' wedi’i ateb" in e for e in errors), errors
    left = set(english_on(response.get_data(as_text=True))) - SERVICE_NAME
    assert not left, left
    assert helpers.reload(case).state == "draft"
    # The audit trail keeps the refusal in English.
    refused = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.assessment_id == case.id, AuditEvent.outcome != "success")
    ).all()
    reasons = [r for e in refused for r in (e.detail or {}).get("reasons", [])]
    assert "Record the family's agreement before completing the assessment" in reasons

    the_journey(client, signed_in, case, lead, nurse, manager, health, language="cy")

    entries, pieces = whole_timeline(client, case)
    found = [english for piece in pieces for english in english_on(piece)]
    assert not found, found
    assert len(pieces) > 1  # more than one page of it
    text = "\n".join(entries)
    for welsh in (
        "wedi dechrau’r asesiad",
        "wedi cofnodi cytundeb y teulu",
        "wedi cadw’r adran '",
        "wedi cwblhau’r asesiad",
        "wedi trefnu cyfarfod tîm o amgylch y teulu ar gyfer ",
        "wedi trefnu’r cyfarfod TAF",
        "wedi cofnodi’r cyfarfod tîm o amgylch y teulu a gynhaliwyd ar ",
        "wedi ychwanegu cam gweithredu",
        "wedi cofnodi llofnod ar fersiwn 1 o’r cynllun",
        "wedi cofnodi llofnod ar fersiwn 1 o’r cynllun; mae’r cynllun wedi’i lofnodi",
        "wedi cytuno ar y cynllun",
        "wedi trefnu cyfarfod adolygu",
        "wedi cofnodi’r adolygiad a gynhaliwyd ar ",
        "wedi cofnodi’r adolygiad",
        "wedi gofyn i reolwr gymeradwyo cau’r achos (canlyniadau wedi’u cyflawni)",
        "heb gymeradwyo cau’r achos: Dim eto",
        "wedi cymeradwyo’r cais i gau ac wedi cau’r achos (canlyniadau wedi’u cyflawni)",
    ):
        assert welsh in text, (welsh, entries)
    # Dates in the sentences and under them are Welsh: the month's Welsh name and "am" before a Welsh time.
    months = (
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    )
    tomorrow = date.today() + timedelta(days=1)
    assert f"ar gyfer {tomorrow.day} {months[tomorrow.month - 1]} {tomorrow.year} am 10yb" in text, entries
    assert " at " not in text and "am" in text

    # The stored events keep their English sentences for the audit trail, and gained the parameters.
    scheduled = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.assessment_id == case.id, AuditEvent.action == "meeting_scheduled")
    ).first()
    assert scheduled.detail["text"].startswith("Scheduled a team around the family meeting for ")
    assert scheduled.detail["when"] == f"{tomorrow.isoformat()}T10:00:00"

    # A refusal from the engine on the closed case is Welsh too, and its stored copy English.
    response = client.post(f"/assessments/{case.ref}/transitions/agree_plan")
    assert response.status_code == 409
    shown = words(response)
    assert "Mae’r achos hwn ar gau: nid yw’n bosibl cytuno ar y cynllun." in shown
    refusal = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.assessment_id == case.id, AuditEvent.outcome == "refused")
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert refusal.detail["reason"] == "This case is closed: you cannot agree the plan."

    # The API answers the Welsh nurse in English, with ?lang=cy or without.
    db.session.get(type(nurse), nurse.id).language = "cy"
    db.session.commit()
    token = token_for(client.application, nurse)
    action = db.session.scalar(sa.select(PlanAction).where(PlanAction.owner_user_id == nurse.id))
    url = f"/api/v1/cases/{case.ref}/actions/{action.key}/progress?lang=cy"
    answered = client.application.test_client().post(
        url, json={"version": action.version_id, "progress": "done"}, headers=bearer(token)
    )
    assert answered.status_code == 409
    assert answered.json["message"] == "This case is closed: progress can no longer be recorded"


def test_the_same_steps_in_english_read_as_before(client, signed_in, lead, nurse, manager, health):
    signed_in(lead)
    case = start(client)
    response = client.post(f"/assessments/{case.ref}/transitions/complete_assessment", follow_redirects=True)
    errors = flashed_errors(response)
    assert "Record the family's agreement before completing the assessment" in errors
    assert any(e.startswith("Complete the section '") and "' is not answered" in e for e in errors), errors

    the_journey(client, signed_in, case, lead, nurse, manager, health)

    text = "\n".join(whole_timeline(client, case)[0])
    tomorrow = date.today() + timedelta(days=1)
    for english in (
        "started the assessment",
        "recorded the family's agreement",
        "completed the assessment",
        f"scheduled a team around the family meeting for {tomorrow.day} {MONTHS[tomorrow.month - 1]} "
        f"{tomorrow.year} at 10am",
        "scheduled the TAF meeting",
        "recorded the team around the family meeting held on ",
        "added an action",
        "recorded a signature on version 1 of the plan; the plan is signed",
        "agreed the plan",
        "recorded the review held on ",
        ": continue with the plan",
        "asked a manager to sign off closing the case (outcomes met)",
        "did not sign off closing the case: Dim eto",
        "signed off the closure and closed the case (outcomes met)",
    ):
        assert english in text, (english, text)
    response = client.post(f"/assessments/{case.ref}/transitions/agree_plan")
    assert response.status_code == 409
    assert "This case is closed: you cannot agree the plan." in words(response)


def test_an_event_written_before_its_parameters_were_kept_shows_its_stored_english(client, signed_in, lead):
    """Stored events are never rewritten (the chain's hashes cover them): one from before this change, with only
    its English sentence, is shown as written, in a Welsh page as in an English one."""
    from eha import audit
    from eha.transaction import committing

    signed_in(lead)
    case = start(client)
    with committing():
        audit.record(
            "meeting_scheduled",
            assessment=case,
            user=lead,
            detail={"meeting": 1, "kind": "taf", "text": "Scheduled a team around the family meeting for 3 May 2026"},
        )
    welsh = "\n".join(timeline_entries(client.get(f"/assessments/{case.ref}?lang=cy")))
    assert "scheduled a team around the family meeting for 3 May 2026" in welsh
    assert "wedi dechrau’r asesiad" in welsh
