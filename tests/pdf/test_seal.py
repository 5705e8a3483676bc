"""Sealing the PDF with a PAdES signature, and checking the seal."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from eha.pdf.plan import render_plan
from eha.pdf.seal import certificate_from_pkcs12, make_self_signed_pkcs12, seal_pdf, verify_sealed
from tests.pdf.conftest import typical_plan

PASSPHRASE = b"correct horse battery staple"


@pytest.fixture(scope="module")
def pkcs12_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("seal") / "seal.p12"
    return make_self_signed_pkcs12(path, PASSPHRASE, "Northshire County Council eha seal")


@pytest.fixture(scope="module")
def pdf():
    return render_plan(typical_plan())


@pytest.fixture(scope="module")
def sealed(pdf, pkcs12_path):
    return seal_pdf(pdf, pkcs12_path, PASSPHRASE, location="Northshire")


def test_a_sealed_plan_validates_and_chains_to_the_trusted_certificate(sealed, pkcs12_path):
    assert verify_sealed(sealed)
    assert verify_sealed(sealed, trusted=[certificate_from_pkcs12(pkcs12_path, PASSPHRASE)])


def test_the_seal_is_an_incremental_update_of_the_original(pdf, sealed):
    assert sealed.startswith(pdf)
    assert b"/ETSI.CAdES.detached" in sealed
    signatures = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    assert [sig.field_name for sig in signatures] == ["eha-seal"]


def test_an_unsealed_pdf_does_not_verify(pdf):
    assert not verify_sealed(pdf)


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_changing_one_byte_of_the_sealed_content_breaks_the_seal(pdf, sealed, where):
    broken = bytearray(sealed)
    broken[int(len(pdf) * where)] ^= 0x01
    assert not verify_sealed(bytes(broken))


def test_anything_appended_after_sealing_is_not_covered(sealed):
    assert not verify_sealed(sealed + b"\n% appended\n")


def test_a_different_trusted_certificate_rejects_the_seal(sealed, tmp_path):
    other = make_self_signed_pkcs12(tmp_path / "other.p12", None, "Someone else")
    assert not verify_sealed(sealed, trusted=[certificate_from_pkcs12(other, None)])


def test_the_wrong_passphrase_refuses_to_seal(pdf, pkcs12_path):
    with pytest.raises((ValueError, TypeError)):
        seal_pdf(pdf, pkcs12_path, b"wrong")


def test_garbage_is_not_a_sealed_pdf():
    assert not verify_sealed(b"not a pdf at all")
