"""Subject access redactions say why: the exemption relied on and the practitioner's reason.

A practitioner (the lead professional of one of the request's cases) marks each third party to withhold with the
Data Protection Act 2018 exemption relied on, which the response names, and why, which the reviewing manager reads.
Marks made before this change relied on the third-party exemption.

Revision ID: 0023_governance
Revises: 0017_kept_reasons
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0023_governance"
down_revision = "0017_kept_reasons"
branch_labels = None
depends_on = None

EXEMPTIONS = "exemption IN ('third_party', 'serious_harm', 'crime', 'legal_privilege')"


def upgrade():
    with op.batch_alter_table("sar_redactions") as batch_op:
        batch_op.add_column(sa.Column("exemption", sa.String(length=40), server_default="third_party", nullable=False))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.create_check_constraint(batch_op.f("ck_sar_redactions_exemption"), EXEMPTIONS)


def downgrade():
    with op.batch_alter_table("sar_redactions") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_sar_redactions_exemption"), type_="check")
        batch_op.drop_column("reason")
        batch_op.drop_column("exemption")
