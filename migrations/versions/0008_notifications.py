"""The notifications outbox and each user's choice of digests.

``notifications`` holds every message eha sends (invitations with their iCalendar part, "you own a new action",
access ended, the daily and weekly digests), written in the same transaction as the change that causes it and
sent by the worker; ``key`` is unique so an event reaches each recipient once. ``notification_preferences`` is
a user's choice of digests (no row: the council's defaults).

Revision ID: 0008_notifications
Revises: 0007_people_without_accounts
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0008_notifications"
down_revision = "0007_people_without_accounts"
branch_labels = None
depends_on = None

KINDS = "kind IN ('invitation', 'invitation_update', 'invitation_cancel', 'action_owned', 'access_ended', 'daily_digest', 'weekly_digest')"
STATUSES = "status IN ('queued', 'sending', 'sent', 'failed')"


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("case_ref", sa.String(length=20), nullable=True),
        sa.Column("recipient_user_id", sa.Integer(), nullable=True),
        sa.Column("recipient_person_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("calendar", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(KINDS, name=op.f("ck_notifications_kind")),
        sa.CheckConstraint(STATUSES, name=op.f("ck_notifications_status")),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_notifications_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_person_id"], ["case_people.id"], name=op.f("fk_notifications_recipient_person_id_case_people")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"], ["users.id"], name=op.f("fk_notifications_recipient_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_recipient_user_id"), ["recipient_user_id"], unique=False)

    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("daily_digest", sa.Boolean(), nullable=False),
        sa.Column("weekly_digest", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preferences")),
    )


def downgrade():
    op.drop_table("notification_preferences")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_recipient_user_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_created_at"))
        batch_op.drop_index(batch_op.f("ix_notifications_assessment_id"))
        batch_op.drop_index("ix_notifications_due")
    op.drop_table("notifications")
