"""The printable plan and assessment record: PDF downloads, one audit event each."""

from flask import Blueprint, Response, request
from flask_login import current_user, login_required
from werkzeug.exceptions import Conflict, NotFound

from eha import access, audit
from eha.services import documents
from eha.transaction import committing

bp = Blueprint("pdfs", __name__, url_prefix="/assessments/<ref>")


def _large():
    return request.args.get("large", "") in ("1", "true", "yes", "on")


def _version_number():
    """``?version=N`` as a positive int; None when absent; 404 when it is not a version number at all."""
    raw = request.args.get("version")
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        raise NotFound()
    return int(raw)


def _refused(code, message):
    error = NotFound() if code == 404 else Conflict()
    error.eha_message = message
    return error


def _pdf(data, filename):
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/plan.pdf")
@login_required
def plan(ref):
    number = _version_number()
    large = _large()
    with committing():
        case = access.load_case(ref, current_user, audit_action=None)
        detail = {"document": "plan", "version": number, "large": large}
        try:
            version = documents.plan_version_to_print(case, number)
            detail["version"] = version.number
            data = documents.plan_pdf(case, version, large=large)
        except documents.NoSuchDocument as exc:
            audit.record("pdf_downloaded", assessment=case, outcome="failed", detail={**detail, "reason": str(exc)})
            error = _refused(404, str(exc))
        except documents.DigestMismatch:
            audit.record("pdf_downloaded", assessment=case, outcome="failed",
                         detail={**detail, "reason": "stored content does not match the digest"})
            error = _refused(409, "This version of the plan cannot be printed: its record no longer matches the "
                                  "code it was signed with. Contact your administrator.")
        else:
            audit.record("pdf_downloaded", assessment=case, detail=detail)
            error = None
    if error is not None:
        raise error
    return _pdf(data, documents.plan_filename(case.ref, version.number, large=large))


@bp.get("/assessment.pdf")
@login_required
def assessment(ref):
    large = _large()
    with committing():
        case = access.load_case(ref, current_user, audit_action="pdf_downloaded",
                                detail={"document": "assessment", "large": large})
        data = documents.assessment_pdf(case, large=large)
    return _pdf(data, documents.assessment_filename(case.ref, large=large))
