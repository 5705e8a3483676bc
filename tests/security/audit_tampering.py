"""Changing the audit tables as someone with full access to the database would: every trigger and the foreign
key from a link to its event bypassed for the statements, then put back."""

import sqlalchemy as sa

from eha.extensions import db

AUDIT_TABLES = ("audit_events", "audit_links", "audit_chain_head")


def tamper(*statements):
    """Run ``statements`` (SQL text, or (SQL, parameters) pairs) past the audit tables' protections."""
    statements = [(s, {}) if isinstance(s, str) else s for s in statements]
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            with conn.begin():
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))  # no triggers, no FK checks
                for sql, params in statements:
                    conn.execute(sa.text(sql), params)
        else:
            _tamper_sqlite(conn, statements)
    db.session.expire_all()


def _tamper_sqlite(conn, statements):
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or SQLite ignores it
    conn.commit()
    with conn.begin():
        triggers = conn.execute(
            sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN :tables").bindparams(
                sa.bindparam("tables", expanding=True)
            ),
            {"tables": list(AUDIT_TABLES)},
        ).all()
        assert len(triggers) == 7, [name for name, _ in triggers]
        for name, _sql in triggers:
            conn.execute(sa.text(f"DROP TRIGGER {name}"))
        for sql, params in statements:
            conn.execute(sa.text(sql), params)
        for _name, sql in triggers:
            conn.execute(sa.text(sql))
    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    conn.commit()
