"""Indexes for the managers' reports (issue 15): the period a report covers is a range on when episodes started
and closed, and the returns read the same ranges; reviews are found by when they were recorded.

Revision ID: 0013_report_indexes
Revises: 0010_notification_settings
Create Date: 2026-12-01

"""

from alembic import op

revision = "0013_report_indexes"
down_revision = "0012_consistent_identifier"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_assessments_started_at", "assessments", ["started_at"]),
    ("ix_assessments_closed_at", "assessments", ["closed_at"]),
    ("ix_reviews_created_at", "reviews", ["created_at"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
