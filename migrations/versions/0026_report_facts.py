"""Report facts (issue 15): narrow copies of what the slowest reports read, so they group codes and dates instead
of parsing JSON at county scale.

``case_codes``: each Supporting Families headline need (``need``) and children in need census factor (``cin``) a
case's "needs" answers pick. ``case_moves``: each change of state the workflow made (a successful transition audit
event whose ``from`` and ``to`` differ), with the event's seq and time. Both are filled here from the answers and
the audit trail as they stand; from now on the application writes them as it saves (eha/models/report_facts.py).

Revision ID: 0026_report_facts
Revises: 0025_network_corrections
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0026_report_facts"
down_revision = "0025_network_corrections"
branch_labels = None
depends_on = None

# The questions the reports count, as the shipped definitions ask them today (section "needs").
CODED_FIELDS = (("need", "needs", "supporting-families"), ("cin", "needs", "cin-factors"))


# Written out for each dialect: PostgreSQL's JSON functions and operators, SQLite's json_each and json_extract.
CODES = {
    "postgresql": (
        "INSERT INTO case_codes (assessment_id, kind, code) "
        "SELECT DISTINCT s.assessment_id, :kind, item.value FROM section_answers s "
        "CROSS JOIN LATERAL json_array_elements_text(CASE WHEN json_typeof(s.answers -> :field) = 'array' "
        "THEN s.answers -> :field END) AS item(value) "
        "WHERE s.section_key = :section AND item.value IS NOT NULL"
    ),
    "sqlite": (
        "INSERT INTO case_codes (assessment_id, kind, code) "
        "SELECT DISTINCT s.assessment_id, :kind, item.value FROM section_answers s "
        "JOIN json_each(s.answers, '$.\"' || :field || '\"') AS item "
        "WHERE s.section_key = :section AND item.value IS NOT NULL"
    ),
}
MOVES = {
    "postgresql": (
        "INSERT INTO case_moves (assessment_id, seq, from_state, to_state, at) "
        "SELECT e.assessment_id, e.seq, e.detail ->> 'from', e.detail ->> 'to', e.occurred_at FROM audit_events e "
        "JOIN assessments a ON a.id = e.assessment_id "
        "WHERE e.action IN ('closure_rejected', 'closure_requested', 'transition') AND e.outcome = 'success' "
        "AND e.detail ->> 'from' <> e.detail ->> 'to' ORDER BY e.seq"
    ),
    "sqlite": (
        "INSERT INTO case_moves (assessment_id, seq, from_state, to_state, at) "
        "SELECT e.assessment_id, e.seq, json_extract(e.detail, '$.from'), json_extract(e.detail, '$.to'), "
        "e.occurred_at FROM audit_events e JOIN assessments a ON a.id = e.assessment_id "
        "WHERE e.action IN ('closure_rejected', 'closure_requested', 'transition') AND e.outcome = 'success' "
        "AND json_extract(e.detail, '$.from') <> json_extract(e.detail, '$.to') "
        "ORDER BY e.seq"
    ),
}


def upgrade():
    op.create_table(
        "case_codes",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.CheckConstraint("kind IN ('need', 'cin')", name=op.f("ck_case_codes_kind")),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_case_codes_assessment_id_assessments")
        ),
        sa.PrimaryKeyConstraint("assessment_id", "kind", "code", name=op.f("pk_case_codes")),
    )
    op.create_table(
        "case_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("from_state", sa.String(length=30), nullable=False),
        sa.Column("to_state", sa.String(length=30), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_case_moves_assessment_id_assessments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_moves")),
        sa.UniqueConstraint("seq", name=op.f("uq_case_moves_seq")),
    )
    dialect = op.get_bind().dialect.name
    for kind, section_key, field_key in CODED_FIELDS:
        op.execute(sa.text(CODES[dialect]).bindparams(kind=kind, section=section_key, field=field_key))
    op.execute(sa.text(MOVES[dialect]))
    # The indexes after the rows: one sort each, not an index update per row.
    op.create_index("ix_case_codes_kind_code", "case_codes", ["kind", "code", "assessment_id"], unique=False)
    op.create_index(
        "ix_case_moves_case_seq", "case_moves", ["assessment_id", "seq"], postgresql_include=["from_state", "at"]
    )
    if dialect == "postgresql":
        op.execute(sa.text("ANALYZE case_codes"))
        op.execute(sa.text("ANALYZE case_moves"))


def downgrade():
    op.drop_index("ix_case_moves_case_seq", table_name="case_moves")
    op.drop_table("case_moves")
    op.drop_index("ix_case_codes_kind_code", table_name="case_codes")
    op.drop_table("case_codes")
