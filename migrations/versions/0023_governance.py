"""Subject access redactions say why; a closure not signed off keeps its reason on the case.

A manager's reason for not signing off a closure was kept only in the audit detail (``why``), which must hold no
free text (issue 19): it now lives in ``closure_returns``, on the case, and goes with it at disposal. Reasons typed
before this change stay where they are, in the trail, which cannot be rewritten.

A practitioner (the lead professional of one of the request's cases) marks each third party to withhold with the
Data Protection Act 2018 exemption relied on, which the response names, and why, which the reviewing manager reads.
Marks made before this change relied on the third-party exemption.

Revision ID: 0023_governance
Revises: 0021_report_indexes
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0023_governance"
down_revision = "0021_report_indexes"
branch_labels = None
depends_on = None

EXEMPTIONS = "exemption IN ('third_party', 'serious_harm', 'crime', 'legal_privilege')"


def upgrade():
    op.create_table(
        "closure_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("closure_reason", sa.String(length=40), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("returned_by_id", sa.Integer(), nullable=False),
        sa.Column("returned_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_closure_returns_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["returned_by_id"], ["users.id"], name=op.f("fk_closure_returns_returned_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure_returns")),
    )
    op.create_index(op.f("ix_closure_returns_assessment_id"), "closure_returns", ["assessment_id"], unique=False)
    with op.batch_alter_table("sar_redactions") as batch_op:
        batch_op.add_column(sa.Column("exemption", sa.String(length=40), server_default="third_party", nullable=False))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.create_check_constraint(batch_op.f("ck_sar_redactions_exemption"), EXEMPTIONS)


def downgrade():
    with op.batch_alter_table("sar_redactions") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_sar_redactions_exemption"), type_="check")
        batch_op.drop_column("reason")
        batch_op.drop_column("exemption")
    op.drop_index(op.f("ix_closure_returns_assessment_id"), table_name="closure_returns")
    op.drop_table("closure_returns")
