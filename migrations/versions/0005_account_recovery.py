"""Account recovery: emailed single-use password links, and two-person resets of the second factor.

An administrator no longer sets passwords: a link goes to the user's own email (only its SHA-256 is stored).
Clearing someone's second factor waits for a second person's approval (``mfa_reset_requests``).

Revision ID: 0005_account_recovery
Revises: 0003_fold_child_search_names
Create Date: 2026-11-26

"""

import sqlalchemy as sa
from alembic import op

revision = "0005_account_recovery"
down_revision = "0004_sign_in_throttles"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "password_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("purpose IN ('reset', 'setup')", name=op.f("ck_password_links_purpose")),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_password_links_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_password_links_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_links_token_hash")),
    )
    with op.batch_alter_table("password_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_links_user_id"), ["user_id"], unique=False)

    op.create_table(
        "mfa_reset_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'approved', 'declined')", name=op.f("ck_mfa_reset_requests_status")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_mfa_reset_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_mfa_reset_requests_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_mfa_reset_requests_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_reset_requests")),
    )
    with op.batch_alter_table("mfa_reset_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mfa_reset_requests_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_mfa_reset_requests_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("mfa_reset_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mfa_reset_requests_user_id"))
        batch_op.drop_index(batch_op.f("ix_mfa_reset_requests_status"))
    op.drop_table("mfa_reset_requests")
    with op.batch_alter_table("password_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_links_user_id"))
    op.drop_table("password_links")
