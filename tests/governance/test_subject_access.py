"""Subject access: a manager finds a mother, opens the request (received date, one-month due date), redacts the
third parties, has the redactions reviewed, and downloads a ZIP whose PDF and JSON cover her three cases."""

import io
import json
import zipfile
from datetime import date

import sqlalchemy as sa
from pypdf import PdfReader

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.governance import SubjectAccessRequest
from eha.services.subject_access import one_calendar_month_after
from tests import factories
from tests.pages import Page


def _open_request(client, person_key, received=("3", "11", "2026")):
    return client.post("/subject-access/new", data={"person": person_key, "received_on": list(received)})


def _person_key(client, name):
    page = Page(client.get("/subject-access", query_string={"q": name}))
    link = next(a for a in page.select("a") if a.get("href", "").startswith("/subject-access/new"))
    return link.get("href").split("person=")[1], page


def _withhold_form(page, name, exemption="third_party", reason="Her ex-partner: no consent to share"):
    """The withhold form of the (one) request on a case's subject access page, with ``name`` chosen."""
    [radio] = [r for r in page.select("input[name=person]") if r.getparent().text_content().strip().startswith(name)]
    version = page.one("form[action$='/withhold'] input[name=version]").get("value")
    return {"version": version, "person": radio.get("value"), "exemption": exemption, "reason": reason}


def _lead_marks(lead_client, case, names):
    url = f"/assessments/{case.ref}/subject-access"
    assert url in [a.get("href") for a in Page(lead_client.get(f"/assessments/{case.ref}")).select("a")]
    for name in names:
        page = Page(lead_client.get(url))
        assert page.h1 == "Subject access: what to withhold"
        form = _withhold_form(page, name)
        action = page.one("form[action$='/withhold']").get("action")
        assert lead_client.post(action, data=form).status_code == 302
    page = Page(lead_client.get(url))
    send = page.one("form[action$='/send']")
    version = send.xpath(".//input[@name='version']")[0].get("value")
    assert lead_client.post(send.get("action"), data={"version": version}).status_code == 302
    return page


def _whole_request(client, demo, lead_client):
    key, page = _person_key(client, "donna")
    assert "Donna Marsh" in page.text and all(c.ref in page.text for c in demo.marsh)
    response = _open_request(client, key)
    assert response.status_code == 302, Page(response).errors()
    sar = db.session.scalar(sa.select(SubjectAccessRequest))
    show = Page(client.get(f"/subject-access/{sar.id}"))
    assert "3 December 2026" in show.text
    assert f"/assessments/{demo.marsh[2].ref}/subject-access" in [a.get("href") for a in show.select("a")]
    marked = _lead_marks(lead_client, demo.marsh[2], ["Gary Pike", "Ray Marsh"])
    assert "Her ex-partner: no consent to share" in marked.text
    show = Page(client.get(f"/subject-access/{sar.id}"))
    assert "2 people are marked to withhold" in show.text
    assert "Gary Pike" in show.text and "Her ex-partner: no consent to share" in show.text
    assert "DPA 2018, Schedule 2, paragraph 16" in show.text and "Sarah Okafor" in show.text
    db.session.expire_all()
    response = client.post(
        f"/subject-access/{sar.id}/review", data={"version": str(sar.version_id), "decision": "approve"}
    )
    assert response.status_code == 302
    return sar


def test_a_mothers_request_produces_a_zip_covering_her_three_cases_with_third_parties_redacted(app, demo, as_user):
    lead_client = app.test_client()
    factories.sign_in(lead_client, demo.lead)
    client = as_user(demo.manager)
    refs = [c.ref for c in demo.marsh]
    sar = _whole_request(client, demo, lead_client)
    response = client.post(f"/subject-access/{sar.id}/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = sorted(archive.namelist())
    assert names == [f"SAR-{sar.id:06d}.json", f"SAR-{sar.id:06d}.pdf"]
    data = json.loads(archive.read(names[0]))
    assert [c["ref"] for c in data["cases"]] == refs
    assert data["request"]["due_on"] == "2026-12-03" and data["request"]["third_parties_redacted"] == 2
    exemption = "Another person's personal data (DPA 2018, Schedule 2, paragraph 16)"
    assert data["request"]["withheld"] == [{"exemption": exemption, "people": 2}]
    text = json.dumps(data, ensure_ascii=False)
    assert "Donna Marsh" in text and "4 Quarry Row" in text and "Kai" in text
    assert "Gary" not in text and "Pike" not in text and "Ray Marsh" not in text and "School runs" not in text
    assert "no consent to share" not in text  # the practitioner's reason is for the reviewer, not the requester
    carers = data["cases"][0]["records"]["carers"]
    # The case's search copy of its children's names is not part of the record sent (nor the row version).
    assert not {"search_names", "version_id"} & set(data["cases"][0]["records"]["case"][0])
    assert {"withheld": "Withheld: this record is another person's personal data", "exemption": exemption} in carers
    pdf = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(archive.read(names[1]))).pages)
    flat = " ".join(pdf.split())
    assert "Everything held about Donna Marsh" in pdf
    assert all(ref in pdf for ref in refs)
    assert "Gary" not in pdf and "Pike" not in pdf and "What has been withheld" in flat
    assert "Schedule 2, paragraph 16): 2 people" in flat and "3 December 2026" in flat
    actions = [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq))]
    for step in ("sar_search", "sar_opened", "sar_viewed", "sar_redactions_marked", "sar_sent_for_review"):
        assert step in actions
    assert "sar_reviewed" in actions and "export" in actions
    details = " ".join(
        json.dumps(e.detail) for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("sar%")))
    )
    assert "Donna" not in details and "Marsh" not in details and "Pike" not in details and "consent" not in details


def _opened(client, demo):
    key, _page = _person_key(client, "donna")
    assert _open_request(client, key).status_code == 302
    return db.session.scalar(sa.select(SubjectAccessRequest))


def test_the_export_waits_for_the_review(app, demo, as_user):
    client = as_user(demo.manager)
    sar = _opened(client, demo)
    assert client.post(f"/subject-access/{sar.id}/export").status_code == 409
    assert (
        client.post(f"/subject-access/{sar.id}/review", data={"version": "1", "decision": "approve"}).status_code == 409
    )
    assert client.post(f"/subject-access/{sar.id}/export").status_code == 409


def test_a_second_request_for_the_same_person_while_one_is_open_is_refused(app, demo, as_user):
    client = as_user(demo.manager)
    _opened(client, demo)
    key, _page = _person_key(client, "donna")
    response = _open_request(client, key)
    assert response.status_code == 409 and "already open" in Page(response).text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SubjectAccessRequest)) == 1


def test_marking_refuses_a_forged_person_a_missing_reason_and_a_stale_page(app, demo, as_user):
    manager = as_user(demo.manager)
    sar = _opened(manager, demo)
    lead = app.test_client()
    factories.sign_in(lead, demo.lead)
    case = demo.marsh[2]
    url = f"/assessments/{case.ref}/subject-access/{sar.id}/withhold"
    page = Page(lead.get(f"/assessments/{case.ref}/subject-access"))
    good = _withhold_form(page, "Gary Pike")
    forged = Page(lead.post(url, data={**good, "person": "carer-999999"}))
    assert forged.status_code == 200 and "Select an option from the list" in forged.errors()[0]
    donna = next(c for c in case.family.carers if c.name == "Donna Marsh")
    assert Page(lead.post(url, data={**good, "person": f"carer-{donna.id}"})).errors()  # the subject herself
    no_reason = Page(lead.post(url, data={**good, "reason": ""}))
    assert "Enter why it must be withheld" in no_reason.errors()[0]
    assert lead.post(url, data={**good, "exemption": "because"}).status_code == 200
    assert lead.post(url, data=good).status_code == 302
    assert lead.post(url, data=good).status_code == 409  # the page's version is stale now
    db.session.expire_all()
    assert len(db.session.get(SubjectAccessRequest, sar.id).redactions) == 1


def test_a_taf_member_cannot_mark_what_to_withhold(app, demo, as_user):
    manager = as_user(demo.manager)
    sar = _opened(manager, demo)
    nurse = app.test_client()
    factories.sign_in(nurse, demo.nurse)
    case = demo.marsh[2]
    assert nurse.get(f"/assessments/{case.ref}/subject-access").status_code in (403, 404)
    data = {"version": "1", "person": "carer-1", "exemption": "third_party", "reason": "x"}
    assert nurse.post(f"/assessments/{case.ref}/subject-access/{sar.id}/withhold", data=data).status_code in (403, 404)


def test_a_mark_taken_off_is_no_longer_withheld_and_the_review_starts_again(app, demo, as_user):
    manager = as_user(demo.manager)
    sar = _opened(manager, demo)
    lead = app.test_client()
    factories.sign_in(lead, demo.lead)
    case = demo.marsh[2]
    _lead_marks(lead, case, ["Gary Pike"])
    page = Page(lead.get(f"/assessments/{case.ref}/subject-access"))
    assert "Your marks are with a manager for review" in page.text
    release = page.one("form[action*='/release']")
    version = release.xpath(".//input[@name='version']")[0].get("value")
    assert lead.post(release.get("action"), data={"version": version}).status_code == 302
    db.session.expire_all()
    sar = db.session.get(SubjectAccessRequest, sar.id)
    assert sar.redactions == [] and sar.status == "redaction"


def test_the_received_date_is_checked_and_kept(app, demo, as_user):
    client = as_user(demo.manager)
    key, _page = _person_key(client, "donna")
    page = Page(_open_request(client, key, ("31", "2", "2026")))
    assert page.status_code == 200 and page.errors() and page.select("input[name=received_on]")[0].get("value") == "31"
    page = Page(_open_request(client, key, ("1", "1", "2099")))
    assert page.errors()
    assert client.get("/subject-access/new", query_string={"person": "carer-abc"}).status_code == 404
    assert client.get("/subject-access/new", query_string={"person": "dragon-1"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SubjectAccessRequest)) == 0


def test_one_calendar_month_is_the_same_date_next_month_or_its_last_day():
    assert one_calendar_month_after(date(2026, 11, 3)) == date(2026, 12, 3)
    assert one_calendar_month_after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert one_calendar_month_after(date(2028, 1, 30)) == date(2028, 2, 29)
    assert one_calendar_month_after(date(2026, 12, 15)) == date(2027, 1, 15)


def test_only_managers_handle_subject_access_requests(app, demo, as_user):
    client = as_user(demo.lead)
    assert client.get("/subject-access", query_string={"q": "donna"}).status_code == 404
    assert client.post("/subject-access/new", data={"person": "carer-1"}).status_code == 404


def test_a_case_shows_only_the_requests_about_someone_in_it(app, demo, as_user):
    manager = as_user(demo.manager)
    sar = _opened(manager, demo)
    manager.get(f"/subject-access/{sar.id}")  # the page the manager lands on (takes the "opened" message)
    held = Page(manager.get(f"/assessments/{demo.held.ref}/subject-access"))
    assert "No subject access request covering this case is waiting for redactions" in held.text
    assert f"SAR-{sar.id:06d}" not in held.text
    form = {"version": str(sar.version_id), "person": "carer-1", "exemption": "third_party", "reason": "x"}
    assert manager.post(f"/assessments/{demo.held.ref}/subject-access/{sar.id}/withhold", data=form).status_code == 404
    for case in demo.marsh:
        assert f"SAR-{sar.id:06d}" in Page(manager.get(f"/assessments/{case.ref}/subject-access")).text
