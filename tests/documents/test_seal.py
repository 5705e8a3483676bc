"""A sealed PDF where a certificate is configured; unsealed without one."""

import pytest

from eha.pdf import seal
from eha.pdf.seal import certificate_from_pkcs12, make_self_signed_pkcs12
from tests.documents import helpers

PASSPHRASE = "seal test passphrase"


def verify_sealed(pdf, trusted=None):
    # pyHanko's validator runs asyncio.run: keep working when a browser test left a loop running.
    return seal.verify_sealed(pdf, trusted=trusted)


@pytest.fixture(scope="module")
def pkcs12(tmp_path_factory):
    path = tmp_path_factory.mktemp("seal") / "seal.p12"
    return make_self_signed_pkcs12(path, PASSPHRASE.encode(), "Test council seal")


@pytest.fixture
def app_settings(pkcs12):
    return {"EHA_SEAL_PKCS12_PATH": str(pkcs12), "EHA_SEAL_PASSPHRASE": PASSPHRASE}


def test_served_pdfs_are_sealed_and_a_changed_byte_breaks_the_seal(client, signed_in, lead, pkcs12):
    case = helpers.assessed_case(lead)
    version = helpers.signed_plan(case, lead)
    signed_in(lead)
    trusted = [certificate_from_pkcs12(pkcs12, PASSPHRASE.encode())]
    plan = client.get(f"/assessments/{case.ref}/plan.pdf").data
    assert verify_sealed(plan, trusted=trusted)
    assert version.digest in helpers.squash(helpers.pdf_text(plan))
    changed = bytearray(plan)
    at = plan.index(b"Plan version 1") if b"Plan version 1" in plan else len(plan) // 3
    changed[at] ^= 0x01
    assert not verify_sealed(bytes(changed), trusted=trusted)
    assessment = client.get(f"/assessments/{case.ref}/assessment.pdf").data
    assert verify_sealed(assessment, trusted=trusted)
    assert b"Issued by" in plan


def test_a_missing_certificate_file_means_unsealed_not_an_error(client, signed_in, lead, app, tmp_path):
    app.config["EHA_SEAL_PKCS12_PATH"] = str(tmp_path / "missing.p12")
    case = helpers.assessed_case(lead)
    helpers.signed_plan(case, lead)
    signed_in(lead)
    response = client.get(f"/assessments/{case.ref}/plan.pdf")
    assert response.status_code == 200 and not verify_sealed(response.data)


def test_the_demo_creates_its_sealing_certificate_once(app, tmp_path, monkeypatch):
    import config
    from eha.demo import ensure_demo_seal
    from eha.pdf.seal import seal_pdf

    path = tmp_path / "demo-seal.p12"
    monkeypatch.setattr(config, "DEMO_SEAL_PATH", path)
    monkeypatch.delenv("EHA_SEAL_PASSPHRASE", raising=False)
    assert ensure_demo_seal() is None and not path.exists()  # never while testing
    monkeypatch.setattr(app, "testing", False)
    assert ensure_demo_seal() == path
    sealed = seal_pdf(helpers_pdf(), path, config.DEMO_SEAL_PASSPHRASE.encode())
    assert verify_sealed(sealed, trusted=[certificate_from_pkcs12(path, config.DEMO_SEAL_PASSPHRASE.encode())])
    before = path.read_bytes()
    assert ensure_demo_seal() is None and path.read_bytes() == before  # kept, not replaced


def helpers_pdf():
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Sealed by the demo certificate")
    page.save()
    return out.getvalue()


def test_sealing_still_works_when_an_event_loop_is_running_in_this_thread(client, signed_in, lead, pkcs12):
    import asyncio

    case = helpers.assessed_case(lead)
    helpers.signed_plan(case, lead)
    signed_in(lead)

    async def download():
        return client.get(f"/assessments/{case.ref}/plan.pdf")

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        response = asyncio.run(download())
    else:  # a browser test earlier in the session already left a loop running in this thread
        response = client.get(f"/assessments/{case.ref}/plan.pdf")
    assert response.status_code == 200
    assert verify_sealed(response.data, trusted=[certificate_from_pkcs12(pkcs12, PASSPHRASE.encode())])
