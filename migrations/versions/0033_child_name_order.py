"""Finding a child with a common surname without reading every child of that name (issue 14). PostgreSQL only.

- ``ix_children_name_order``: last name, first name (folded, byte order) and id. The first 51 Smiths, say, are
  read from it in order, instead of all 2,000 being gathered from the trigram index and sorted.
- ``ix_children_later_names_trgm``: a trigram index on the first name and any later part of the last name
  (``eha.services.assessments._later_names``). It finds the children a word matches other than at the start of
  their last name: a first name, or "wis" in Nowak-Wiśniewska.

SQLite keeps its folded prefix search, which reads the children's table as before.

Revision ID: 0033_child_name_order
Revises: 0032_case_openings
Create Date: 2026-12-03

"""

from alembic import op

revision = "0033_child_name_order"
down_revision = "0032_case_openings"
branch_labels = None
depends_on = None

LATER_NAMES = "(search_first_name)::text || ' ' || regexp_replace(search_last_name, '^[^ -]+', '')"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        'CREATE INDEX ix_children_name_order ON children ((search_last_name COLLATE "C"), '
        '(search_first_name COLLATE "C"), id)'
    )
    op.execute(f"CREATE INDEX ix_children_later_names_trgm ON children USING gin (({LATER_NAMES}) gin_trgm_ops)")
    op.execute("ANALYZE children")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_children_later_names_trgm")
    op.execute("DROP INDEX ix_children_name_order")
