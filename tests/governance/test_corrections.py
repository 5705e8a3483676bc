"""Rectification: a correction records what a fact said before, who changed it, when and why, and the history is
shown beside the fact to the lead professional and managers."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.families import Child
from eha.models.governance import FactCorrection
from tests.pages import Page


def _child(case):
    return sorted(case.family.children, key=lambda c: c.date_of_birth)[0]


def _dob_form(case, child, day, month, year, reason="Birth certificate seen"):
    return {
        "version": str(case.family.version_id),
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": [day, month, year],
        "reason": reason,
    }


def test_a_corrected_date_of_birth_shows_its_history_beside_it(app, demo, as_user):
    case = demo.marsh[2]
    kai = _child(case)
    client = as_user(demo.lead)
    url = f"/assessments/{case.ref}/corrections/child/{kai.id}"
    assert Page(client.get(url)).h1 == "Correct Kai Marsh's details"
    response = client.post(url, data=_dob_form(case, kai, "15", "2", "2013", "Mum showed the birth certificate"))
    assert response.status_code == 302, Page(response).errors()
    db.session.expire_all()
    assert db.session.get(Child, kai.id).date_of_birth.isoformat() == "2013-02-15"
    page = Page(client.get(f"/assessments/{case.ref}/corrections"))
    assert "15 February 2013" in page.text
    assert "Was “14 February 2013”" in page.text and "Sarah Okafor" in page.text and "birth certificate" in page.text
    assert "2013-02-14" not in page.text
    history = Page(client.get(url))
    assert "14 February 2013" in history.text and "15 February 2013" in history.text
    assert "2013-02-14" not in history.text
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "fact_corrected").order_by(AuditEvent.seq.desc()).limit(1)
    )
    assert event.detail == {"record": "child", "record_id": kai.id, "fields": ["date_of_birth"]}


def test_a_carers_name_and_address_are_corrected_with_their_history(app, demo, as_user):
    case = demo.marsh[2]
    mother = next(c for c in case.family.carers if c.name == "Donna Marsh")
    client = as_user(demo.manager)
    url = f"/assessments/{case.ref}/corrections/carer/{mother.id}"
    data = {
        "version": str(case.family.version_id),
        "name": "Donna Marsh-Hale",
        "address": "9 New Street, Northtown",
        "phone": mother.phone,
        "email": "",
        "reason": "Married; moved house",
    }
    assert client.post(url, data=data).status_code == 302
    page = Page(client.get(f"/assessments/{case.ref}/corrections"))
    assert "Donna Marsh-Hale" in page.text and "Was “Donna Marsh”" in page.text
    assert "Was “4 Quarry Row, Northtown NT3 7QR”" in page.text


def test_bad_dates_and_stale_pages_keep_the_input_and_change_nothing(app, demo, as_user):
    case = demo.marsh[2]
    kai = _child(case)
    client = as_user(demo.lead)
    url = f"/assessments/{case.ref}/corrections/child/{kai.id}"
    page = Page(client.post(url, data=_dob_form(case, kai, "31", "2", "2013")))
    assert page.status_code == 200 and page.errors() and page.title.startswith("Error:")
    page = Page(client.post(url, data=_dob_form(case, kai, "1", "1", "2099")))
    assert page.status_code == 200 and page.errors()
    page = Page(client.post(url, data={**_dob_form(case, kai, "15", "2", "2013"), "reason": ""}))
    assert "Enter why this is being corrected" in page.errors()
    stale = {**_dob_form(case, kai, "15", "2", "2013"), "version": "0"}
    page = Page(client.post(url, data=stale))
    assert page.status_code == 409 and "Someone changed the family's details" in page.text
    assert page.select("input[name=date_of_birth]")[0].get("value") == "15"
    huge = {**_dob_form(case, kai, "15", "2", "2013"), "reason": "x" * 50000 + "\x00"}
    assert Page(client.post(url, data=huge)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Child, kai.id).date_of_birth.isoformat() == "2013-02-14"


def test_nothing_changed_is_refused_and_other_families_people_are_not_found(app, demo, as_user):
    case = demo.marsh[2]
    kai = _child(case)
    client = as_user(demo.lead)
    url = f"/assessments/{case.ref}/corrections/child/{kai.id}"
    assert client.post(url, data=_dob_form(case, kai, "14", "2", "2013")).status_code == 409
    other_child = demo.held.family.children[0]
    assert client.get(f"/assessments/{case.ref}/corrections/child/{other_child.id}").status_code == 404


def test_a_practitioner_who_is_not_the_lead_cannot_correct(app, demo, as_user):
    from eha.models.assessments import TafMember

    case = demo.marsh[2]
    db.session.add(TafMember(assessment_id=case.id, user_id=demo.nurse.id))
    case.consents[-1].agencies.append(demo.nurse.agency)
    db.session.commit()
    client = as_user(demo.nurse)
    assert client.get(f"/assessments/{case.ref}/corrections").status_code == 403


def test_the_demo_has_a_corrected_date_of_birth_with_its_history(app, demo, as_user):
    case = demo.marsh[2]
    page = Page(as_user(demo.lead).get(f"/assessments/{case.ref}/corrections"))
    assert "3 September 2017" in page.text
    assert "Was “9 March 2017”" in page.text and "Lily's red book" in page.text and "Sarah Okafor" in page.text


def _form_values(page, form_css="main form"):
    """What a browser would post from the page's form as it is filled in now."""
    form = page.select(form_css)[0]
    data = {}
    for field in form.xpath(".//input | .//textarea | .//select"):
        name, kind = field.get("name"), (field.get("type") or "").lower()
        if not name or kind == "submit" or (kind in ("radio", "checkbox") and field.get("checked") is None):
            continue
        value = field.text_content() if field.tag == "textarea" else field.get("value") or ""
        if field.tag == "select":
            chosen = field.xpath(".//option[@selected]")
            value = chosen[0].get("value") if chosen else ""
        data.setdefault(name, []).append(value)
    return {k: v if len(v) > 1 else v[0] for k, v in data.items()}


def test_edits_on_the_family_pages_write_the_same_history_as_a_correction(app, demo, as_user):
    case = demo.marsh[2]
    client = as_user(demo.lead)
    kai = _child(case)
    mother = next(c for c in case.family.carers if c.name == "Donna Marsh")
    base = f"/assessments/{case.ref}/family"
    edit = _form_values(Page(client.get(f"{base}/children/{kai.id}")))
    edit["date_of_birth"] = ["16", "2", "2013"]
    assert client.post(f"{base}/children/{kai.id}", data=edit).status_code == 302
    edit = _form_values(Page(client.get(f"{base}/carers/{mother.id}")))
    edit["phone"] = "07700 900987"
    assert client.post(f"{base}/carers/{mother.id}", data=edit).status_code == 302
    edit = _form_values(Page(client.get(f"{base}/edit")))
    edit["address"] = "9 Quarry Row, Northtown"
    assert client.post(f"{base}/edit", data=edit).status_code == 302
    page = Page(client.get(f"/assessments/{case.ref}/corrections"))
    assert "16 February 2013" in page.text and "Was “14 February 2013”" in page.text
    assert "Was “Not recorded”" in page.text  # the mother's phone, and the household's address, were empty
    rows = db.session.scalars(sa.select(FactCorrection).where(FactCorrection.assessment_id == case.id)).all()
    changed = {(r.record_kind, r.field) for r in rows if r.reason == "Changed on the family's details page"}
    assert changed == {("child", "date_of_birth"), ("carer", "phone"), ("family", "address")}
    assert page.text.count("Changed on the family's details page") == 3
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "family_updated").order_by(AuditEvent.seq)
    ).all()
    assert [e.detail.get("corrected") for e in events[-3:]] == [["date_of_birth"], ["phone"], ["address"]]
