"""The app factory and the configuration guards."""

import pytest

from config import ProductionConfig, normalise_database_url
from eha import create_app

GOOD_SECRET = "x" * 40
POSTGRES = "postgresql+psycopg://eha@db.example/eha"
REDIS = "redis://127.0.0.1:6379/0"


def production_app(**overrides):
    settings = {
        "SECRET_KEY": GOOD_SECRET,
        "SQLALCHEMY_DATABASE_URI": POSTGRES,
        "DEBUG": False,
        "RATELIMIT_STORAGE_URI": REDIS,
        "EHA_BASE_URL": "https://earlyhelp.example.gov.uk",
        "MAIL_SERVER": "smtp.example.gov.uk",
        "EHA_AUDIT_KEY": "a" * 40,
    }
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
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "shared rate-limit storage"),
        ({"RATELIMIT_STORAGE_URI": None}, "shared rate-limit storage"),
        ({"RATELIMIT_STORAGE_URI": "memory://", "EHA_WORKERS": 6}, "shared rate-limit storage"),
        (
            {"RATELIMIT_STORAGE_URI": "memory://", "EHA_SINGLE_PROCESS": True, "EHA_WORKERS": 6},
            "shared rate-limit storage",
        ),
        ({"EHA_TRUSTED_PROXIES": -1}, "EHA_TRUSTED_PROXIES"),
        # Emailed password links: from the service's own address (never the Host header), through a mail server.
        ({"EHA_BASE_URL": None}, "EHA_BASE_URL must be set"),
        ({"EHA_BASE_URL": "http://earlyhelp.example.gov.uk"}, "EHA_BASE_URL must be set"),
        ({"MAIL_SERVER": None}, "MAIL_SERVER must be set"),
    ],
)
def test_production_refuses_to_start_when_unsafe(overrides, problem):
    with pytest.raises(RuntimeError, match=problem):
        production_app(**overrides)


def test_production_accepts_memory_rate_limits_only_for_a_single_process():
    app = production_app(RATELIMIT_STORAGE_URI="memory://", EHA_SINGLE_PROCESS=True, EHA_WORKERS=1)
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_the_worker_count_and_single_process_flag_come_from_the_environment(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("WEB_CONCURRENCY", "6")
    monkeypatch.setenv("EHA_SINGLE_PROCESS", "1")
    monkeypatch.setenv("EHA_TRUSTED_PROXIES", "2")
    try:
        reloaded = importlib.reload(config)
        assert reloaded.ProductionConfig.EHA_WORKERS == 6
        assert reloaded.ProductionConfig.EHA_SINGLE_PROCESS is True
        assert reloaded.ProductionConfig.EHA_TRUSTED_PROXIES == 2
        with pytest.raises(RuntimeError, match="shared rate-limit storage"):
            settings = {name: getattr(reloaded.ProductionConfig, name) for name in dir(reloaded.ProductionConfig)}
            settings.update(SECRET_KEY=GOOD_SECRET, SQLALCHEMY_DATABASE_URI=POSTGRES, RATELIMIT_STORAGE_URI="memory://")
            reloaded.ProductionConfig.check(settings)
    finally:
        monkeypatch.undo()
        importlib.reload(config)


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
