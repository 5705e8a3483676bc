"""The signed-in home page: "My cases" for practitioners and managers; links for administrators."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from eha.services import mfa_resets
from eha.workflow.my_cases import my_cases

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def home():
    if current_user.is_admin:
        return render_template("views/dashboard/admin.html")
    page = request.args.get("page", 1, type=int) or 1
    cases = my_cases(current_user, page=max(1, min(page, 10_000)), per_page=current_app.config["EHA_PAGE_SIZE"])
    resets_waiting = mfa_resets.waiting_count(current_user) if current_user.is_manager else 0
    return render_template("views/dashboard/home.html", cases=cases, resets_waiting=resets_waiting)
