"""A worker's first-use work done before it takes requests (gunicorn's ``post_worker_init``, gunicorn.conf.py).

Without it the first person to reach each page of a new worker waits for what the process keeps for the rest of
its life: a database connection, the shipped form definitions parsed, the templates compiled, the bank holidays,
the PDF fonts and the sealing key. Everything here is a cache the requests fill anyway, so warming changes no
page; it only moves the wait from a person's request to the worker's start. The only write is the one a first
request makes anyway (a newly shipped definition version stored), and a failure (the database not up yet) leaves
the worker to fill its caches on first use, as it would without this.
"""

import logging
import time
from datetime import date

import sqlalchemy as sa

log = logging.getLogger(__name__)

# Templates are compiled for what the pages use: ours and the GOV.UK macros they import.
_TEMPLATE_SUFFIXES = (".html", ".txt")


def _database(app):
    from eha.definitions.store import active_definition_record, get_stored_definition
    from eha.extensions import db

    with app.app_context():
        db.session.execute(sa.select(1))  # the pool's first connection, with its connect-time settings
        record = active_definition_record()  # the shipped definitions stored, and the active row read
        if record is not None:
            get_stored_definition(record.name, record.version)
        db.session.rollback()


def _templates(app):
    env = app.jinja_env
    names = env.list_templates(filter_func=lambda name: name.endswith(_TEMPLATE_SUFFIXES))
    for name in names:
        env.get_template(name)


def _calendar():
    from eha.workflow.timescales import is_bank_holiday

    year = date.today().year
    for each in (year - 1, year, year + 1):
        is_bank_holiday(date(each, 1, 1))


def _pdf(app):
    from eha.pdf import base

    base.register_fonts()
    with app.app_context():
        from eha.services.documents import seal_settings

        settings = seal_settings()
    if settings is not None:
        from eha.pdf.seal import load_signer

        load_signer(*settings)


def warm_up(app):
    """Fill the process's caches; returns the seconds it took. Each part is independent: one failing is logged
    and the rest still run."""
    started = time.perf_counter()
    parts = (
        ("database", lambda: _database(app)),
        ("templates", lambda: _templates(app)),
        ("calendar", _calendar),
        ("pdf", lambda: _pdf(app)),
    )
    for name, part in parts:
        try:
            part()
        except Exception:  # a cold cache is filled on first use instead
            log.warning("warm-up: %s left to first use", name, exc_info=True)
    took = time.perf_counter() - started
    log.info("warm-up done in %.0f ms", took * 1000)
    return took
