"""A page drawn once and served again while nothing it could show has changed (issue 14, part 5).

``@cached`` keeps the HTML a signed-in page drew, per process, for the same person (id, role, agency, name), the same
address, language and day, and serves it again with this request's CSP nonce and CSRF token put back in. A kept page
is served only while the database's **change generation** is the one read before the page was drawn:

- every transaction that changes data a page could show bumps ``change_generation.n`` as its last statement, in the
  same transaction (the engine's ``commit`` event), so the bump is visible exactly when the change is, to every
  worker and every server on the database. What only the audit trail, the session store and the sign-in throttles
  write (a case view's audit event, the chainer's links) does not count: no page that is kept shows them;
- a page reads the generation first, then its data (READ COMMITTED on PostgreSQL, one writer at a time on SQLite):
  a change committed after the read is caught by the next request's read, never hidden under the old generation;
- a change made outside eha (``psql``) is not seen: ``EHA_PAGE_CACHE_SECONDS`` (60 by default) bounds how long any
  page is kept, which also bounds what turns on the time of day. ``0`` turns the cache off.

Pages with a message to flash are drawn afresh and not kept; so is anything but a 200 to GET or HEAD. Any change
anywhere empties every kept page, so the cache serves the pages people reload and return to between changes; with
many people writing, most pages are drawn (the draw costs what it did before, plus one read of one row).
"""

import functools
import re
import threading
import time
import weakref
from collections import OrderedDict
from datetime import date

import sqlalchemy as sa
from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from eha.auth.security import csp_nonce
from eha.extensions import db
from eha.i18n import current_language

# Written by reads and by the trail, shown by no kept page (see the module's docstring).
UNSHOWN_TABLES = frozenset({"audit_events", "audit_links", "audit_chain_head", "user_sessions", "sign_in_throttles"})
PAGES = 512
_NONCE, _CSRF = "\x00eha-nonce\x00", "\x00eha-csrf\x00"
_CHANGED = "eha_data_changed"
_READS = ("SELECT", "SHOW", "EXPLAIN", "SAVEPOINT", "RELEASE", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SET", "VALUES")
_DML = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_DDL = ("CREATE", "DROP", "ALTER")
_BUMP = "INSERT INTO change_generation (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = change_generation.n + 1"
_PROBES = {
    "postgresql": "SELECT to_regclass('change_generation') IS NOT NULL",
    "sqlite": "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'change_generation'",
}
_table_present = weakref.WeakKeyDictionary()  # engine -> bool, until this process sees DDL
_watched = weakref.WeakSet()


class PageCache:
    """The kept pages of one app in one process, least recently served first."""

    def __init__(self, size=PAGES):
        self.size = size
        self.hits = self.misses = 0
        self._pages = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, now):
        with self._lock:
            kept = self._pages.get(key)
            if kept is None or kept[0] <= now:
                self._pages.pop(key, None)
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return kept[1]

    def put(self, key, body, expires):
        with self._lock:
            self._pages[key] = (expires, body)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self):
        with self._lock:
            self._pages.clear()

    def __len__(self):
        return len(self._pages)


def init_app(app):
    app.extensions["eha_page_cache"] = PageCache()
    with app.app_context():
        watch(db.engine)


def watch(engine):
    """Bump the change generation in every transaction on ``engine`` that changes shown data."""
    if engine in _watched:
        return
    _watched.add(engine)

    @sa.event.listens_for(engine, "before_cursor_execute")
    def note_change(conn, _cursor, statement, _parameters, _context, _executemany):
        if not conn.info.get(_CHANGED) and _changes_shown_data(engine, statement):
            conn.info[_CHANGED] = True

    @sa.event.listens_for(engine, "begin")
    def forget_on_begin(conn):
        conn.info.pop(_CHANGED, None)

    @sa.event.listens_for(engine, "rollback")
    def forget_on_rollback(conn):
        conn.info.pop(_CHANGED, None)

    @sa.event.listens_for(engine, "commit")
    def bump(conn):
        if conn.info.pop(_CHANGED, False) and _present(engine, conn):
            _raw(conn, _BUMP)


def _changes_shown_data(engine, statement):
    head = statement.lstrip()[:10].upper()
    if head.startswith(_READS):
        return False
    if head.startswith(_DDL):
        _table_present.pop(engine, None)  # the table may have come or gone: look again at the next commit
        return True
    dml = _DML.match(statement)
    return dml is None or dml.group(1).lower() not in UNSHOWN_TABLES


def _raw(conn, statement):
    """Run ``statement`` on the connection's own DBAPI cursor, inside its transaction, past the events above."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(statement)
        return cursor.fetchone() if cursor.description else None
    finally:
        cursor.close()


def _present(engine, conn):
    """Whether the database has ``change_generation`` yet (a database before migration 0030 has not)."""
    present = _table_present.get(engine)
    if present is None:
        probe = _PROBES.get(engine.dialect.name)
        present = probe is not None and bool(_raw(conn, probe)[0])
        _table_present[engine] = present
    return present


def current_generation():
    """The change generation as this request's transaction sees it, or None where there is none to read."""
    conn = db.session.connection()
    if not _present(db.engine, conn):
        return None
    return conn.exec_driver_sql("SELECT n FROM change_generation WHERE id = 1").scalar()


def cached(view):
    """Serve ``view``'s page again to the same person while nothing has changed (see the module's docstring)."""

    @functools.wraps(view)
    def wrapper(**kwargs):
        seconds = current_app.config.get("EHA_PAGE_CACHE_SECONDS", 0)
        if seconds <= 0 or request.method not in ("GET", "HEAD") or session.get("_flashes"):
            return view(**kwargs)
        generation = current_generation()  # before the page reads anything
        if generation is None:
            return view(**kwargs)
        pages = current_app.extensions["eha_page_cache"]
        key = (
            request.endpoint,
            request.full_path,
            tuple(sorted(kwargs.items())),
            current_user.id,
            current_user.role,
            current_user.agency_id,
            current_user.name,
            current_language(),
            date.today(),
            generation,
        )
        now = time.monotonic()
        body = pages.get(key, now)
        if body is not None:
            return body.replace(_NONCE, csp_nonce()).replace(_CSRF, generate_csrf())
        page = view(**kwargs)
        if isinstance(page, str) and not session.get("_flashes"):
            kept = page
            for value, sentinel in ((g.get("csp_nonce"), _NONCE), (g.get("csrf_token"), _CSRF)):
                if value:
                    kept = kept.replace(value, sentinel)
            pages.put(key, kept, now + seconds)
        return page

    return wrapper
