"""A Welsh manager's subject access export (issue 18): the readable PDF's fixed text is in Welsh, the language of
the page the manager exported from; the JSON beside it keeps its English keys (a data format)."""

import io
import json
import zipfile

from pypdf import PdfReader

from tests import factories
from tests.governance.test_subject_access import _whole_request
from tests.pages import Page


def test_a_welsh_managers_export_prints_its_fixed_text_in_welsh_and_keeps_the_json(app, demo, as_user):
    lead_client = app.test_client()
    factories.sign_in(lead_client, demo.lead)
    client = as_user(demo.manager)
    sar = _whole_request(client, demo, lead_client)
    page = Page(client.get(f"/subject-access/{sar.id}?lang=cy"))  # the manager reads the request in Welsh
    assert page.tree.get("lang") == "cy"
    response = client.post(f"/subject-access/{sar.id}/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    json_name, pdf_name = sorted(archive.namelist())
    data = json.loads(archive.read(json_name))
    assert set(data["request"]) >= {"reference", "subject", "received_on", "withheld"}
    reader = PdfReader(io.BytesIO(archive.read(pdf_name)))
    text = " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())
    assert "Popeth a gedwir am Donna Marsh" in text
    assert "Cais gwrthrych am wybodaeth" in text and "Beth sydd wedi’i atal" in text
    assert "3 Rhagfyr 2026" in text  # the due date, in Welsh
    assert "Everything held about" not in text and "What has been withheld" not in text
    assert "Yr aelwyd" in text and "Maes" in text  # a table's name and the field column, in Welsh
    assert "Donna Marsh" in text and "4 Quarry Row" in text  # the records, as held


def test_every_field_of_the_welsh_export_is_named_in_welsh_never_by_its_key(app, demo, as_user):
    from eha.pdf.subject_access import FIELD_LABELS

    lead_client = app.test_client()
    factories.sign_in(lead_client, demo.lead)
    client = as_user(demo.manager)
    sar = _whole_request(client, demo, lead_client)
    client.get(f"/subject-access/{sar.id}?lang=cy")
    archive = zipfile.ZipFile(io.BytesIO(client.post(f"/subject-access/{sar.id}/export").data))
    json_name, pdf_name = sorted(archive.namelist())
    data = json.loads(archive.read(json_name))
    keys = {key for case in data["cases"] for rows in case["records"].values() for row in rows for key in row}
    assert {"id", "assessment_id", "created_at", "nhs_number"} <= keys  # the JSON keeps its column names
    reader = PdfReader(io.BytesIO(archive.read(pdf_name)))
    text = " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())
    assert "Rhif cofnod" in text and "Achos (rhif cofnod)" in text and "Crëwyd am" in text and "Rhif GIG" in text
    values = json.dumps(data["cases"], ensure_ascii=False)  # a value may hold the words ("… Primary School")
    for key in keys & set(FIELD_LABELS):
        humanised = key.replace("_", " ").capitalize()
        assert f" {humanised} " not in f" {text} " or humanised in values, key
    for english in ("Assessment id", "Created at", "Nhs number", "Record number", "Updated by id"):
        assert english not in text, english
