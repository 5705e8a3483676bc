"""The council's notification settings: digest defaults and sender details, set by an administrator (issue 16).

``notification_settings`` holds at most one row (``id`` 1, a check constraint). No row means the config values
(``EHA_DIGEST_DAILY_DEFAULT``, ``EHA_DIGEST_WEEKLY_DEFAULT``, ``MAIL_FROM``), so nothing changes until an
administrator saves the page.

Revision ID: 0010_notification_settings
Revises: 0009_scale_indexes
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_notification_settings"
down_revision = "0009_scale_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notification_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("daily_digest_default", sa.Boolean(), nullable=False),
        sa.Column("weekly_digest_default", sa.Boolean(), nullable=False),
        sa.Column("sender_name", sa.String(length=100), nullable=True),
        sa.Column("sender_email", sa.String(length=320), nullable=False),
        sa.Column("reply_to", sa.String(length=320), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_notification_settings_single_row")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_notification_settings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_settings")),
    )


def downgrade():
    op.drop_table("notification_settings")
