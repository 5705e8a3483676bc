"""A minimal Flask app for form tests: CSRF off, and the Jinja loaders govuk-frontend-wtf needs."""

import pytest
from flask import Flask
from flask_babel import Babel
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from eha.definitions import latest_definition


def make_app() -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test-only")
    # govuk-frontend-wtf renders "govuk_frontend_wtf/<widget>.html", which imports
    # "govuk_frontend_jinja/components/<name>/macro.html": both packages are mounted under their own prefix.
    app.jinja_loader = ChoiceLoader(
        [
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
    Babel(app)  # the fields' messages go through Flask-Babel (English here)
    return app


@pytest.fixture(scope="session")
def forms_app() -> Flask:
    return make_app()


@pytest.fixture
def request_ctx(forms_app):
    with forms_app.test_request_context("/", method="POST"):
        yield


@pytest.fixture(scope="session")
def default_definition():
    return latest_definition("eha-default")
