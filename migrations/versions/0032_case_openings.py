"""The access review without reading a quarter's audit events (issue 14).

``case_openings``: when each person last opened each case (a successful case view, section view, plan view, PDF
download, history view or export). The access review counts each person's cases opened in the last 90 days from
these rows, instead of every opening event of the window, which in a county is every case view of a quarter. The
audit chainer keeps it as it links events (``eha.audit``); filled here from the events on record.

Revision ID: 0032_case_openings
Revises: 0031_lists
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

revision = "0032_case_openings"
down_revision = "0031_lists"
branch_labels = None
depends_on = None

FILL = (
    "INSERT INTO case_openings (user_id, assessment_id, last_opened_at) "
    "SELECT user_id, assessment_id, max(occurred_at) FROM audit_events "
    "WHERE action IN ('case_viewed', 'section_viewed', 'plan_viewed', 'pdf_downloaded', 'history_viewed', 'export') "
    "AND outcome = 'success' AND user_id IS NOT NULL AND assessment_id IS NOT NULL "
    "GROUP BY user_id, assessment_id"
)


def upgrade():
    op.create_table(
        "case_openings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("last_opened_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_case_openings_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_case_openings_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "assessment_id", name=op.f("pk_case_openings")),
    )
    op.create_index("ix_case_openings_last_opened_at", "case_openings", ["last_opened_at", "user_id"])
    op.execute(FILL)


def downgrade():
    op.drop_index("ix_case_openings_last_opened_at", table_name="case_openings")
    op.drop_table("case_openings")
