"""Blueprints, one module per journey."""

import importlib

BLUEPRINT_MODULES = (
    "eha.views.health",
    "eha.views.auth",
    "eha.views.dashboard",
    "eha.views.errors",
)
# Journeys added by later work register here when their module exists.
OPTIONAL_BLUEPRINT_MODULES = (
    "eha.views.assessments",
    "eha.views.consent",
    "eha.views.sections",
    "eha.views.families",
    "eha.views.meetings",
    "eha.views.plans",
    "eha.views.reviews",
    "eha.views.closure",
    "eha.views.reports",
    "eha.views.admin",
    "eha.views.mfa",
    "eha.views.help",
    "eha.views.history",
    "eha.views.verify",
    "eha.views.pdfs",
)


def register_blueprints(app):
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)
    for name in OPTIONAL_BLUEPRINT_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        app.register_blueprint(module.bp)
