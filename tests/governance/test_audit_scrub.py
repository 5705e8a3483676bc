"""The audit trail holds ids and codes, never the family's personal data: the demo's journeys (assessments,
agreements, meetings, plans, signatures, reviews, closure, a change of lead) and the pages driven here (progress
on an action, a duty-to-share grant, a legal hold, a correction, a subject access request) leave no name,
contact detail, free text or typed value of the family in any event's detail. Staff are named only as the
people who acted (the trail's "who")."""

import json
import re
from datetime import date

import lxml.html
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Assessment, CasePerson, ClosureReturn, Consent, SectionAnswer
from eha.models.audit import AuditEvent
from eha.models.families import Carer, Child, Family, NetworkMember
from eha.models.governance import FactCorrection, LegalHold
from eha.models.meetings import Meeting
from eha.models.plans import PlanAction, PlanVersion
from eha.models.users import Agency, User
from tests import factories

SECRET_PROGRESS = "Zanzibar tutoring went well on Tuesday"
SECRET_GRANT = "Quokka strategy discussion with police"
SECRET_HOLD = "Ombudsman complaint from the Marsh family"
SECRET_CORRECTION = "Birth certificate shown by Donna"
SECRET_CANCEL = "Mum is in hospital with pneumonia"
SECRET_REMOVAL = "Priya moved to the Wexcombe patch"
CODE = re.compile(r"[a-z0-9_-]+")  # the form definition's codes ("sf-relationships") are not anyone's data


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _personal_values():
    values = set()
    for child in db.session.scalars(sa.select(Child)):
        values |= {child.first_name, child.last_name, child.name, child.date_of_birth.isoformat()}
        values |= {child.nhs_number or "", child.school or ""}
    for row in db.session.scalars(sa.select(Carer)):
        values |= {row.name, row.phone or "", row.email or "", row.address or ""}
    for row in db.session.scalars(sa.select(NetworkMember)):
        values |= {row.name, row.contact or "", row.support_offered or ""}
    for row in db.session.scalars(sa.select(CasePerson)):
        values |= {row.name, row.email or "", row.phone or ""}
    for row in db.session.scalars(sa.select(Family)):
        values |= {row.name, row.address or "", row.postcode or ""}
    for row in db.session.scalars(sa.select(SectionAnswer)):
        values |= {text for text in _strings(row.answers) if len(text) >= 15}
    for row in db.session.scalars(sa.select(Assessment)):
        values |= {row.closure_notes or "", row.step_up_reason or "", row.step_up_team or ""}
    values |= {a.what for a in db.session.scalars(sa.select(PlanAction))}
    values |= {m.notes or "" for m in db.session.scalars(sa.select(Meeting))}
    values |= {c.withheld or "" for c in db.session.scalars(sa.select(Consent))}
    values |= {c.given_by_name for c in db.session.scalars(sa.select(Consent))}
    values |= {h.reason for h in db.session.scalars(sa.select(LegalHold))}
    values |= {f.reason for f in db.session.scalars(sa.select(FactCorrection))}
    values |= {r.why for r in db.session.scalars(sa.select(ClosureReturn))}
    values |= {SECRET_PROGRESS, SECRET_GRANT, SECRET_HOLD, SECRET_CORRECTION, SECRET_CANCEL, SECRET_REMOVAL}
    staff = " ".join(u.name for u in db.session.scalars(sa.select(User)))
    # Staff are named as the people who acted; a value that is only part of a staff name is not the family's.
    return {v for v in values if len(v) >= 4 and v not in staff and not CODE.fullmatch(v)}


def _drive_the_pages(client, users, cases):
    lead = users["sarah.okafor@northshire-primary.example.org"]
    manager = users["helen.brooks@northshire-earlyhelp.example.org"]
    factories.sign_in(client, lead)
    case = next(c for c in cases if c.state == "plan_active")
    version = db.session.scalars(sa.select(PlanVersion).filter_by(assessment_id=case.id, status="signed")).first()
    action = version.actions[0]
    url = f"/assessments/{case.ref}/plan/actions/{action.key}/progress"
    data = {"progress": "on_track", "comment": SECRET_PROGRESS, "version": str(action.version_id)}
    assert client.post(url, data=data).status_code == 302
    scheduled = db.session.scalar(
        sa.select(Meeting).where(Meeting.status == "scheduled", Meeting.assessment_id.in_([c.id for c in cases]))
    )
    on = db.session.get(Assessment, scheduled.assessment_id)
    cancel = {"reason": SECRET_CANCEL, "version": str(scheduled.version_id)}
    assert client.post(f"/assessments/{on.ref}/meetings/{scheduled.id}/cancel", data=cancel).status_code == 302
    nurse = users["priya.shah@northshire-health.example.org"]
    removal = {"reason": SECRET_REMOVAL}
    assert client.post(f"/assessments/{case.ref}/team/{nurse.id}/remove", data=removal).status_code == 302
    marsh = [c for c in cases if c.family.name == "Marsh"]
    kai = sorted(marsh[2].family.children, key=lambda c: c.date_of_birth)[0]
    correction = {
        "version": str(marsh[2].family.version_id),
        "first_name": "Kai",
        "last_name": "Marsh",
        "date_of_birth": ["15", "2", "2013"],
        "reason": SECRET_CORRECTION,
    }
    assert client.post(f"/assessments/{marsh[2].ref}/corrections/child/{kai.id}", data=correction).status_code == 302
    factories.sign_in(client, manager)
    grant = {
        "user": str(users["mark.evans@northshire-police.example.org"].id),
        "reason": SECRET_GRANT,
        "ends_on": ["1", "12", "2026"],
    }
    client.post(f"/assessments/{case.ref}/access", data=grant)
    assert (
        client.post(f"/assessments/{marsh[0].ref}/hold", data={"on": "family", "reason": SECRET_HOLD}).status_code
        == 302
    )
    mother = next(c for c in marsh[0].family.carers if c.name == "Donna Marsh")
    assert client.get("/subject-access", query_string={"q": "Donna Marsh"}).status_code == 200
    assert (
        client.post(
            "/subject-access/new", data={"person": f"carer-{mother.id}", "received_on": ["1", "11", "2026"]}
        ).status_code
        == 302
    )


def test_no_personal_value_of_a_family_appears_in_any_audit_detail(app, client, demo_loaded):
    summary = demo_loaded
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    refs = [a["ref"] for a in summary["assessments"]]
    cases = db.session.scalars(sa.select(Assessment).where(Assessment.ref.in_(refs))).all()
    _drive_the_pages(client, users, cases)
    values = _personal_values()
    assert SECRET_PROGRESS in values and "Donna Marsh" in values
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.detail.is_not(None))).all()
    assert len(events) > 40, len(events)
    leaks = []
    for event in events:
        text = json.dumps(event.detail, ensure_ascii=False)
        leaks += [(event.action, value) for value in values if value in text]
    assert not leaks, leaks[:20]


def _staff_values():
    """What the trail must not copy about staff: names, emails, phones, job titles and agency names (the event's
    own "who" columns name the person who acted; the detail holds ids and roles)."""
    values = set()
    for user in db.session.scalars(sa.select(User)):
        values |= {user.name, user.email, user.phone or "", user.job_title or ""}
    values |= {agency.name for agency in db.session.scalars(sa.select(Agency))}
    return {v for v in values if len(v) >= 4}


def test_no_staff_name_email_or_agency_name_appears_in_any_audit_detail(app, client, demo_loaded):
    summary = demo_loaded
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    refs = [a["ref"] for a in summary["assessments"]]
    cases = db.session.scalars(sa.select(Assessment).where(Assessment.ref.in_(refs))).all()
    lead = users["sarah.okafor@northshire-primary.example.org"]
    nurse = users["priya.shah@northshire-health.example.org"]
    factories.sign_in(client, lead)
    case = next(c for c in cases if c.state == "plan_active" and c.lead_id == lead.id)
    assert client.post(f"/assessments/{case.ref}/team/{nurse.id}/remove", data={"reason": "Moved"}).status_code == 302
    page = lxml.html.fromstring(client.get(f"/assessments/{case.ref}/lead").get_data(as_text=True))
    version = page.cssselect("input[name=version]")[0].get("value")
    new_lead = page.cssselect("input[name=new_lead]")[0].get("value")
    today = date.today()
    handover = {
        "version": version,
        "new_lead": new_lead,
        "keep_old": "yes",
        "reason": "Moving school",
        "handed_over_on": [str(today.day), str(today.month), str(today.year)],
    }
    assert client.post(f"/assessments/{case.ref}/lead", data=handover).status_code == 302
    admin = next(u for u in users.values() if u.role == "admin")
    factories.sign_in(client, admin)
    new_user = {
        "email": "quentin.quill@northshire-health.example.org",
        "name": "Quentin Quill",
        "role": "practitioner",
        "agency": str(nurse.agency_id),
        "job_title": "Family support worker",
        "phone": "01632 960 123",
    }
    assert client.post("/admin/users/new", data=new_user).status_code == 302
    quentin = db.session.scalar(sa.select(User).where(User.name == "Quentin Quill"))
    changed = {
        **new_user,
        "name": "Quentin Quilliam",
        "job_title": "Senior family worker",
        "agency": str(lead.agency_id),
    }
    assert client.post(f"/admin/users/{quentin.id}", data=changed).status_code == 302
    assert client.post("/admin/agencies", data={"name": "Wexcombe Food Bank", "kind": "voluntary"}).status_code == 302
    food_bank = db.session.scalar(sa.select(Agency).where(Agency.name == "Wexcombe Food Bank"))
    renamed = {"name": "Wexcombe Community Pantry", "kind": "voluntary", "active": "yes"}
    assert client.post(f"/admin/agencies/{food_bank.id}", data=renamed).status_code == 302
    values = _staff_values() | {"Quentin Quill", "Wexcombe Food Bank", "01632 960 123"}
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.detail.is_not(None))).all()
    changes = [e.detail.get("change") for e in events if e.action == "admin_change"]
    assert {"user created", "user updated", "agency created", "agency updated"} <= set(changes)
    assert {"lead_changed", "taf_member_removed"} <= {e.action for e in events}
    leaks = []
    for event in events:
        text = json.dumps(event.detail, ensure_ascii=False)
        leaks += [(event.action, value) for value in values if value in text]
    assert not leaks, leaks[:20]
