"""Rewriting the audit trail is found: events are signed with a key the database does not hold, the chain head
only moves forward, and signed checkpoints kept elsewhere (``flask audit anchor``) show removed events.

Each attack is done as someone with full access to the database would do it: the triggers bypassed, every
hash recomputed with the published algorithm.
"""

import hashlib
import hmac
import threading

import pytest
import sqlalchemy as sa

from eha import audit, create_app
from eha.extensions import db
from eha.models.audit import AuditChainHead, AuditEvent, AuditLink
from eha.transaction import committing
from tests.security.audit_tampering import tamper

OLD_KEY = "old-audit-key-for-tests-0123456789abcdefghij"
NEW_KEY = "new-audit-key-for-tests-9876543210zyxwvutsrq"
GUESSED_KEY = "a-guess-at-the-audit-key-0000000000000000000"


def _events(n, action="case_viewed"):
    for i in range(n):
        audit.record(action, detail={"n": i})
    db.session.commit()
    audit.chain_pending()  # as the running service does within seconds


def _is_postgres():
    return db.engine.dialect.name == "postgresql"


def _tamper(*statements):
    tamper(*statements)


def _unkeyed(message):
    return hashlib.sha256(message).hexdigest()


def _guessed(message):
    return hmac.new(GUESSED_KEY.encode(), message, hashlib.sha256).hexdigest()


# How someone without the key might re-sign: (sign a message, the key id they write on what they sign).
SIGNERS = {
    "unkeyed": (_unkeyed, None),
    "guessed-key": (_guessed, None),
    "guessed-key-and-id": (_guessed, audit.key_id(GUESSED_KEY)),
}


def _rewrite(seq, sign, new_key_id=None, email="someone.else@example.org"):
    """Change event ``seq``'s user and re-sign it, and every link from its own on, with ``sign``, moving the head
    along: all that someone with the database and the published algorithm, but not the key, can do."""
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.seq == seq)).one()
    links = db.session.scalars(sa.select(AuditLink).order_by(AuditLink.position)).all()
    events = {e.id: e for e in db.session.scalars(sa.select(AuditEvent))}
    db.session.expunge_all()
    event.user_email = email
    event.key_id = new_key_id or event.key_id
    event.hash = sign(audit._canonical_own(event))
    statements = [
        (
            "UPDATE audit_events SET user_email = :email, key_id = :key, hash = :hash WHERE id = :id",
            {"email": email, "key": event.key_id, "hash": event.hash, "id": event.id},
        )
    ]
    prev_hash, rewriting = audit.GENESIS_HASH, False
    for link in links:
        rewriting = rewriting or link.event_id == event.id
        if rewriting:
            linked = events[link.event_id] if link.event_id != event.id else event
            key = new_key_id or link.key_id
            link.hash = sign(audit._link_message(link.position, linked.seq, linked.hash, prev_hash, key))
            statements.append(
                (
                    "UPDATE audit_links SET prev_hash = :prev, key_id = :key, hash = :hash WHERE position = :p",
                    {"prev": prev_hash, "key": key, "hash": link.hash, "p": link.position},
                )
            )
        prev_hash = link.hash
    statements.append(("UPDATE audit_chain_head SET last_hash = :hash", {"hash": prev_hash}))
    _tamper(*statements)


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def _anchor(app, path):
    result = app.test_cli_runner().invoke(args=["audit", "anchor", "--output", str(path)])
    assert result.exit_code == 0, result.output
    return result


# --- the two rewrites from the penetration test ---


@pytest.mark.parametrize("signer", SIGNERS.values(), ids=SIGNERS.keys())
def test_rewriting_an_event_and_re_hashing_every_later_one_is_found(app, tmp_path, signer):
    _events(5)
    anchors = tmp_path / "anchors.log"
    _anchor(app, anchors)
    _rewrite(3, *signer)
    assert db.session.scalar(sa.select(AuditEvent.user_email).where(AuditEvent.seq == 3)) == "someone.else@example.org"

    result = _verify(app)
    assert result.exit_code == 1
    assert "Audit trail broken at event 3" in result.output
    with_anchor = _verify(app, "--anchor", str(anchors))
    assert with_anchor.exit_code == 1
    assert f"Checkpoint on line 1 of {anchors} (event 5," in with_anchor.output
    assert "the chain is broken at event 3, before it" in with_anchor.output


def test_a_rewrite_signed_with_the_real_key_is_still_found_by_an_earlier_checkpoint(app, tmp_path):
    """Someone who has stolen the key as well can re-sign a rewrite, but not the checkpoints kept elsewhere."""
    _events(5)
    anchors = tmp_path / "anchors.log"
    _anchor(app, anchors)
    key = app.config["EHA_AUDIT_KEY"].encode()
    _rewrite(2, lambda message: hmac.new(key, message, hashlib.sha256).hexdigest())

    assert _verify(app).exit_code == 0  # what the key alone cannot show
    result = _verify(app, "--anchor", str(anchors))
    assert result.exit_code == 1
    assert "(event 5," in result.output and "event 5 has a different hash now" in result.output


def test_deleting_the_last_event_and_moving_the_head_back_is_found_by_the_checkpoint(app, tmp_path):
    _events(5)
    anchors = tmp_path / "anchors.log"
    _anchor(app, anchors)
    _tamper(
        "DELETE FROM audit_links WHERE position = 5",
        "DELETE FROM audit_events WHERE seq = 5",
        "UPDATE audit_chain_head SET seq = 4, last_hash = (SELECT hash FROM audit_links WHERE position = 4)",
    )

    plain = _verify(app)
    assert plain.exit_code == 0 and "4 events checked" in plain.output  # the chain itself is consistent
    result = _verify(app, "--anchor", str(anchors))
    assert result.exit_code == 1
    assert f"Checkpoint on line 1 of {anchors} (event 5," in result.output
    assert "event 5 is no longer on the chain, which now ends at event 4" in result.output

    # Writing a new fifth event does not hide it: it cannot have the removed one's hash.
    _events(1)
    result = _verify(app, "--anchor", str(anchors))
    assert result.exit_code == 1 and "event 5 has a different hash now" in result.output


def test_flask_audit_anchor_refuses_to_anchor_a_chain_that_has_lost_an_anchored_event(app, tmp_path):
    _events(3)
    anchors = tmp_path / "anchors.log"
    _anchor(app, anchors)
    _tamper(
        "DELETE FROM audit_links WHERE position = 3",
        "DELETE FROM audit_events WHERE seq = 3",
        "UPDATE audit_chain_head SET seq = 2, last_hash = (SELECT hash FROM audit_links WHERE position = 2)",
    )
    before = anchors.read_text()
    result = app.test_cli_runner().invoke(args=["audit", "anchor", "--output", str(anchors)])
    assert result.exit_code == 1
    assert "(event 3," in result.output and "Nothing anchored" in result.output
    assert anchors.read_text() == before


def test_flask_audit_anchor_refuses_to_anchor_a_broken_chain(app, tmp_path):
    _events(3)
    _rewrite(2, _unkeyed)
    anchors = tmp_path / "anchors.log"
    result = app.test_cli_runner().invoke(args=["audit", "anchor", "--output", str(anchors)])
    assert result.exit_code == 1
    assert "broken at event 2" in result.output and "Nothing anchored" in result.output
    assert not anchors.exists()


# --- the head table's triggers ---

HEAD_REFUSALS = {
    "delete": "DELETE FROM audit_chain_head",
    "move back": "UPDATE audit_chain_head SET seq = 2, last_hash = (SELECT hash FROM audit_links WHERE position = 2)",
    "change the hash only": "UPDATE audit_chain_head SET last_hash = (SELECT hash FROM audit_links WHERE position = 2)",
    "skip ahead": "UPDATE audit_chain_head SET seq = seq + 2",
    "advance to no event": f"UPDATE audit_chain_head SET seq = seq + 1, last_hash = '{'f' * 64}'",
    "a second row": f"INSERT INTO audit_chain_head (id, seq, last_hash) VALUES (2, 1, '{'e' * 64}')",
}


@pytest.mark.parametrize("sql", HEAD_REFUSALS.values(), ids=HEAD_REFUSALS.keys())
def test_the_database_refuses_to_move_the_chain_head_other_than_forward_onto_a_link(app, sql):
    _events(3)
    with pytest.raises(sa.exc.DatabaseError, match="only moves forward"):
        with db.engine.begin() as conn:
            conn.execute(sa.text(sql))
    head = db.session.get(AuditChainHead, 1)
    assert head.seq == 3
    assert _verify(app).exit_code == 0


def test_the_database_refuses_to_empty_the_chain_head_by_truncate_or_replace(app):
    _events(2)
    sql = (
        "TRUNCATE audit_chain_head"
        if _is_postgres()
        else f"INSERT OR REPLACE INTO audit_chain_head (id, seq, last_hash) VALUES (1, 1, '{'d' * 64}')"
    )
    with pytest.raises(sa.exc.DatabaseError, match="only moves forward"):
        with db.engine.begin() as conn:
            conn.execute(sa.text(sql))
    assert db.session.get(AuditChainHead, 1).seq == 2


# --- checkpoints and the command line ---


def test_checkpoints_are_signed_lines_and_verify_passes_when_all_are_on_the_chain(app, tmp_path):
    anchors = tmp_path / "anchors.log"
    _events(2)
    first = _anchor(app, anchors)
    assert "Anchored event 2 in" in first.output
    _events(3)
    _anchor(app, anchors)
    lines = anchors.read_text().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("eha-audit-anchor v1 seq=5 hash=")
    head = db.session.get(AuditChainHead, 1)
    assert f"hash={head.last_hash} " in lines[1] and " at=" in lines[1] and " mac=" in lines[1]

    result = _verify(app, "--anchor", str(anchors))
    assert result.exit_code == 0, result.output
    assert "Audit trail intact: 5 events checked." in result.output
    assert f"All 2 checkpoints in {anchors} are on the chain (the latest: event 5" in result.output


def test_checkpoints_shipped_through_syslog_are_read_among_other_lines(app, tmp_path):
    _events(2)
    line = app.test_cli_runner().invoke(args=["audit", "anchor", "--output", "-"]).output.strip()
    assert line.startswith("eha-audit-anchor v1 seq=2 ")
    syslog = tmp_path / "messages"
    syslog.write_text(
        f"Nov 25 02:00:01 app1 CRON[123]: (eha) CMD (flask audit anchor)\nNov 25 02:00:02 app1 eha-audit: {line}\n"
    )
    result = _verify(app, "--anchor", str(syslog))
    assert result.exit_code == 0, result.output
    assert "All 1 checkpoints" in result.output


def test_an_altered_checkpoint_is_named_by_verify(app, tmp_path):
    _events(6)
    anchors = tmp_path / "anchors.log"
    _anchor(app, anchors)
    _anchor(app, anchors)
    good, second = anchors.read_text().splitlines()
    # Point the second checkpoint at an earlier event, as someone hiding later removals would.
    earlier = db.session.scalar(sa.select(AuditEvent.hash).where(AuditEvent.seq == 4))
    forged = second.replace("seq=6 ", "seq=4 ").replace(second.split("hash=")[1].split()[0], earlier)
    anchors.write_text(f"{good}\n{forged}\n")
    result = _verify(app, "--anchor", str(anchors))
    assert result.exit_code == 1
    assert f"Checkpoint on line 2 of {anchors} (event 4," in result.output
    assert "its signature does not match" in result.output


def test_a_file_with_no_checkpoints_does_not_pass(app, tmp_path):
    _events(1)
    empty = tmp_path / "anchors.log"
    empty.write_text("nothing to see\n")
    result = _verify(app, "--anchor", str(empty))
    assert result.exit_code == 1 and "No checkpoints found" in result.output


def test_a_missing_anchor_file_is_a_usage_error(app, tmp_path):
    result = _verify(app, "--anchor", str(tmp_path / "nowhere.log"))
    assert result.exit_code == 2


# --- keys ---


@pytest.mark.parametrize("app_settings", [{"EHA_AUDIT_KEY": OLD_KEY}])
def test_after_a_key_rotation_events_and_checkpoints_under_the_old_key_still_verify(app, database_url, tmp_path):
    _events(3)
    anchors = tmp_path / "anchors.log"
    _anchor(app, anchors)
    db.session.remove()

    rotated = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url, EHA_AUDIT_KEY=NEW_KEY, EHA_AUDIT_KEYS=f"{OLD_KEY}"
    )
    with rotated.app_context():
        _events(2)
        _anchor(rotated, anchors)
        key_ids = db.session.scalars(sa.select(AuditEvent.key_id).order_by(AuditEvent.seq)).all()
        assert key_ids == [audit.key_id(OLD_KEY)] * 3 + [audit.key_id(NEW_KEY)] * 2
        result = _verify(rotated, "--anchor", str(anchors))
        assert result.exit_code == 0, result.output
        assert "5 events checked" in result.output and "All 2 checkpoints" in result.output
        db.session.remove()
        db.engine.dispose()

    forgotten = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, EHA_AUDIT_KEY=NEW_KEY)
    with forgotten.app_context():
        result = _verify(forgotten)
        assert result.exit_code == 1
        assert "broken at event 1" in result.output
        assert f"signed with key {audit.key_id(OLD_KEY)}, which is not configured" in result.output
        db.session.remove()
        db.engine.dispose()


def test_the_key_id_names_the_key_without_revealing_it():
    assert audit.key_id(OLD_KEY) != audit.key_id(NEW_KEY)
    assert len(audit.key_id(OLD_KEY)) == 16 and audit.key_id(OLD_KEY) not in OLD_KEY


GOOD = {
    "SECRET_KEY": "s" * 40,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://eha@db.example/eha",
    "DEBUG": False,
    "EHA_AUDIT_KEY": NEW_KEY,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "EHA_BASE_URL": "https://earlyhelp.example.gov.uk",
    "MAIL_SERVER": "smtp.example.gov.uk",
}


@pytest.mark.parametrize(
    "overrides, problem",
    [
        ({"EHA_AUDIT_KEY": None}, "EHA_AUDIT_KEY must be set"),
        ({"EHA_AUDIT_KEY": "short-audit-key"}, "EHA_AUDIT_KEY must be set"),
        ({"EHA_AUDIT_KEYS": "too-short-old-key"}, "every old key in EHA_AUDIT_KEYS"),
        ({"EHA_AUDIT_KEY": __import__("config").DEV_AUDIT_KEY}, "development audit key is public"),
    ],
)
def test_production_refuses_to_start_without_a_strong_audit_key_of_its_own(overrides, problem):
    with pytest.raises(RuntimeError, match=problem):
        create_app("production", **{**GOOD, **overrides})


def test_production_starts_with_a_strong_audit_key_and_old_keys():
    app = create_app("production", **GOOD, EHA_AUDIT_KEYS=f"{OLD_KEY}, {GUESSED_KEY}")
    with app.app_context():
        current, ring = audit.keyring()
    assert current == audit.key_id(NEW_KEY)
    assert set(ring) == {audit.key_id(NEW_KEY), audit.key_id(OLD_KEY), audit.key_id(GUESSED_KEY)}


def test_development_says_it_signs_with_the_public_development_key(caplog, monkeypatch):
    monkeypatch.delenv("EHA_AUDIT_KEY", raising=False)
    create_app("development")
    assert "public development key" in caplog.text


# --- many writers at once ---


def test_events_written_at_once_by_many_requests_make_one_unbroken_chain(app):
    """Each writer locks the head before reading it (a row lock on PostgreSQL, the write lock on SQLite)."""
    _events(1)
    writers = 8
    barrier = threading.Barrier(writers)
    errors = []

    def write(n):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                with committing():
                    audit.record("case_viewed", detail={"writer": n})
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    seqs = db.session.scalars(sa.select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
    assert seqs == list(range(1, writers + 2))
    result = _verify(app)
    assert result.exit_code == 0 and f"{writers + 1} events checked" in result.output
