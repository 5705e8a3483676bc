"""Help pages: how a case moves through early help (the state diagram and the table in words). Public: they
show no case content."""

from flask import Blueprint, Response, render_template

from eha.workflow import diagram

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.get("/workflow")
def workflow():
    return render_template(
        "views/help/workflow.html",
        steps=diagram.steps_in_words(),
        summary=diagram.summary(),
        reasons=diagram.closure_reasons_in_words(),
    )


@bp.get("/workflow.svg")
def workflow_svg():
    return Response(diagram.render(), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"})
