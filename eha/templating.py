"""Template globals and filters: branding, terminology, dates, state tags; and the /assets route."""

import os
from datetime import date, datetime

from flask import current_app, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eha.formatting import family_label, format_date, format_datetime, format_timestamp, without_emergency_line
from eha.i18n import current_language, translated
from eha.reports.tables import shown as report_cell
from eha.workflow.states import STATE_LABELS, STATE_TAG_CLASSES

TERMS = {
    "eha": {
        "assessment": _l("early help assessment"),
        "Assessment": _l("Early help assessment"),
        "taf": _l("Team Around the Family (TAF) meeting"),
        "TAF": _l("TAF"),
        "lead": _l("lead professional"),
        "Lead": _l("Lead professional"),
    },
    "family-help": {
        "assessment": _l("Family Help assessment"),
        "Assessment": _l("Family Help assessment"),
        "taf": _l("family network meeting"),
        "TAF": _l("Family network meeting"),
        "lead": _l("lead practitioner"),
        "Lead": _l("Lead practitioner"),
    },
}


def summary_row(pair):
    """``(label, value)`` as a govukSummaryList row; an empty value reads "Not given"."""
    label, value = pair
    return {"key": {"text": label}, "value": {"text": value if value not in (None, "") else _("Not given")}}


# What is due next, as stored on the case (eha.workflow.effects, English), in the page's language.
DUE_LABELS = {
    "Assessment due": _l("Assessment due"),
    "First TAF meeting due": _l("First TAF meeting due"),
    "Plan to be agreed": _l("Plan to be agreed"),
    "Review due": _l("Review due"),
    "Action due": _l("Action due"),
}


def due_label(label):
    """What is due, in the page's language (the labels above are its messages; another text is shown as it is)."""
    return translated(label) if label in DUE_LABELS else label


def state_label(state):
    return translated(STATE_LABELS.get(state, state))


def case_stage(case, held=None):
    """The case's stage in words ("TAF meeting held" once the first TAF meeting is recorded, before the plan is
    agreed; otherwise its state's label). A list of cases passes ``held``, the ids
    ``eha.services.meetings.taf_held_ids`` found for the page: ``case | case_stage(taf_held)``."""
    from eha.services.meetings import stage_label

    return translated(stage_label(case, held))


def state_tag_class(state):
    return STATE_TAG_CLASSES.get(state, "")


# (endpoint, label, roles allowed to see the link)
NAVIGATION = (
    ("dashboard.home", _l("My cases"), ("practitioner", "manager")),
    ("assessments.index", _l("All cases"), ("practitioner", "manager")),
    ("assessments.new", _l("Start an assessment"), ("practitioner", "manager")),
    ("reports.index", _l("Reports"), ("manager",)),
    ("subject_access.index", _l("Subject access"), ("manager",)),
    ("retention.index", _l("Retention"), ("manager",)),
    ("admin.users", _l("Users"), ("admin",)),
    ("admin.agencies", _l("Agencies"), ("admin",)),
    ("admin.single_sign_on", _l("Single sign-on"), ("admin",)),
    ("admin.definitions", _l("Forms"), ("admin",)),
)


def main_navigation():
    """The header's links for the signed-in user's role, the current page's marked. The same for every page of
    one role at one address, so built once per app for each (issue 14); the labels stay lazy, so each page shows
    them in its own language."""
    if not current_user.is_authenticated:
        return []
    key = (current_user.role, request.endpoint, request.script_root)
    built = current_app.extensions.setdefault("eha_navigation", {})
    if key not in built:
        if len(built) > 1000:  # the address's script root comes from the request: never let it grow unbounded
            built.clear()
        endpoints = current_app.view_functions
        built[key] = tuple(
            {"href": url_for(endpoint), "text": text, "active": request.endpoint == endpoint}
            for endpoint, text, roles in NAVIGATION
            if endpoint in endpoints and current_user.role in roles
        )
    return [dict(item) for item in built[key]]


def init_app(app):
    static_assets = os.path.join(app.static_folder, "assets")

    @app.route("/assets/<path:filename>", endpoint="assets")
    def assets(filename):
        return send_from_directory(static_assets, filename, max_age=3600)

    app.add_template_global(main_navigation)
    app.add_template_global(lambda: app.view_functions.keys(), "endpoints")
    # Pages show dates in the interface's language ("5 Mawrth 2024" in Welsh); audit texts and stored strings
    # call eha.formatting directly and stay English.
    app.add_template_filter(lambda value, fmt="long": format_date(value, fmt, current_language()), "date")
    app.add_template_filter(lambda value: format_datetime(value, current_language()), "datetime")
    app.add_template_filter(
        lambda value, with_time=True: format_timestamp(value, with_time, current_language()), "timestamp"
    )
    app.add_template_filter(lambda value: report_cell(value, current_language()), "report_cell")
    app.add_template_filter(family_label, "family_label")
    app.add_template_filter(without_emergency_line, "without_emergency_line")
    app.add_template_filter(state_label, "state_label")
    app.add_template_filter(due_label, "due_label")
    app.add_template_filter(case_stage, "case_stage")
    app.add_template_filter(summary_row, "summary_row")
    app.add_template_filter(state_tag_class, "state_tag_class")

    @app.context_processor
    def branding():
        config = current_app.config
        return {
            "organisation_name": config["EHA_ORGANISATION_NAME"],
            "service_name": config["EHA_SERVICE_NAME"],
            "terms": TERMS.get(config["EHA_TERMINOLOGY"], TERMS["eha"]),
            "today": date.today(),
            "now": datetime.now(),
        }
