"""Help pages: how a case moves through early help (the state diagram and the table in words)."""

from flask import Blueprint, Response, render_template

from eha.workflow import diagram
from eha.workflow.states import CLOSURE_REASONS, CLOSURE_REASONS_FROM, STATE_LABELS, STEPPED_UP
from eha.workflow.table import TRIGGERS

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.get("/workflow")
def workflow():
    reasons = [
        (label, [STATE_LABELS[s] for s in CLOSURE_REASONS_FROM[code]])
        for code, label in CLOSURE_REASONS.items() if code != STEPPED_UP
    ]
    return render_template("views/help/workflow.html", triggers=TRIGGERS, state_labels=STATE_LABELS,
                           reasons=reasons)


@bp.get("/workflow.svg")
def workflow_svg():
    return Response(diagram.render(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=3600"})
