"""The reasons users type for a lead handover and a TAF removal are kept in the case's own tables (the audit trail
records only that a reason was given) and shown where a practitioner looks: the lead page lists the previous lead
professionals, the team page who has left the team, each with the date and the reason."""

import json
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.formatting import format_date
from eha.models.assessments import LeadChange, TafMember
from eha.models.audit import AuditEvent
from eha.services import retention, subject_access
from tests import factories
from tests.plans import helpers
from tests.plans.meeting_people import record_data, taf_case_with_grandmother
from tests.plans.test_access import count_queries


@pytest.fixture
def hana(app, health):
    return factories.user(role="practitioner", agency=health, name="Hana Health")


@pytest.fixture
def case(app, lead, health):
    return helpers.assessed_case(lead, [health])


def _lead_url(case):
    return f"/assessments/{case.ref}/lead"


def _hand_over(client_request, case, to, reason, *, keep_old="yes"):
    """Open the lead page, choose ``to`` on it and post the form as the page does."""
    page = client_request.get(_lead_url(case))
    assert str(to.id) in {i.get("value") for i in page.select("input[name=new_lead]")}
    today = date.today()
    data = {
        "version": page.one("input[name=version]").get("value"),
        "new_lead": str(to.id),
        "keep_old": keep_old,
        "reason": reason,
        "handed_over_on": [str(today.day), str(today.month), str(today.year)],
    }
    client_request.post(_lead_url(case), data=data)


def _remove(client_request, case, user, reason):
    """Follow the team page's Remove link and post its form."""
    team = client_request.get(f"/assessments/{case.ref}/team")
    link = team.one(f"a[href$='remove={user.id}']").get("href")
    page = client_request.get(link)
    [action] = [f.get("action") for f in page.select("form[method=post]") if f.get("action").endswith("/remove")]
    token = page.one("input[name=csrf_token]").get("value") if page.select("input[name=csrf_token]") else None
    data = {"reason": reason} | ({"csrf_token": token} if token else {})
    client_request.post(action, data=data)


def _rows(page, table):
    return [
        [" ".join(td.text_content().split()) for td in tr.cssselect("td")] for tr in page.select(f"#{table} tbody tr")
    ]


def _no_reason_in_the_audit_trail(case, *reasons):
    db.session.expire_all()
    details = [json.dumps(e.detail) for e in db.session.scalars(sa.select(AuditEvent)).all()]
    for reason in reasons:
        assert not any(reason in d for d in details)


def test_the_lead_page_lists_previous_leads_with_the_reason_kept_whole(
    client_request, signed_in, case, lead, nurse, hana, manager
):
    long_reason = ("Nia has known the family since the twins were born. " * 40)[:2000]
    assert len(long_reason) == 2000
    signed_in(lead)
    page = client_request.get(_lead_url(case))
    assert "Previous lead professionals" not in page.text
    _hand_over(client_request, case, nurse, long_reason, keep_old="no")
    signed_in(manager)
    _hand_over(client_request, case, hana, "Nia is on long-term leave.")

    page = client_request.get(_lead_url(case))
    assert "Previous lead professionals" in page.words("h2")
    today = format_date(date.today())
    newest, oldest = _rows(page, "lead-changes")
    assert newest[:3] == [today, "Nia Nurse to Hana Health", "Nia is on long-term leave."]
    assert newest[3].startswith(manager.name)
    assert oldest[0] == today and oldest[1].startswith("Lena Lead to Nia Nurse")
    assert oldest[1].endswith("Lena Lead left the Team Around the Family")
    assert oldest[2] == " ".join(long_reason.split())  # all 2,000 characters, on the page
    assert oldest[3].startswith("Lena Lead")
    stored = db.session.scalars(sa.select(LeadChange.reason).order_by(LeadChange.id)).all()
    assert stored == [long_reason, "Nia is on long-term leave."]
    _no_reason_in_the_audit_trail(case, long_reason[:40], "long-term leave")


def test_a_removed_members_reason_is_kept_and_shown_on_the_team_page(
    client_request, signed_in, lead, nurse, hana, health
):
    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.member(case, nurse)
    helpers.member(case, hana)
    signed_in(lead)
    long_reason = ("Moved to the county's other patch from January. " * 30)[:1000]  # the form's limit
    _remove(client_request, case, nurse, long_reason)
    team = client_request.get(f"/assessments/{case.ref}/team")
    assert "Who has left the team" in team.words("h2")
    [left] = _rows(team, "removed-members")
    assert left == ["Nia Nurse", format_date(date.today()), " ".join(long_reason.split()), "Lena Lead"]
    member = db.session.scalar(sa.select(TafMember).filter_by(assessment_id=case.id, user_id=nurse.id))
    assert member.removed_reason == long_reason and member.removed_by_id == lead.id
    _no_reason_in_the_audit_trail(case, long_reason[:40])
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "taf_member_removed")).all()
    assert event.detail["reason_given"] is True
    # A team member who may see the team sees why; Hana is still on it and not listed as having left.
    signed_in(hana)
    team = client_request.get(f"/assessments/{case.ref}/team")
    assert [r[0] for r in _rows(team, "removed-members")] == ["Nia Nurse"]
    assert long_reason[:40] in team.text


def test_a_lead_agreed_at_a_meeting_is_listed_with_the_meetings_reason(client_request, signed_in, lead, nurse, health):
    case, meeting, _gran = taf_case_with_grandmother(client_request, signed_in, lead, nurse, health)
    client_request.post(
        f"/assessments/{case.ref}/meetings/{meeting.id}/record", data=record_data(meeting, lead_agreed=str(nurse.id))
    )
    signed_in(nurse)
    page = client_request.get(_lead_url(case))
    [row] = _rows(page, "lead-changes")
    held = format_date(meeting.scheduled_for.date())
    assert row[1] == "Lena Lead to Nia Nurse"
    assert row[2].startswith("Agreed at the ") and row[2].endswith(f"on {held}")


def test_the_lead_and_team_pages_make_the_same_number_of_queries_for_2_or_5_rows(
    app, client, client_request, signed_in, lead, health, manager
):
    counts = {}
    for handovers in (2, 5):
        case = helpers.assessed_case(lead, [health], name=f"The {handovers} family")
        leads = [
            factories.user(role="practitioner", agency=health, name=f"Lead {handovers}-{i}") for i in range(handovers)
        ]
        signed_in(manager)
        for i, to in enumerate(leads):  # each new lead takes over and the one before leaves the team
            _hand_over(client_request, case, to, f"Handover {i}", keep_old="no")
        db.session.expire_all()
        lead_page = client_request.get(_lead_url(case))
        assert len(_rows(lead_page, "lead-changes")) == handovers
        team = client_request.get(f"/assessments/{case.ref}/team")
        assert len(_rows(team, "removed-members")) == handovers - 1
        counts[handovers] = (
            count_queries(app, client, _lead_url(case)),
            count_queries(app, client, f"/assessments/{case.ref}/team"),
        )
    assert counts[2] == counts[5]


def test_disposing_of_a_case_leaves_no_lead_change_rows(client_request, signed_in, lead, nurse, health, manager):
    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.member(case, nurse)
    signed_in(lead)
    _hand_over(client_request, case, nurse, "Nia knows the family best.", keep_old="no")
    case_id = case.id
    db.session.execute(
        sa.update(type(case)).where(type(case).id == case_id).values(state="closed", closed_at=datetime.now())
    )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LeadChange).filter_by(assessment_id=case_id)) == 1
    batch = retention.create_batch(by=manager, today=date.today() + timedelta(days=365 * 40))
    assert [i.assessment_id for i in batch.items] == [case_id]
    retention.decide_batch(batch, manager, approve=True, expected_version=batch.version_id)
    db.session.commit()
    assert retention.dispose_approved() == (1, 0)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LeadChange).filter_by(assessment_id=case_id)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TafMember).filter_by(assessment_id=case_id)) == 0


def test_a_subject_access_export_holds_the_kept_reasons_like_the_cases_other_text(
    client_request, signed_in, lead, nurse, hana, health, manager
):
    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.member(case, hana)
    signed_in(lead)
    _hand_over(client_request, case, nurse, "Nia knows the family best.")
    signed_in(nurse)
    _remove(client_request, case, hana, "Hana moved to another patch.")
    db.session.expire_all()
    child = helpers.reload(case).subjects[0].child
    sar = subject_access.open_request(manager, "child", child.id, date.today())
    [exported] = [c for c in subject_access.export_data(sar)["cases"] if c["ref"] == case.ref]
    assert [r["reason"] for r in exported["records"]["lead_changes"]] == ["Nia knows the family best."]
    removed = [r for r in exported["records"]["taf_members"] if r.get("removed_reason")]
    assert [r["removed_reason"] for r in removed] == ["Hana moved to another patch."]
