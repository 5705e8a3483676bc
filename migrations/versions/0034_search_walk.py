"""A common name's cases, soonest due first, without reading every one of them (issue 14). PostgreSQL only.

- ``ix_assessments_due_order`` again, now holding what a case search reads besides the list's order: the
  reference and the children's folded names (``search_names``) with ``disposed_at``. The first page of "smith"
  (1,243 cases at 100,000) is then found by walking the index alone until 26 match (about 2,000 entries,
  1.2 ms), where a trigram bitmap read all 1,243 cases' rows to sort them (3–4 ms).
- A finer sample of ``search_names`` (statistics target 1,000): PostgreSQL estimates how many cases a name
  matches from it, and so walks the index for a common name and takes the trigram index for a rare one. At the
  default target its estimate for "smith" swung between 20 and 3,026 from one ANALYZE to the next.

SQLite keeps its folded search over the cases' table, as before.

Revision ID: 0034_search_walk
Revises: 0033_child_name_order
Create Date: 2026-12-03

"""

from alembic import op

revision = "0034_search_walk"
down_revision = "0033_child_name_order"
branch_labels = None
depends_on = None

DUE_ORDER = "(next_due_on IS NULL), next_due_on, id DESC"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_assessments_due_order")
    op.execute(
        f"CREATE INDEX ix_assessments_due_order ON assessments ({DUE_ORDER}) INCLUDE (disposed_at, ref, search_names)"
    )
    op.execute("ALTER TABLE assessments ALTER COLUMN search_names SET STATISTICS 1000")
    op.execute("ANALYZE assessments")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE assessments ALTER COLUMN search_names SET STATISTICS -1")
    op.execute("DROP INDEX ix_assessments_due_order")
    op.execute(f"CREATE INDEX ix_assessments_due_order ON assessments ({DUE_ORDER}) INCLUDE (disposed_at)")
    op.execute("ANALYZE assessments")
