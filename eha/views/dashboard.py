"""The signed-in home page."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def home():
    return render_template("views/dashboard/home.html")
