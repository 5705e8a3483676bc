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
from tests.pages import Page


def _open_request(client, person_key, received=("3", "11", "2026")):
    return client.post("/subject-access/new", data={"person": person_key, "received_on": list(received)})


def _person_key(client, name):
    page = Page(client.get("/subject-access", query_string={"q": name}))
    link = next(a for a in page.select("a") if a.get("href", "").startswith("/subject-access/new"))
    return link.get("href").split("person=")[1], page


def _whole_request(client, demo):
    key, page = _person_key(client, "donna")
    assert "Donna Marsh" in page.text and all(c.ref in page.text for c in demo.marsh)
    response = _open_request(client, key)
    assert response.status_code == 302, Page(response).errors()
    sar = db.session.scalar(sa.select(SubjectAccessRequest))
    show = Page(client.get(f"/subject-access/{sar.id}"))
    assert "3 December 2026" in show.text and "Gary Pike" in show.text and "Ray Marsh" in show.text
    boxes = {b.getparent().text_content().strip(): b.get("value") for b in show.select("input[name=people]")}
    third = [v for label, v in boxes.items() if label.startswith(("Gary Pike", "Ray Marsh"))]
    assert len(third) == 2
    response = client.post(
        f"/subject-access/{sar.id}/redactions", data={"version": str(sar.version_id), "people": third}
    )
    assert response.status_code == 302
    db.session.expire_all()
    response = client.post(
        f"/subject-access/{sar.id}/review", data={"version": str(sar.version_id), "decision": "approve"}
    )
    assert response.status_code == 302
    return sar


def test_a_mothers_request_produces_a_zip_covering_her_three_cases_with_third_parties_redacted(app, demo, as_user):
    client = as_user(demo.manager)
    refs = [c.ref for c in demo.marsh]
    sar = _whole_request(client, demo)
    response = client.post(f"/subject-access/{sar.id}/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = sorted(archive.namelist())
    assert names == [f"SAR-{sar.id:06d}.json", f"SAR-{sar.id:06d}.pdf"]
    data = json.loads(archive.read(names[0]))
    assert [c["ref"] for c in data["cases"]] == refs
    assert data["request"]["due_on"] == "2026-12-03" and data["request"]["third_parties_redacted"] == 2
    text = json.dumps(data, ensure_ascii=False)
    assert "Donna Marsh" in text and "4 Quarry Row" in text and "Kai" in text
    assert "Gary" not in text and "Pike" not in text and "Ray Marsh" not in text and "School runs" not in text
    assert "[Redacted: a third party's personal data]" in text
    pdf = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(archive.read(names[1]))).pages)
    assert "Everything held about Donna Marsh" in pdf
    assert all(ref in pdf for ref in refs)
    assert "Gary" not in pdf and "Pike" not in pdf and "Redacted" in pdf
    actions = [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq))]
    for step in ("sar_search", "sar_opened", "sar_viewed", "sar_redactions_marked", "sar_reviewed", "export"):
        assert step in actions
    details = " ".join(
        json.dumps(e.detail) for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("sar%")))
    )
    assert "Donna" not in details and "Marsh" not in details


def test_the_export_waits_for_the_review(app, demo, as_user):
    client = as_user(demo.manager)
    key, _page = _person_key(client, "donna")
    _open_request(client, key)
    sar = db.session.scalar(sa.select(SubjectAccessRequest))
    assert client.post(f"/subject-access/{sar.id}/export").status_code == 409
    client.post(f"/subject-access/{sar.id}/redactions", data={"version": str(sar.version_id)})
    db.session.expire_all()
    assert client.post(f"/subject-access/{sar.id}/export").status_code == 409
    forged = {"version": str(sar.version_id), "people": ["carer-999999"]}
    assert Page(client.post(f"/subject-access/{sar.id}/redactions", data=forged)).errors()


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
