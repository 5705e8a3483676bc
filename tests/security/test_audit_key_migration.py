"""Migration 0006 re-signs a trail written before the audit key, and refuses to re-sign one already broken."""

import hashlib
import json
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from config import DEV_AUDIT_KEY
from eha import audit, create_app
from eha.extensions import db
from eha.models.audit import AuditEvent

BEFORE = "0005_account_recovery"  # the revision before 0006_audit_keyed_chain


def _unkeyed_hash(row):
    """The hash as the release before the audit key computed it."""
    payload = {**row, "occurred_at": row["occurred_at"].isoformat(timespec="microseconds")}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _write_unkeyed_trail(n, *, altered_seq=None):
    """Write ``n`` events and the head as the previous release did; event ``altered_seq`` is then edited."""
    rows, prev_hash = [], "0" * 64
    for seq in range(1, n + 1):
        row = {
            "seq": seq,
            "occurred_at": datetime(2026, 11, 20, 9, seq, 0, 123456),
            "user_id": None,
            "user_email": f"worker{seq}@example.org",
            "user_name": "A Worker",
            "user_role": "practitioner",
            "agency_name": "Northshire Primary",
            "assessment_id": None,
            "case_ref": "EHA-000001",
            "action": "case_viewed",
            "outcome": "success",
            "detail": {"n": seq, "ünïcode": "✓"},
            "ip_address": "192.0.2.1",
            "prev_hash": prev_hash,
        }
        row["hash"] = prev_hash = _unkeyed_hash(row)
        if seq == altered_seq:
            row["user_email"] = "someone.else@example.org"
        rows.append(row)
    events = sa.table("audit_events", *(sa.column(name, sa.JSON if name == "detail" else None) for name in rows[0]))
    with db.engine.begin() as conn:
        conn.execute(events.insert(), rows)
        conn.execute(
            sa.text("INSERT INTO audit_chain_head (id, seq, last_hash) VALUES (1, :seq, :hash)"),
            {"seq": n, "hash": prev_hash},
        )
    return rows


def _app(url, **settings):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=url, **settings)


def test_events_written_before_the_audit_key_are_re_signed_and_verify(scratch_url):
    app = _app(scratch_url)
    with app.app_context():
        upgrade(revision=BEFORE)
        legacy = _write_unkeyed_trail(4)
        upgrade()

        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.exit_code == 0, result.output
        assert "5 events checked" in result.output
        events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert {event.key_id for event in events} == {audit.key_id(DEV_AUDIT_KEY)}
        assert [(e.user_email, e.detail, e.occurred_at) for e in events[:4]] == [
            (row["user_email"], row["detail"], row["occurred_at"]) for row in legacy
        ]
        note = events[4]
        assert note.action == "admin_change"
        assert note.detail["events"] == 4 and note.detail["unkeyed_last_hash"] == legacy[-1]["hash"]

        with pytest.raises(sa.exc.DatabaseError, match="only moves forward"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("UPDATE audit_chain_head SET seq = 1"))

        # And back: the previous release's unkeyed hashes, checked first with the key.
        db.session.remove()  # the migration locks the audit tables, and would wait for this session's reads
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT * FROM audit_events ORDER BY seq")).mappings().all()
        assert "key_id" not in rows[0]
        assert rows[0]["hash"] == legacy[0]["hash"]

        # Up again (0006 re-signs and notes it: 6 events), and the app goes on writing: its events are linked
        # after the re-signed ones (0019).
        upgrade()
        audit.record("case_viewed")
        db.session.commit()
        assert "7 events checked. (1 not linked" in app.test_cli_runner().invoke(args=["audit", "verify"]).output
        assert audit.chain_pending().linked == 1
        assert "intact: 7 events checked.\n" in app.test_cli_runner().invoke(args=["audit", "verify"]).output
        # Which the release before 0019 could not verify: going back past it is refused.
        db.session.remove()
        with pytest.raises(SystemExit):
            downgrade(revision="0017_kept_reasons")
        db.session.remove()
        db.engine.dispose()


def test_a_trail_already_broken_is_not_re_signed(scratch_url, caplog):
    app = _app(scratch_url)
    with app.app_context():
        upgrade(revision=BEFORE)
        _write_unkeyed_trail(4, altered_seq=2)
        with pytest.raises(SystemExit):  # as `flask db upgrade` exits, with the reason logged
            upgrade()
        assert "The audit trail is broken at event 2 (its content does not match its hash)" in caplog.text
        db.session.remove()
        db.engine.dispose()
    # Nothing was changed: the edit is still there to be found, under the previous release's hash.
    engine = sa.create_engine(scratch_url)
    with engine.connect() as conn:
        columns = [c["name"] for c in sa.inspect(conn).get_columns("audit_events")]
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert "key_id" not in columns
    assert version == BEFORE
