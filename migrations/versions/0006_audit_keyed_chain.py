"""Sign the audit chain with a key (HMAC-SHA256), and let the chain head move only to the next event.

Events were hashed with plain SHA-256, which anyone who can write to the database can recompute after rewriting
them. From here each event's hash is an HMAC under EHA_AUDIT_KEY (never stored in the database), and carries the
key's id so keys can be rotated.

The events already written are re-signed here rather than kept as an unkeyed prefix. A prefix would leave a way
round the key: someone who rewrote events and marked them, and every later one, "unkeyed" would still verify,
since the boundary would be recorded only in the database they control. So this migration first checks the
unkeyed chain and refuses to run if it is broken (re-signing must never launder tampering: `flask audit verify`
on the previous release names the problem), then re-signs every event in order with the current key, and records
that it did so as an audit event (with the old chain's last hash). The content of the events is unchanged.

The head table gets triggers like the events': no DELETE (nor TRUNCATE on PostgreSQL), no second row, and an
UPDATE only to seq + 1 and to the hash of the event with that seq.

Revision ID: 0006_audit_keyed_chain
Revises: 0003_fold_child_search_names
Create Date: 2026-11-25

"""

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0006_audit_keyed_chain"
down_revision = "0005_account_recovery"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
BATCH = 1000
EVENTS_MESSAGE = "audit_events is append-only"  # as 0002_audit_append_only
HEAD_MESSAGE = "audit_chain_head only moves forward, one event at a time"

events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("seq", sa.BigInteger),
    sa.column("occurred_at", sa.DateTime),
    sa.column("user_id", sa.Integer),
    sa.column("user_email", sa.String),
    sa.column("user_name", sa.String),
    sa.column("user_role", sa.String),
    sa.column("agency_name", sa.String),
    sa.column("assessment_id", sa.Integer),
    sa.column("case_ref", sa.String),
    sa.column("action", sa.String),
    sa.column("outcome", sa.String),
    sa.column("detail", sa.JSON),
    sa.column("ip_address", sa.String),
    sa.column("prev_hash", sa.String),
    sa.column("key_id", sa.String),
    sa.column("hash", sa.String),
)
head_table = sa.table(
    "audit_chain_head", sa.column("id", sa.Integer), sa.column("seq", sa.BigInteger), sa.column("last_hash", sa.String)
)

_CONTENT = (
    "seq",
    "user_id",
    "user_email",
    "user_name",
    "user_role",
    "agency_name",
    "assessment_id",
    "case_ref",
    "action",
    "outcome",
    "detail",
    "ip_address",
    "prev_hash",
)


# Frozen copies of eha.audit's canonical form, hash and key id as they were when this migration was written.
def _canonical(row, keyed):
    payload = {name: row[name] for name in _CONTENT}
    payload["occurred_at"] = row["occurred_at"].isoformat(timespec="microseconds")
    if keyed:
        payload["key_id"] = row["key_id"]
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _unkeyed_hash(row):
    return hashlib.sha256(_canonical(row, keyed=False)).hexdigest()


def _keyed_hash(row, key):
    return hmac.new(key.encode(), _canonical(row, keyed=True), hashlib.sha256).hexdigest()


def _key_id(key):
    return hmac.new(key.encode(), b"eha audit key id", hashlib.sha256).hexdigest()[:16]


def _current_key():
    key = current_app.config.get("EHA_AUDIT_KEY")
    if not key:
        raise RuntimeError("Set EHA_AUDIT_KEY before upgrading: this migration signs the audit trail with it.")
    return key


def _old_keys():
    value = current_app.config.get("EHA_AUDIT_KEYS") or ()
    return [k for k in re.split(r"[\s,]+", value) if k] if isinstance(value, str) else list(value)


def _rechain(bind, check, sign=None, *, keyed=True):
    """Walk the events in order: ``check(row)`` says why one is bad (or None); ``sign(row)`` gives its new
    (key_id, hash), with ``row["prev_hash"]`` already set to the new previous hash. Returns (count, old last hash,
    new last hash). Without ``sign`` it only checks, which is done first: SQLite does not roll back DDL."""
    old_prev = new_prev = GENESIS_HASH
    count = 0
    while True:
        rows = (
            bind.execute(
                sa.select(*(c for c in events.c if keyed or c.name != "key_id"))
                .where(events.c.seq > count)
                .order_by(events.c.seq)
                .limit(BATCH)
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        updates = []
        for row in rows:
            problem = "an event is missing" if row["seq"] != count + 1 else None
            problem = problem or ("its previous-hash link does not match" if row["prev_hash"] != old_prev else None)
            problem = problem or check(row)
            if problem:
                raise RuntimeError(
                    f"The audit trail is broken at event {row['seq']} ({problem}), so it has not been re-signed. "
                    "Find out why (flask audit verify with the release you are upgrading from) before upgrading."
                )
            new_row = dict(row, prev_hash=new_prev)
            key_id, new_hash = sign(new_row) if sign else (None, row["hash"])
            updates.append({"row_id": row["id"], "new_prev": new_prev, "new_key_id": key_id, "new_hash": new_hash})
            old_prev, new_prev = row["hash"], new_hash
            count = row["seq"]
        if not sign:
            continue
        bind.execute(
            events.update()
            .where(events.c.id == sa.bindparam("row_id"))
            .values(
                prev_hash=sa.bindparam("new_prev"), key_id=sa.bindparam("new_key_id"), hash=sa.bindparam("new_hash")
            ),
            updates,
        )
    head = bind.execute(sa.select(head_table).where(head_table.c.id == 1)).mappings().first()
    if count and (head is None or head["seq"] != count or head["last_hash"] != old_prev):
        raise RuntimeError(
            "The audit trail ends early (its head names a later event), so it has not been re-signed. "
            "Find out why (flask audit verify with the release you are upgrading from) before upgrading."
        )
    if count and sign:
        bind.execute(head_table.update().where(head_table.c.id == 1).values(last_hash=new_prev))
    return count, old_prev, new_prev


def _record_resigning(bind, count, old_last, new_last, key):
    now = datetime.now(UTC).replace(tzinfo=None)
    row = {name: None for name in _CONTENT}
    row.update(
        seq=count + 1,
        occurred_at=now,
        action="admin_change",
        outcome="success",
        prev_hash=new_last,
        key_id=_key_id(key),
        detail={
            "change": "audit trail signed with a key",
            "events": count,
            "key_id": _key_id(key),
            "unkeyed_last_hash": old_last,
            "via": "migration 0006_audit_keyed_chain",
        },
    )
    row["hash"] = _keyed_hash(row, key)
    bind.execute(events.insert().values(**row))
    bind.execute(head_table.update().where(head_table.c.id == 1).values(seq=count + 1, last_hash=row["hash"]))


def _events_triggers_off(postgres):
    if postgres:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")


def _events_triggers_on(postgres):
    if postgres:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update")
    else:
        op.execute(
            f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, '{EVENTS_MESSAGE}'); END"
        )
        op.execute(
            f"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, '{EVENTS_MESSAGE}'); END"
        )


def _create_head_triggers(postgres):
    if postgres:
        op.execute(
            f"""
            CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 AND EXISTS (
                    SELECT 1 FROM audit_events WHERE seq = NEW.seq AND hash = NEW.last_hash
                ) THEN
                    RETURN NEW;
                END IF;
                IF TG_OP = 'INSERT' AND NOT EXISTS (SELECT 1 FROM audit_chain_head) THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '{HEAD_MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
            """  # noqa: S608 - constants only
        )
        op.execute(
            "CREATE TRIGGER audit_chain_head_forward_only BEFORE INSERT OR UPDATE OR DELETE ON audit_chain_head "
            "FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_forward_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_chain_head_forward_only BEFORE UPDATE ON audit_chain_head "  # noqa: S608
            "WHEN NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq + 1 OR NOT EXISTS ("
            "SELECT 1 FROM audit_events WHERE seq = NEW.seq AND hash = NEW.last_hash) "
            f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END"
        )
        op.execute(
            f"CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head "
            f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END"
        )
        # INSERT OR REPLACE would delete the row without firing the DELETE trigger.
        op.execute(
            "CREATE TRIGGER audit_chain_head_one_row BEFORE INSERT ON audit_chain_head "  # noqa: S608
            "WHEN EXISTS (SELECT 1 FROM audit_chain_head) "
            f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END"
        )


def _drop_head_triggers(postgres):
    if postgres:
        op.execute("DROP TRIGGER audit_chain_head_no_truncate ON audit_chain_head")
        op.execute("DROP TRIGGER audit_chain_head_forward_only ON audit_chain_head")
        op.execute("DROP FUNCTION audit_chain_head_forward_only()")
    else:
        op.execute("DROP TRIGGER audit_chain_head_one_row")
        op.execute("DROP TRIGGER audit_chain_head_no_delete")
        op.execute("DROP TRIGGER audit_chain_head_forward_only")


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    key = _current_key()
    if postgres:
        # Writers lock the head, then insert an event: take both first, in that order, so none waits on us mid-way.
        op.execute("LOCK TABLE audit_chain_head, audit_events IN ACCESS EXCLUSIVE MODE")

    def check(row):
        return None if _unkeyed_hash(row) == row["hash"] else "its content does not match its hash"

    _rechain(bind, check, keyed=False)
    _events_triggers_off(postgres)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))

    def sign(row):
        row["key_id"] = _key_id(key)
        return row["key_id"], _keyed_hash(row, key)

    count, old_last, new_last = _rechain(bind, check, sign)
    if count:
        _record_resigning(bind, count, old_last, new_last, key)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("key_id", existing_type=sa.String(length=16), nullable=False)
    _events_triggers_on(postgres)
    # The head row exists from the start, so the first two events written at once cannot both create it.
    bind.execute(
        sa.insert(head_table).from_select(
            ["id", "seq", "last_hash"],
            sa.select(sa.literal(1), sa.literal(0), sa.literal(GENESIS_HASH)).where(
                ~sa.exists().where(head_table.c.id == 1)
            ),
        )
    )
    _create_head_triggers(postgres)


def downgrade():
    """Back to unkeyed SHA-256 hashes, after checking every event's HMAC with the configured keys."""
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    keys = {_key_id(k): k for k in [*_old_keys(), _current_key()]}
    if postgres:
        op.execute("LOCK TABLE audit_chain_head, audit_events IN ACCESS EXCLUSIVE MODE")

    def check(row):
        key = keys.get(row["key_id"])
        if key is None:
            return f"it is signed with key {row['key_id']}, which is not configured"
        return None if hmac.compare_digest(_keyed_hash(row, key), row["hash"]) else "its content does not match"

    def unsign(row):
        return row["key_id"], _unkeyed_hash(row)  # the column goes next

    _rechain(bind, check)
    _drop_head_triggers(postgres)
    _events_triggers_off(postgres)
    _rechain(bind, lambda row: None, unsign)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("key_id")
    _events_triggers_on(postgres)
