"""Failed sign-ins counted for unknown email addresses and trusted browsers (device cookies).

Revision ID: 0004_sign_in_throttles
Revises: 0003_fold_child_search_names
Create Date: 2026-11-25

"""

import sqlalchemy as sa
from alembic import op

revision = "0004_sign_in_throttles"
down_revision = "0003_fold_child_search_names"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_throttles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttles")),
    )


def downgrade():
    op.drop_table("sign_in_throttles")
