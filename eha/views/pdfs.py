"""The printable plan and assessment record: PDF downloads, one audit event each."""

from flask import Blueprint, Response, request

from eha.access import VIEW, case_route
from eha.errors import NotFound
from eha.services import documents

bp = Blueprint("pdfs", __name__, url_prefix="/assessments/<caseref:ref>")


def _large():
    return request.args.get("large", "") in ("1", "true", "yes", "on")


def _version_number():
    """``?version=N`` as a positive int; None when absent; 404 when it is not a version number at all."""
    raw = request.args.get("version")
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        raise NotFound("This case has no plan version that can be printed.", detail={"version": raw[:20]})
    return int(raw)


def _pdf(data, filename):
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@case_route(bp, "/plan.pdf", need=VIEW, audit=None, refused="pdf_downloaded")
def plan(case):
    return _pdf(*documents.download_plan(case, _version_number(), large=_large()))


@case_route(bp, "/assessment.pdf", need=VIEW, audit=None, refused="pdf_downloaded")
def assessment(case):
    return _pdf(*documents.download_assessment(case, large=_large()))
