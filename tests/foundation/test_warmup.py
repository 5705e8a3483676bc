"""A worker fills its caches before its first request (eha/warmup.py, gunicorn.conf.py's post_worker_init)."""

import logging

from eha.definitions import store
from eha.definitions.store import active_definition_record
from eha.pdf import base
from eha.warmup import warm_up
from eha.workflow import timescales
from tests.conftest import _make_app


def _fresh_caches(app):
    store._parsed_cache.clear()
    store._shipped_stored.clear()
    timescales._bank_holidays.cache_clear()
    app.jinja_env.cache.clear()


def test_warming_fills_what_a_first_request_would_wait_for(app):
    _fresh_caches(app)
    warm_up(app)
    active = active_definition_record()
    assert (active.name, active.version) in store._parsed_cache
    assert timescales._bank_holidays.cache_info().currsize >= 3
    assert base._fonts_registered
    compiled = {key[1] for key in app.jinja_env.cache}
    assert {"base.html", "views/assessments/index.html", "govuk_frontend_jinja/components/button/macro.html"} <= (
        compiled
    )


def test_a_page_after_warming_reads_as_without_it(app, client, signed_in, practitioner):
    warm_up(app)
    signed_in(practitioner)
    page = client.get("/")
    assert page.status_code == 200
    assert "My cases" in page.get_data(as_text=True)


def test_a_database_not_up_yet_leaves_that_part_to_first_use(tmp_path, caplog):
    app = _make_app(f"sqlite:///{tmp_path}/missing/dir/eha.db")
    _fresh_caches(app)
    with caplog.at_level(logging.INFO, logger="eha.warmup"):
        warm_up(app)
    assert "warm-up: database left to first use" in caplog.text
    assert "warm-up done" in caplog.text
    assert "base.html" in {key[1] for key in app.jinja_env.cache}  # the other parts still ran
