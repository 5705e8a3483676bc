"""Reports for early help managers: cases by state, the access review, duty-to-share grants, the delivery of
notifications. Anyone else gets 404."""

from flask import Blueprint, render_template, request

from eha.access import MANAGERS, route
from eha.notifications import report as delivery
from eha.services import grants as grant_service
from eha.services import reports

bp = Blueprint("reports", __name__, url_prefix="/reports")


@route(bp, "", need=MANAGERS)
def index():
    by_state, total = reports.cases_by_state()
    return render_template("views/reports/index.html", by_state=by_state, total=total)


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
