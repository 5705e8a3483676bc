"""The case list's name search and old page bookmarks without scanning (issue 14).

- ``assessments.search_names``: the case's children's folded names ("first last", the ``children.search_*``
  columns), separated by U+001F, kept in step on every flush (``eha.models.assessments``). The list's search then
  reads the case's own row: PostgreSQL walks the list's order and stops after one page when many cases match,
  or finds the few through a trigram index on it, instead of gathering every matching child's episodes twice
  (count and page) and sorting them all. Filled here from the children as they stand.
- PostgreSQL: ``ix_assessments_search_names_trgm``, a GIN trigram index on it (``LIKE '%smith%'``).
- PostgreSQL: ``ix_assessments_due_order`` again with ``disposed_at`` included, so the list's order and its
  "not disposed" condition are read from the index alone: an old ``?page=500`` bookmark's walk to its page and
  the manager's bounded count are index-only scans (wherever the visibility map is set: autovacuum sets it after
  a bulk load or an update of many rows; this migration vacuums the table after filling the column).
- ``case_state_counts``: how many cases are in each state, kept on every flush that adds a case or changes its
  state (``eha.models.report_facts``), so the reports page reads six rows instead of counting every case.
  Counted here from the cases as they stand.

Revision ID: 0031_lists
Revises: 0030_change_generation
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

revision = "0031_lists"
down_revision = "0030_change_generation"
branch_labels = None
depends_on = None

SEPARATOR = "\x1f"
_NAMES = "c.search_first_name || ' ' || c.search_last_name"
_AGGREGATE = {"postgresql": f"string_agg({_NAMES}, :sep)", "sqlite": f"group_concat({_NAMES}, :sep)"}
BACKFILL = (
    "UPDATE assessments SET search_names = coalesce((SELECT {aggregate} FROM assessment_children ac "
    "JOIN children c ON c.id = ac.child_id WHERE ac.assessment_id = assessments.id), '')"
)
COUNT_STATES = "INSERT INTO case_state_counts (state, cases) SELECT state, count(*) FROM assessments GROUP BY state"
DUE_ORDER = "(next_due_on IS NULL), next_due_on, id DESC"


def upgrade():
    bind = op.get_bind()
    op.create_table(
        "case_state_counts",
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("cases", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("state", name=op.f("pk_case_state_counts")),
    )
    op.execute(sa.text(COUNT_STATES))
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("search_names", sa.Text(), server_default="", nullable=False))
    op.execute(sa.text(BACKFILL.format(aggregate=_AGGREGATE[bind.dialect.name])).bindparams(sep=SEPARATOR))
    if bind.dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_assessments_search_names_trgm ON assessments USING gin (search_names gin_trgm_ops)")
        op.execute("DROP INDEX ix_assessments_due_order")
        op.execute(f"CREATE INDEX ix_assessments_due_order ON assessments ({DUE_ORDER}) INCLUDE (disposed_at)")
        # The fill rewrote every case's row: vacuum it, as autovacuum would soon after, so the old row versions
        # go, the visibility map is set again (the index-only scans above read it) and the trigram indexes'
        # pending entries are merged. Outside the migration's transaction (VACUUM cannot run inside one).
        with op.get_context().autocommit_block():
            op.execute("VACUUM (ANALYZE) assessments")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX ix_assessments_due_order")
        op.execute(f"CREATE INDEX ix_assessments_due_order ON assessments ({DUE_ORDER})")
        op.execute("DROP INDEX ix_assessments_search_names_trgm")
    # Dropped in place (PostgreSQL, and SQLite from 3.35): a batch rebuild of ``assessments`` would drop the table
    # that every case's rows reference, which SQLite's foreign keys refuse once there are cases.
    op.drop_column("assessments", "search_names")
    op.drop_table("case_state_counts")
