"""Report speed (issue 15): time in state without a window over every case's moves.

``case_moves.entered_at``: when the case entered the state a move left, i.e. the time of the case's move before
it (None for a case's first move: the report reads the case's ``started_at`` then). Filled here from the moves
as they stand; from now on ``fire()`` writes it with the move (eha/models/report_facts.py). ``ix_case_moves_at``:
the report reads only the moves made in its period.

Revision ID: 0029_report_speed
Revises: 0028_definition_translations
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

revision = "0029_report_speed"
down_revision = "0028_definition_translations"
branch_labels = None
depends_on = None

# The same on SQLite and PostgreSQL: each move's previous move of its case, in chain order (the case's index).
BACKFILL = (
    "UPDATE case_moves SET entered_at = (SELECT p.at FROM case_moves p WHERE p.assessment_id = "
    "case_moves.assessment_id AND p.seq < case_moves.seq ORDER BY p.seq DESC LIMIT 1)"
)


def upgrade():
    op.add_column("case_moves", sa.Column("entered_at", sa.DateTime(), nullable=True))
    op.execute(sa.text(BACKFILL))
    op.create_index("ix_case_moves_at", "case_moves", ["at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text("ANALYZE case_moves"))


def downgrade():
    op.drop_index("ix_case_moves_at", table_name="case_moves")
    with op.batch_alter_table("case_moves") as batch:
        batch.drop_column("entered_at")
