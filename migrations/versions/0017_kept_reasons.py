"""Keep the reasons users type for a lead handover and a TAF removal in the case's own tables.

The audit details of ``lead_changed`` and ``taf_member_removed`` hold only ``reason_given`` (issue 19: no personal
data in the append-only trail), so the reason itself lives in ``lead_changes`` and ``taf_members.removed_reason``.

Revision ID: 0017_kept_reasons
Revises: 0016_api_tokens
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0017_kept_reasons"
down_revision = "0016_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lead_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("from_user_id", sa.Integer(), nullable=False),
        sa.Column("to_user_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("old_lead_kept", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_lead_changes_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["from_user_id"], ["users.id"], name=op.f("fk_lead_changes_from_user_id_users")),
        sa.ForeignKeyConstraint(["to_user_id"], ["users.id"], name=op.f("fk_lead_changes_to_user_id_users")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_lead_changes_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_changes")),
    )
    op.create_index(op.f("ix_lead_changes_assessment_id"), "lead_changes", ["assessment_id"], unique=False)
    with op.batch_alter_table("taf_members") as batch_op:
        batch_op.add_column(sa.Column("removed_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("removed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_taf_members_removed_by_id_users"), "users", ["removed_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("taf_members") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_taf_members_removed_by_id_users"), type_="foreignkey")
        batch_op.drop_column("removed_by_id")
        batch_op.drop_column("removed_reason")
    op.drop_index(op.f("ix_lead_changes_assessment_id"), table_name="lead_changes")
    op.drop_table("lead_changes")
