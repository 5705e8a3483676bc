"""Blueprints, one module per journey."""

import importlib

BLUEPRINT_MODULES = (
    "eha.views.health",
    "eha.views.auth",
    "eha.views.sso",
    "eha.views.mfa",
    "eha.views.notifications",
    "eha.views.recovery",
    "eha.views.dashboard",
    "eha.views.errors",
    "eha.views.assessments",
    "eha.views.families",
    "eha.views.consent",
    "eha.views.sections",
    "eha.views.meetings",
    "eha.views.lead",
    "eha.views.case_people",
    "eha.views.plans",
    "eha.views.reviews",
    "eha.views.closure",
    "eha.views.pdfs",
    "eha.views.verify",
    "eha.views.history",
    "eha.views.reports",
    "eha.views.admin",
    "eha.views.help",
    "eha.views.api_tokens",
    "eha.views.api_clients",
    "eha.views.public",
    "eha.views.holds",
    "eha.views.corrections",
    "eha.views.retention",
    "eha.views.subject_access",
    "eha.views.sar_redactions",
    "eha.views.pickers",
)


def _refuse_nul_in_query():
    """A NUL byte in the query string is never meant (PostgreSQL cannot even compare text with one): 400."""
    from flask import abort, request

    if "\x00" in request.query_string.decode("latin-1") or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        abort(400)


def register_blueprints(app):
    from eha.views.converters import CONVERTERS

    app.url_map.converters.update(CONVERTERS)
    app.before_request(_refuse_nul_in_query)
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)
