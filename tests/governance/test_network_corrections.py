"""Rectification of a family network member's facts, the way a carer's are corrected: the page, the history beside
the fact, the family page's edits writing the same history, a stale edit refused with the input kept, the audit
trail holding ids and field names only, and disposal taking the corrections with the family."""

import io
import json
import zipfile

import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.families import NetworkMember
from eha.models.governance import FactCorrection, SubjectAccessRequest
from eha.services import retention
from tests import factories
from tests.governance.test_corrections import _form_values
from tests.governance.test_retention import _approve_on_the_page, cli
from tests.governance.test_subject_access import _lead_marks, _open_request, _person_key
from tests.pages import Page


def _ray(case):
    return next(m for m in case.family.network if m.name == "Ray Marsh")


def _form(case, member, **changes):
    data = {
        "version": str(case.family.version_id),
        "name": member.name,
        "relationship_to_family": member.relationship_to_family,
        "contact": member.contact or "",
        "support_offered": member.support_offered or "",
        "reason": "Ray rang to say his details were wrong",
    }
    return {**data, **changes}


def _last_event(action):
    return db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc()).limit(1)
    )


def test_a_network_members_facts_are_corrected_with_their_history_beside_them(app, demo, as_user):
    case = demo.marsh[2]
    ray = _ray(case)
    client = as_user(demo.lead)
    index = Page(client.get(f"/assessments/{case.ref}/corrections"))
    url = f"/assessments/{case.ref}/corrections/network/{ray.id}"
    assert url in [a.get("href") for a in index.select("a")]
    assert "Wider family network" in index.text and "Maternal grandfather" in index.text
    assert Page(client.get(url)).h1 == "Correct Ray Marsh's details"
    form = _form(case, ray, name="Raymond Marsh", contact="07700 900456, 2 Mill Lane, Northtown")
    response = client.post(url, data=form)
    assert response.status_code == 302, Page(response).errors()
    db.session.expire_all()
    saved = db.session.get(NetworkMember, ray.id)
    assert (saved.name, saved.contact) == ("Raymond Marsh", "07700 900456, 2 Mill Lane, Northtown")
    page = Page(client.get(f"/assessments/{case.ref}/corrections"))
    assert "Raymond Marsh" in page.text and "Was “Ray Marsh”" in page.text and "Was “Not recorded”" in page.text
    assert "Ray rang to say" in page.text and "Sarah Okafor" in page.text
    history = Page(client.get(url))
    assert "Ray Marsh" in history.text and "07700 900456" in history.text
    event = _last_event("fact_corrected")
    assert event.detail == {"record": "network", "record_id": ray.id, "fields": ["name", "contact"]}


def test_a_stale_or_bad_network_correction_keeps_the_input_and_changes_nothing(app, demo, as_user):
    case = demo.marsh[2]
    ray = _ray(case)
    client = as_user(demo.manager)
    url = f"/assessments/{case.ref}/corrections/network/{ray.id}"
    page = Page(client.post(url, data=_form(case, ray, name="Raymond Marsh", version="0")))
    assert page.status_code == 409 and "Someone changed the family's details" in page.text
    assert page.one("input[name=name]").get("value") == "Raymond Marsh"
    page = Page(client.post(url, data=_form(case, ray, name="")))
    assert page.status_code == 200 and "Enter the name" in page.errors()
    page = Page(client.post(url, data=_form(case, ray, support_offered="x" * 50000 + "\x00")))
    assert page.status_code == 200 and page.errors()
    assert client.post(url, data=_form(case, ray)).status_code == 409  # nothing changed
    other = NetworkMember(family_id=demo.held.family_id, name="Someone Else", relationship_to_family="Neighbour")
    db.session.add(other)
    db.session.commit()
    assert client.get(f"/assessments/{case.ref}/corrections/network/{other.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(NetworkMember, ray.id).name == "Ray Marsh"
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(FactCorrection).filter_by(record_kind="network")) == 0
    )


def test_a_network_member_changed_on_the_family_page_gets_the_same_history(app, demo, as_user):
    case = demo.marsh[2]
    ray = _ray(case)
    client = as_user(demo.lead)
    url = f"/assessments/{case.ref}/family/network/{ray.id}"
    edit = _form_values(Page(client.get(url)))
    edit["relationship_to_family"] = "Paternal grandfather"
    response = client.post(url, data=edit)
    assert response.status_code == 302, Page(response).errors()
    page = Page(client.get(f"/assessments/{case.ref}/corrections"))
    assert "Paternal grandfather" in page.text and "Was “Maternal grandfather”" in page.text
    assert "Changed on the family's details page" in page.text
    event = _last_event("family_updated")
    assert event.detail == {"part": "network", "corrected": ["relationship_to_family"]}
    # A page opened before that edit is stale: refused, with what was typed kept.
    edit["relationship_to_family"] = "Grandad"
    page = Page(client.post(url, data=edit))
    assert page.status_code == 409
    assert page.one("input[name=relationship_to_family]").get("value") == "Grandad"
    db.session.expire_all()
    assert db.session.get(NetworkMember, ray.id).relationship_to_family == "Paternal grandfather"


def test_disposal_takes_the_network_members_corrections_with_the_family(app, demo, as_user):
    case = demo.due
    member = NetworkMember(family_id=case.family_id, name="Eileen Whitfield", relationship_to_family="Grandmother")
    db.session.add(member)
    db.session.commit()
    manager = as_user(demo.manager)
    url = f"/assessments/{case.ref}/corrections/network/{member.id}"
    assert manager.post(url, data=_form(case, member, contact="01632 960111")).status_code == 302
    member_id, ref = member.id, case.ref
    # A correction linked to no case (the link is optional) still goes with the family.
    db.session.add(
        FactCorrection(
            record_kind="network",
            record_id=member_id,
            field="name",
            old_value="Eileen Whitfeld",
            new_value="Eileen Whitfield",
            reason="Spelling",
            corrected_by_id=demo.manager.id,
        )
    )
    db.session.commit()
    marsh = demo.marsh[2]
    kept = _ray(marsh)  # another family's correction stays
    kept_id = kept.id
    assert (
        manager.post(
            f"/assessments/{marsh.ref}/corrections/network/{kept.id}", data=_form(marsh, kept, contact="01632 960222")
        ).status_code
        == 302
    )
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(FactCorrection).filter_by(record_kind="network")) == 3
    )
    assert cli(app, "retention", "review").exit_code == 0
    assert _approve_on_the_page(manager, retention.batches()[0].id).status_code == 302
    assert f"{ref}: disposed of" in cli(app, "retention", "dispose").output
    db.session.expire_all()
    left = db.session.scalars(sa.select(FactCorrection).filter_by(record_kind="network")).all()
    assert [c.record_id for c in left] == [kept_id]
    assert db.session.get(NetworkMember, member_id) is None
    assert cli(app, "audit", "verify").exit_code == 0
    details = " ".join(str(e.detail) for e in db.session.scalars(sa.select(AuditEvent)))
    assert "Eileen" not in details and "01632" not in details


def test_a_withheld_network_members_corrections_are_withheld_from_a_subject_access_export(app, demo, as_user):
    case = demo.marsh[2]
    ray = _ray(case)
    manager = as_user(demo.manager)
    form = _form(case, ray, name="Raymond Marsh", contact="07700 900777, 2 Mill Lane")
    assert manager.post(f"/assessments/{case.ref}/corrections/network/{ray.id}", data=form).status_code == 302
    key, _page = _person_key(manager, "donna")
    assert _open_request(manager, key).status_code == 302
    sar = db.session.scalar(sa.select(SubjectAccessRequest))
    lead = app.test_client()
    factories.sign_in(lead, demo.lead)
    # The lead marks him as he is named now; what his facts said before is his personal data too.
    _lead_marks(lead, case, ["Raymond Marsh"])
    db.session.expire_all()
    decision = {"version": str(sar.version_id), "decision": "approve"}
    assert manager.post(f"/subject-access/{sar.id}/review", data=decision).status_code == 302
    response = manager.post(f"/subject-access/{sar.id}/export")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    text = json.dumps(json.loads(archive.read(f"SAR-{sar.id:06d}.json")), ensure_ascii=False)
    assert "Donna Marsh" in text and "Withheld" in text
    assert "Raymond" not in text and "07700 900777" not in text and "Mill Lane" not in text
    assert "Ray rang" not in text and "Ray Marsh" not in text
