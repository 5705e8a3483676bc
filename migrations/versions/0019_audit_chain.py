"""Take the audit chain off the hot path: events are written without a lock and linked into the chain afterwards.

Until now every event locked the single ``audit_chain_head`` row to read the previous hash, so every case view of
every case queued on one row lock. From this revision:

- an event gets its order (``seq``) from a sequence on PostgreSQL (SQLite, which has one writer at a time, takes
  the next number in the INSERT itself) and is signed on its own: ``hash`` is an HMAC of its content and a random
  ``nonce``, and ``prev_hash`` is empty. Writing one is one INSERT that locks nothing shared.
- the chainer (``eha.audit.chain_pending``: ``flask audit chain``, and after requests with a try-lock) appends a
  row to ``audit_links`` for each new event in turn: its position, the event, the previous link's hash and an HMAC
  over them. ``audit_links`` is append-only like ``audit_events``, and ``audit_chain_head`` now follows the last
  link (forward only, and only onto a link that exists).

Events written before this revision keep their own links (``prev_hash`` set) and stay the first part of the chain;
the first link's previous hash is the last of them. Nothing is re-signed, so no key is needed to upgrade.

Revision ID: 0019_audit_chain
Revises: 0018_user_language
Create Date: 2026-12-01

"""

import os

import sqlalchemy as sa
from alembic import op

revision = "0019_audit_chain"
down_revision = "0018_user_language"
branch_labels = None
depends_on = None

LINKS_MESSAGE = "audit_links is append-only"
HEAD_MESSAGE = "audit_chain_head only moves forward, one event at a time"


def _postgres():
    return op.get_bind().dialect.name == "postgresql"


def _links_triggers(postgres):
    if postgres:
        op.execute(
            f"""
            CREATE FUNCTION audit_links_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{LINKS_MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_links_no_update BEFORE UPDATE OR DELETE ON audit_links "
            "FOR EACH ROW EXECUTE FUNCTION audit_links_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_links_no_truncate BEFORE TRUNCATE ON audit_links "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_links_append_only()"
        )
    else:
        for name, event in (("no_update", "UPDATE"), ("no_delete", "DELETE")):
            op.execute(
                f"CREATE TRIGGER audit_links_{name} BEFORE {event} ON audit_links "
                f"BEGIN SELECT RAISE(ABORT, '{LINKS_MESSAGE}'); END"
            )


def _head_triggers(postgres, target):
    """The head's triggers: it moves onto an event (``target`` 'events', as 0006 made them) or onto a link."""
    if target == "events":
        onto = (
            "NEW.seq = OLD.seq + 1 AND EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq AND hash = NEW.last_hash)"
        )
        refuse = (
            "NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq + 1 OR NOT EXISTS ("
            "SELECT 1 FROM audit_events WHERE seq = NEW.seq AND hash = NEW.last_hash)"
        )
    else:
        # The chainer moves it once a batch, so forward by any number of links, but only onto one that exists.
        onto = (
            "NEW.seq > OLD.seq AND EXISTS (SELECT 1 FROM audit_links WHERE position = NEW.seq AND hash = NEW.last_hash)"
        )
        refuse = (
            "NEW.id IS NOT OLD.id OR NEW.seq <= OLD.seq OR NOT EXISTS ("
            "SELECT 1 FROM audit_links WHERE position = NEW.seq AND hash = NEW.last_hash)"
        )
    if postgres:
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION audit_chain_head_forward_only() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND {onto} THEN
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
    else:
        op.execute("DROP TRIGGER audit_chain_head_forward_only")
        op.execute(
            f"CREATE TRIGGER audit_chain_head_forward_only BEFORE UPDATE ON audit_chain_head WHEN {refuse} "
            f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END"
        )


def upgrade():
    postgres = _postgres()
    op.add_column("audit_events", sa.Column("nonce", sa.String(length=32), nullable=True))
    op.create_table(
        "audit_links",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["audit_events.id"], name="fk_audit_links_event_id_audit_events"),
        sa.PrimaryKeyConstraint("position", name="pk_audit_links"),
        sa.UniqueConstraint("event_id", name="uq_audit_links_event_id"),
        sa.UniqueConstraint("hash", name="uq_audit_links_hash"),
    )
    # Where the events with links of their own (written before this revision) end, found without a scan.
    op.create_index(
        "ix_audit_events_self_linked",
        "audit_events",
        ["seq"],
        postgresql_where=sa.text("prev_hash <> ''"),
        sqlite_where=sa.text("prev_hash <> ''"),
    )
    _links_triggers(postgres)
    _head_triggers(postgres, "links")
    if postgres:
        op.execute("CREATE SEQUENCE audit_events_seq AS bigint OWNED BY audit_events.seq")
        op.execute("SELECT setval('audit_events_seq', coalesce((SELECT max(seq) FROM audit_events), 0) + 1, false)")
        op.execute("ALTER TABLE audit_events ALTER COLUMN seq SET DEFAULT nextval('audit_events_seq')")


def downgrade():
    postgres = _postgres()
    bind = op.get_bind()
    unlinked = bind.execute(sa.text("SELECT count(*) FROM audit_events WHERE prev_hash = ''")).scalar()
    # EHA_AUDIT_DOWNGRADE_ANYWAY=1 is for bench and scratch databases (the scale bench's "before" run), never live.
    if unlinked and os.environ.get("EHA_AUDIT_DOWNGRADE_ANYWAY") != "1":
        raise RuntimeError(
            f"{unlinked} audit events were written by the chainer's release (linked in audit_links): the release "
            "before cannot verify them, so this downgrade would break the trail. Restore a backup instead."
        )
    if postgres:
        op.execute("ALTER TABLE audit_events ALTER COLUMN seq DROP DEFAULT")
        op.execute("DROP SEQUENCE audit_events_seq")
        op.execute("DROP TRIGGER audit_links_no_truncate ON audit_links")
        op.execute("DROP TRIGGER audit_links_no_update ON audit_links")
        op.execute("DROP FUNCTION audit_links_append_only()")
    else:
        op.execute("DROP TRIGGER audit_links_no_update")
        op.execute("DROP TRIGGER audit_links_no_delete")
    _head_triggers(postgres, "events")
    op.drop_index("ix_audit_events_self_linked", table_name="audit_events")
    op.drop_table("audit_links")
    op.drop_column("audit_events", "nonce")
