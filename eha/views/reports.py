"""Reports for early help managers: the reports with charts and tables, their CSV downloads, the returns,
cases by state, the access review, duty-to-share grants, the delivery of notifications. Anyone else gets 404."""

from flask import Blueprint, Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from markupsafe import Markup

from eha.access import MANAGERS, route
from eha.errors import Invalid
from eha.notifications import report as delivery
from eha.reports.catalogue import TITLES
from eha.reports.returns import RETURNS
from eha.services import grants as grant_service
from eha.services import reports

bp = Blueprint("reports", __name__, url_prefix="/reports")


def csv_response(filename, chunks):
    """A streamed CSV download: the rows go out as the database yields them."""
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename, chunks):
    """A streamed .xlsx download (built row by row in a temporary file, sent when complete)."""
    return Response(
        stream_with_context(chunks),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@route(bp, "", need=MANAGERS)
def index():
    by_state, total = reports.cases_by_state()
    return render_template("views/reports/index.html", by_state=by_state, total=total, titles=TITLES)


@route(bp, "/returns", need=MANAGERS)
def returns_page():
    return render_template("views/reports/returns.html", returns=RETURNS, years=reports.financial_years())


@route(bp, "/returns/<name>.csv", need=MANAGERS)
def return_csv(name):
    try:
        filename, chunks = reports.export_return(name, request.args, current_user)
    except KeyError:
        abort(404)
    except Invalid as error:
        return render_template(
            "views/reports/returns.html",
            returns=RETURNS,
            years=reports.financial_years(),
            extra_errors=[{"text": error.message, "href": "#returns"}],
        ), 400
    return csv_response(filename, chunks)


@route(bp, "/<name>", need=MANAGERS)
def show(name):
    try:
        page = reports.report_page(name, request.args, current_user)
    except KeyError:
        abort(404)
    errors = [{"text": message, "href": f"#{field}"} for field, message in page.errors]
    return render_template(
        "views/reports/report.html",
        page=page,
        report=page.report,
        chart=Markup(page.chart_svg),  # noqa: S704 - ReportLab's DOM output: every label is escaped by the DOM
        extra_errors=errors,
        titles=TITLES,
    )


@route(bp, "/<name>/<key>.csv", need=MANAGERS)
def table_csv(name, key):
    return _table_export(name, key, "csv")


@route(bp, "/<name>/<key>.xlsx", need=MANAGERS)
def table_xlsx(name, key):
    return _table_export(name, key, "xlsx")


def _table_export(name, key, fmt):
    try:
        filename, chunks = reports.export_report(name, key, request.args, current_user, fmt=fmt)
    except KeyError:
        abort(404)
    except Invalid:
        return redirect(url_for(".show", name=name, **request.args))
    return (xlsx_response if fmt == "xlsx" else csv_response)(filename, chunks)


@route(bp, "/access-review", need=MANAGERS)
def access_review():
    return render_template("views/reports/access_review.html", page=reports.access_review(), days=reports.REVIEW_DAYS)


@route(bp, "/grants", need=MANAGERS)
def grants():
    return render_template("views/reports/grants.html", page=reports.grants(), is_active=grant_service.is_active)


@route(bp, "/notifications", need=MANAGERS)
def notifications():
    status = delivery.chosen_status(request.args.get("status"))
    return render_template(
        "views/reports/notifications.html",
        page=delivery.delivery_page(status),
        counts=delivery.status_counts(),
        status=status,
    )
