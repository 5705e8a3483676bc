"""Indexes for the slowest reports at county scale (issue 15): time in each state reads every case's workflow
moves from the audit trail in chain order, and timeliness reads each case's held meetings in date order. Both
partial indexes hold only those rows (and, on PostgreSQL, the columns the reports read), so the reports scan
them in order without sorting or touching the rest of the table.

Revision ID: 0021_report_indexes
Revises: 0019_audit_chain
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0021_report_indexes"
down_revision = "0019_audit_chain"
branch_labels = None
depends_on = None

TRANSITIONS_WHERE = "action IN ('closure_rejected', 'closure_requested', 'transition') AND outcome = 'success'"
HELD_WHERE = "status = 'held'"


def upgrade():
    op.create_index(
        "ix_audit_events_transitions",
        "audit_events",
        ["assessment_id", "seq"],
        postgresql_include=["occurred_at", "detail"],
        postgresql_where=sa.text(TRANSITIONS_WHERE),
        sqlite_where=sa.text(TRANSITIONS_WHERE),
    )
    op.create_index(
        "ix_meetings_held",
        "meetings",
        ["assessment_id", "held_on", "id"],
        postgresql_include=["kind"],
        postgresql_where=sa.text(HELD_WHERE),
        sqlite_where=sa.text(HELD_WHERE),
    )


def downgrade():
    op.drop_index("ix_meetings_held", table_name="meetings")
    op.drop_index("ix_audit_events_transitions", table_name="audit_events")
