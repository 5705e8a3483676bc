"""The NHS number, the child's consistent identifier, belongs to one child: a partial unique index; and a
meeting records why its next review is further off than the review interval (``meetings.next_review_reason``).

Replaces the plain index on ``children.nhs_number`` with ``uq_children_nhs_number`` (unique where a number is
recorded). A database where two children already share a number stops here and lists them: which child the
number belongs to is a practitioner's decision, not the migration's.

Revision ID: 0012_consistent_identifier
Revises: 0010_notification_settings
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0012_consistent_identifier"
down_revision = "0011_per_child_assessment"
branch_labels = None
depends_on = None

NOT_NULL = sa.text("nhs_number IS NOT NULL")


def _refuse_shared_numbers():
    shared = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT id FROM children WHERE nhs_number IN "
                "(SELECT nhs_number FROM children WHERE nhs_number IS NOT NULL GROUP BY nhs_number HAVING COUNT(*) > 1) "
                "ORDER BY nhs_number, id"
            )
        )
        .scalars()
    )
    ids = list(shared)
    if ids:
        raise RuntimeError(
            "Children share an NHS number, so it cannot be made unique. Correct the NHS number of these children "
            f"(ids) and run the migration again: {', '.join(str(i) for i in ids)}"
        )


def upgrade():
    _refuse_shared_numbers()
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_children_nhs_number"))
        batch_op.create_index(
            "uq_children_nhs_number", ["nhs_number"], unique=True, sqlite_where=NOT_NULL, postgresql_where=NOT_NULL
        )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_review_reason", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("next_review_reason")
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_index("uq_children_nhs_number")
        batch_op.create_index(batch_op.f("ix_children_nhs_number"), ["nhs_number"], unique=False)
