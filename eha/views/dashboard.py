"""The signed-in home page: "My cases" for practitioners and managers; links for administrators."""

from flask import Blueprint, render_template
from flask_login import current_user

from eha.access import SIGNED_IN, route
from eha.page_cache import cached
from eha.services import attention, mfa_resets
from eha.services.meetings import taf_held_ids
from eha.services.my_cases import my_cases

bp = Blueprint("dashboard", __name__)


@route(bp, "/", need=SIGNED_IN)
@cached
def home():
    if current_user.is_admin:
        return render_template("views/dashboard/admin.html")
    resets_waiting = mfa_resets.waiting_count(current_user) if current_user.is_manager else 0
    mine = my_cases(current_user)
    needs, grants = attention.counts() if current_user.is_manager else ([], 0)
    return render_template(
        "views/dashboard/home.html",
        needs=needs,
        grants_to_review=grants,
        mine=mine,
        taf_held=taf_held_ids(row.case for row in mine.rows),
        resets_waiting=resets_waiting,
    )
