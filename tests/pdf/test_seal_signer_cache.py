"""The sealing key is read once per process and again only when its file changes (issue 14: reading it cost most
of a sealed PDF)."""

from __future__ import annotations

import os

from pyhanko.sign import signers

from eha.pdf import seal
from eha.pdf.plan import render_plan
from eha.pdf.seal import certificate_from_pkcs12, make_self_signed_pkcs12, seal_pdf, verify_sealed
from tests.pdf.conftest import typical_plan

PASSPHRASE = b"correct horse battery staple"


def _count_loads(monkeypatch):
    loads = []
    real = signers.SimpleSigner.load_pkcs12

    def counting(path, passphrase=None, **kwargs):
        loads.append(path)
        return real(path, passphrase=passphrase, **kwargs)

    monkeypatch.setattr(signers.SimpleSigner, "load_pkcs12", staticmethod(counting))
    return loads


def test_two_sealed_pdfs_read_the_key_file_once(tmp_path, monkeypatch):
    path = make_self_signed_pkcs12(tmp_path / "seal.p12", PASSPHRASE, "Northshire seal")
    loads = _count_loads(monkeypatch)
    pdf = render_plan(typical_plan())
    first = seal_pdf(pdf, path, PASSPHRASE)
    second = seal_pdf(pdf, path, PASSPHRASE)
    assert len(loads) == 1
    assert verify_sealed(first) and verify_sealed(second)


def test_a_replaced_key_file_is_read_again_and_seals_with_the_new_certificate(tmp_path, monkeypatch):
    path = make_self_signed_pkcs12(tmp_path / "seal.p12", PASSPHRASE, "Old seal")
    loads = _count_loads(monkeypatch)
    pdf = render_plan(typical_plan())
    seal_pdf(pdf, path, PASSPHRASE)
    make_self_signed_pkcs12(tmp_path / "seal.p12", PASSPHRASE, "New seal")
    later = os.stat(path).st_mtime_ns + 5_000_000_000
    os.utime(path, ns=(later, later))  # a coarse filesystem clock could give the same mtime within a second
    sealed = seal_pdf(pdf, path, PASSPHRASE)
    assert len(loads) == 2
    assert verify_sealed(sealed, trusted=[certificate_from_pkcs12(path, PASSPHRASE)])


def test_a_wrong_passphrase_is_not_cached_as_a_signer(tmp_path):
    path = make_self_signed_pkcs12(tmp_path / "seal.p12", PASSPHRASE, "Northshire seal")
    for _attempt in range(2):
        try:
            seal.load_signer(path, b"wrong")
        except Exception:  # noqa: S110 - pyHanko raises or returns None, either way nothing is cached
            pass
    assert (str(path), b"wrong") not in seal._SIGNERS
