"""Indexes for county scale: lists and searches that do not scan every case (issue 14).

- ``assessment_children.child_id``: only the partial unique index (open episodes) existed, so finding a child's
  episodes scanned the table.
- ``audit_events (assessment_id, seq)``: a case's history in chain order.
- ``taf_members (user_id, assessment_id)`` and ``access_grants (user_id, assessment_id)``: the id sets the access
  filter unions (``eha.access.visible_case_ids``).
- ``consents (assessment_id, id)``: the latest agreement of a case (``max(id)`` per case) read from the index.
- ``ix_assessments_due_order``: the case list's order (undated last, soonest due, newest first), so a page is an
  index range, not a sort of every visible case.
- PostgreSQL only: ``pg_trgm`` and GIN trigram indexes on the folded child name (first and last together) and on
  the reference, so ``LIKE '%smith%'`` is an index search. The ``search_*`` columns already hold names without
  accents or case (``eha.models.families.fold_name``, the same on SQLite and PostgreSQL), which is what
  ``unaccent`` would do; an ``unaccent()`` call cannot be indexed (it is not immutable), so the folded columns are
  indexed instead.

The expression indexes are not declared on the models (autogenerate does not compare expression indexes).

Revision ID: 0009_scale_indexes
Revises: 0008_notifications (re-chain to 0008_notifications at merge)
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0009_scale_indexes"
down_revision = "0008_notifications"
branch_labels = None
depends_on = None

NAME_EXPRESSION = "(search_first_name || ' ' || search_last_name)"


def upgrade():
    op.create_index("ix_assessment_children_child_id", "assessment_children", ["child_id"])
    op.create_index("ix_audit_events_assessment_seq", "audit_events", ["assessment_id", "seq"])
    op.create_index("ix_taf_members_user_assessment", "taf_members", ["user_id", "assessment_id"])
    op.create_index("ix_access_grants_user_assessment", "access_grants", ["user_id", "assessment_id"])
    op.create_index("ix_consents_assessment_id_id", "consents", ["assessment_id", "id"])
    op.create_index(
        "ix_assessments_due_order",
        "assessments",
        [sa.text("(next_due_on IS NULL)"), sa.text("next_due_on"), sa.text("id DESC")],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX ix_children_search_name_trgm ON children USING gin ({NAME_EXPRESSION} gin_trgm_ops)")
        op.execute("CREATE INDEX ix_assessments_ref_trgm ON assessments USING gin (upper(ref) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_assessments_ref_trgm")
        op.execute("DROP INDEX IF EXISTS ix_children_search_name_trgm")
    op.drop_index("ix_assessments_due_order", table_name="assessments")
    op.drop_index("ix_consents_assessment_id_id", table_name="consents")
    op.drop_index("ix_access_grants_user_assessment", table_name="access_grants")
    op.drop_index("ix_taf_members_user_assessment", table_name="taf_members")
    op.drop_index("ix_audit_events_assessment_seq", table_name="audit_events")
    op.drop_index("ix_assessment_children_child_id", table_name="assessment_children")
