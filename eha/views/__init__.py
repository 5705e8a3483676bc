"""Blueprints, one module per journey."""

import importlib

BLUEPRINT_MODULES = (
    "eha.views.health",
    "eha.views.auth",
    "eha.views.mfa",
    "eha.views.recovery",
    "eha.views.dashboard",
    "eha.views.errors",
    "eha.views.assessments",
    "eha.views.families",
    "eha.views.consent",
    "eha.views.sections",
    "eha.views.meetings",
    "eha.views.plans",
    "eha.views.reviews",
    "eha.views.closure",
    "eha.views.pdfs",
    "eha.views.verify",
    "eha.views.history",
    "eha.views.reports",
    "eha.views.admin",
    "eha.views.help",
)


def register_blueprints(app):
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)
