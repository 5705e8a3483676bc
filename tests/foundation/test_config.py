"""The app factory and the configuration guards."""

import pytest

from config import ProductionConfig, normalise_database_url
from eha import create_app

GOOD_SECRET = "x" * 40
POSTGRES = "postgresql+psycopg://eha@db.example/eha"


def production_app(**overrides):
    settings = {"SECRET_KEY": GOOD_SECRET, "SQLALCHEMY_DATABASE_URI": POSTGRES, "DEBUG": False,
                "EHA_AUDIT_KEY": "a" * 40}
    settings.update(overrides)
    return create_app("production", **settings)


def test_production_starts_with_a_long_secret_and_postgresql():
    app = production_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["EHA_REQUIRE_MFA"] is True


@pytest.mark.parametrize(
    "overrides, problem",
    [
        ({"DEBUG": True}, "debug must be off"),
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short-secret"}, "SECRET_KEY must be set"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///eha.sqlite3"}, "not SQLite"),
    ],
)
def test_production_refuses_to_start_when_unsafe(overrides, problem):
    with pytest.raises(RuntimeError, match=problem):
        production_app(**overrides)


def test_production_check_names_every_problem_at_once():
    with pytest.raises(RuntimeError) as excinfo:
        ProductionConfig.check({"DEBUG": True, "SECRET_KEY": "", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    message = str(excinfo.value)
    assert "debug" in message and "SECRET_KEY" in message and "SQLite" in message


def test_development_defaults_to_an_sqlite_file_in_instance(monkeypatch):
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/eha.sqlite3")


def test_plain_postgres_urls_use_the_psycopg_driver():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"


def test_service_and_organisation_names_are_settings(client, app):
    app.config["EHA_ORGANISATION_NAME"] = "Westshire Council"
    app.config["EHA_SERVICE_NAME"] = "Family Help"
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Westshire Council" in page
    assert "Family Help" in page
    assert "GOV.UK" not in page.replace("govuk", "")
