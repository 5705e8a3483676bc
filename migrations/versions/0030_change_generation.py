"""Change generation (issue 14): one row bumped by every transaction that changes data a page shows, so each process
knows when a page it kept is out of date (eha/page_cache.py).

Revision ID: 0030_change_generation
Revises: 0029_report_speed
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

revision = "0030_change_generation"
down_revision = "0029_report_speed"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "change_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_generation")),
    )
    op.bulk_insert(table, [{"id": 1, "n": 0}])


def downgrade():
    op.drop_table("change_generation")
