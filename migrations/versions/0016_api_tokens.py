"""The JSON API (issue 17): personal access tokens, OAuth clients, webhook subscriptions, webhook deliveries.

Tokens and client secrets are stored as SHA-256 digests only. Webhook deliveries are rows of the notifications
outbox of kind ``webhook`` (``notifications.webhook_id`` names the subscription), so they are written with the
change that causes them and retried by the same worker.

Revision ID: 0016_api_tokens
Revises: 0010_notification_settings
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0016_api_tokens"
down_revision = "0015_single_sign_on"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('invitation', 'invitation_update', 'invitation_cancel', 'action_owned', 'access_ended', 'daily_digest', 'weekly_digest')"
NEW_KINDS = "kind IN ('invitation', 'invitation_update', 'invitation_cancel', 'action_owned', 'access_ended', 'daily_digest', 'weekly_digest', 'webhook')"


def upgrade():
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_api_clients_created_by_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_clients_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_api_clients_client_id")),
    )
    op.create_index(op.f("ix_api_clients_user_id"), "api_clients", ["user_id"], unique=False)
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('personal', 'client')", name=op.f("ck_api_tokens_kind")),
        sa.ForeignKeyConstraint(["client_id"], ["api_clients.id"], name=op.f("fk_api_tokens_client_id_api_clients")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_client_id"), "api_tokens", ["client_id"], unique=False)
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=320), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("events", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_clients.id"], name=op.f("fk_webhook_subscriptions_client_id_api_clients")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_webhook_subscriptions_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_index(op.f("ix_webhook_subscriptions_client_id"), "webhook_subscriptions", ["client_id"], unique=False)
    op.create_index(op.f("ix_webhook_subscriptions_owner_id"), "webhook_subscriptions", ["owner_id"], unique=False)
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(sa.Column("webhook_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_notifications_webhook_id"), ["webhook_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_webhook_id_webhook_subscriptions"),
            "webhook_subscriptions",
            ["webhook_id"],
            ["id"],
        )
        batch_op.drop_constraint(batch_op.f("ck_notifications_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notifications_kind"), sa.text(NEW_KINDS))


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'webhook'")
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notifications_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notifications_kind"), sa.text(OLD_KINDS))
        batch_op.drop_constraint(batch_op.f("fk_notifications_webhook_id_webhook_subscriptions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_notifications_webhook_id"))
        batch_op.drop_column("webhook_id")
    op.drop_table("webhook_subscriptions")
    op.drop_table("api_tokens")
    op.drop_table("api_clients")
