"""Help pages: how a case moves through early help (the state diagram and the table in words). Public: they
show no case content."""

from flask import Blueprint, Response, render_template
from flask_babel import force_locale

from eha.i18n import DEFAULT_LANGUAGE, chosen_language, current_language
from eha.workflow import diagram

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.get("/workflow")
def workflow():
    return render_template(
        "views/help/workflow.html",
        steps=diagram.steps_in_words(),
        summary=diagram.summary(),
        reasons=diagram.closure_reasons_in_words(),
        # The diagram in the page's language: by its address (none for English, the README's copy).
        diagram_lang=None if current_language() == DEFAULT_LANGUAGE else current_language(),
    )


@bp.get("/workflow.svg")
def workflow_svg():
    # The diagram's language is in its address (the Welsh page asks for ?lang=cy), never the session's: a cached
    # copy is shared, so one address must always be one language.
    with force_locale(chosen_language() or DEFAULT_LANGUAGE):
        svg = diagram.render()
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"})
