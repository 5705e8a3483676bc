"""Seal a rendered PDF with the organisation's certificate (a PAdES signature via pyHanko).

The seal says "this file came from eha and has not changed since"; it certifies the document (DocMDP: no
changes allowed), so any later edit shows as a broken seal in a PDF reader. The SHA-256 digest printed on
the page is separate: it lets someone check a *paper* copy against the record.

``make_self_signed_pkcs12`` is for the demo and tests only; a council uses a certificate from its own PKI.
"""

from __future__ import annotations

import asyncio
import functools
import io
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

SEAL_FIELD = "eha-seal"
DEFAULT_REASON = "Sealed by eha: this is the plan as recorded"


def _outside_event_loop(func):
    """Run ``func`` in a worker thread when this thread already runs an asyncio loop.

    pyHanko's synchronous API calls ``asyncio.run``, which refuses to run inside a running loop (an async
    server, or Playwright's sync API earlier in the same test session).
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return func(*args, **kwargs)
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(func, *args, **kwargs).result()

    return wrapper


class _ParsedKeySigner(signers.SimpleSigner):
    """A ``SimpleSigner`` that parses its private key once. pyHanko's parses the DER key (and cryptography checks
    the RSA key) on every signature, which costs more than the signature itself."""

    parsed_key = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            name = mechanism.signature_algo
        except ValueError:
            name = mechanism["algorithm"].native
        if name != "rsassa_pkcs1v15" or not isinstance(self.parsed_key, RSAPrivateKey):
            return super().sign_raw(data, digest_algorithm)
        return self.parsed_key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


def _parsed_key_signer(signer):
    # load_pkcs12 always builds a plain SimpleSigner: give it the subclass and the key parsed once.
    signer.__class__ = _ParsedKeySigner
    signer.parsed_key = serialization.load_der_private_key(signer.signing_key.dump(), password=None)
    return signer


# The loaded signer per (path, passphrase), with the file's mtime and size when it was read. Loading the PKCS#12
# file costs most of a sealed PDF (key parsing), so a process loads it once and again only when the file changes.
_SIGNERS = {}
_SIGNERS_LOCK = threading.Lock()


def load_signer(pkcs12_path: str | Path, passphrase: bytes | None):
    """The ``SimpleSigner`` for ``pkcs12_path``: cached per process, reloaded when the file's mtime or size change."""
    path = str(pkcs12_path)
    stat = os.stat(path)
    stamp = (stat.st_mtime_ns, stat.st_size)
    key = (path, passphrase)
    with _SIGNERS_LOCK:
        cached = _SIGNERS.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        signer = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase)
        if signer is None:
            raise ValueError(f"Could not load the key and certificate from {pkcs12_path}")
        signer = _parsed_key_signer(signer)
        _SIGNERS[key] = (stamp, signer)
        return signer


@_outside_event_loop
def seal_pdf(
    pdf_bytes: bytes,
    pkcs12_path: str | Path,
    passphrase: bytes | None,
    reason: str = DEFAULT_REASON,
    location: str | None = None,
) -> bytes:
    """Return ``pdf_bytes`` with an invisible PAdES (B-B) seal appended as an incremental update."""
    signer = load_signer(pkcs12_path, passphrase)
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer, output=io.BytesIO())
    return out.getvalue()


def make_self_signed_pkcs12(
    path: str | Path, passphrase: bytes | None, common_name: str, *, organisation: str = "eha demo"
) -> Path:
    """Create a self-signed sealing certificate and key (RSA 2048, two years) as a PKCS#12 file. Demo only."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    data = pkcs12.serialize_key_and_certificates(common_name.encode("utf-8"), key, cert, None, encryption)
    path = Path(path)
    path.write_bytes(data)
    path.chmod(0o600)
    return path


def _trusted(certs) -> list[asn1_x509.Certificate]:
    """Accept cryptography certificates, DER/PEM bytes or asn1crypto certificates."""
    result = []
    for cert in certs:
        if isinstance(cert, asn1_x509.Certificate):
            result.append(cert)
        elif isinstance(cert, x509.Certificate):
            result.append(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)))
        elif isinstance(cert, bytes):
            der = cert
            if cert.lstrip().startswith(b"-----BEGIN"):
                der = x509.load_pem_x509_certificate(cert).public_bytes(serialization.Encoding.DER)
            result.append(asn1_x509.Certificate.load(der))
        else:
            raise TypeError(f"Not a certificate: {type(cert).__name__}")
    return result


def certificate_from_pkcs12(pkcs12_path: str | Path, passphrase: bytes | None) -> x509.Certificate:
    """The certificate in a PKCS#12 file (to pass to ``verify_sealed`` as trusted)."""
    _, cert, _ = pkcs12.load_key_and_certificates(Path(pkcs12_path).read_bytes(), passphrase)
    if cert is None:
        raise ValueError(f"No certificate in {pkcs12_path}")
    return cert


@_outside_event_loop
def verify_sealed(pdf_bytes: bytes, trusted=None) -> bool:
    """True if the PDF carries exactly eha's seal, intact, valid, and covering the whole file.

    With ``trusted`` (certificates: cryptography, asn1crypto, DER or PEM bytes) the signer's certificate must
    also chain to one of them; without it only integrity and the signature itself are checked.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        sigs = [s for s in reader.embedded_signatures if s.field_name == SEAL_FIELD]
        if len(sigs) != 1 or len(reader.embedded_signatures) != 1:
            return False
        # Without trusted roots, trust the embedded certificate itself: only integrity and the signature
        # maths are then checked, and pyHanko does not log a path-building failure for every call.
        roots = _trusted(trusted) if trusted else [sigs[0].signer_cert]
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = validate_pdf_signature(
            sigs[0],
            signer_validation_context=context,
            key_usage_settings=KeyUsageConstraints(key_usage={"digital_signature"}),
        )
    except Exception:  # any parse or crypto failure means "not a valid seal"
        return False
    ok = status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if trusted:
        ok = ok and status.trusted
    return bool(ok)
