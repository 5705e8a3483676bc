"""The printable plan and assessment record: PDF downloads and the plan's accessible copies, one audit event each."""

from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l

from eha.access import VIEW, case_route
from eha.errors import NotFound
from eha.pdf.i18n import LANGUAGES, SUPPORTED, plan_language
from eha.pdf.plain import plan_text as plain_plan
from eha.pdf.plan import digest_groups
from eha.services import documents

bp = Blueprint("pdfs", __name__, url_prefix="/assessments/<caseref:ref>")


def _large():
    return request.args.get("large", "") in ("1", "true", "yes", "on")


def _lang():
    """``?lang=CODE`` as given (the service maps it to a supported code, English for anything else); None when
    absent, so the family's own language is used."""
    return request.args.get("lang", "")[:20] or None


def _version_number():
    """``?version=N`` as a positive int; None when absent; 404 when it is not a version number at all."""
    raw = request.args.get("version")
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        raise NotFound(_l("This case has no plan version that can be printed."), detail={"version": raw[:20]})
    return int(raw)


def _pdf(data, filename):
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.app_template_global()
def plan_editions(case):
    """``[(code, English name, own name, is the family's)]``: the family's language first, for the plan page's
    links to each edition."""
    family = plan_language(case.family.carers)
    codes = [family, *(code for code in SUPPORTED if code != family)]
    return [(code, LANGUAGES[code][0], LANGUAGES[code][1], code == family) for code in codes]


@case_route(bp, "/plan.pdf", need=VIEW, audit=None, refused="pdf_downloaded")
def plan(case):
    return _pdf(*documents.download_plan(case, _version_number(), large=_large(), lang=_lang()))


@case_route(bp, "/plan.html", need=VIEW, audit=None, refused="pdf_downloaded")
def plan_html(case):
    """The signed plan as an accessible HTML document: what a screen reader follows, with the same digest."""
    copy = documents.plan_copy(case, _version_number(), large=_large(), lang=_lang(), kind="html")
    return render_template("views/pdfs/plan_copy.html", copy=copy, d=copy.document, w=copy.wording,
                           digest_groups=digest_groups)  # fmt: skip


@case_route(bp, "/plan.txt", need=VIEW, audit=None, refused="pdf_downloaded")
def plan_text(case):
    """The signed plan as plain text, to paste into an email to the family."""
    copy = documents.plan_copy(case, _version_number(), large=_large(), lang=_lang(), kind="text")
    body = plain_plan(copy.document, copy.wording, interpreter=copy.interpreter)
    response = Response(body, mimetype="text/plain")  # utf-8
    response.headers["Content-Disposition"] = f'inline; filename="{copy.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@case_route(bp, "/assessment.pdf", need=VIEW, audit=None, refused="pdf_downloaded")
def assessment(case):
    """The assessment record in ``?lang`` (with ``large=1``), else in the reader's own language."""
    return _pdf(*documents.download_assessment(case, large=_large(), lang=_lang()))
