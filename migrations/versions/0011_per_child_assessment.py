"""Each child assessed, and the facts real forms record (issue 13).

- ``section_answers.child_id``: the child whose answers a row holds, for a section the definition asks of each
  child; the one unique constraint on (case, section) becomes two partial unique indexes, one for the household's
  rows and one for each child's.
- ``consents``: how the agreement was given (in writing or verbally, in person or by phone), whether an
  interpreter was used and in which language, whether the privacy notice was given, and, for a young person, the
  practitioner's competence judgement.

Revision ID: 0011_per_child_assessment
Revises: 0010_notification_settings
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0011_per_child_assessment"
down_revision = "0010_notification_settings"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("section_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("child_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_section_answers_child_id_children"), "children", ["child_id"], ["id"]
        )
        batch_op.drop_constraint("uq_section_answers_assessment_section", type_="unique")
        batch_op.create_index(
            "uq_section_answers_family_section",
            ["assessment_id", "section_key"],
            unique=True,
            sqlite_where=sa.text("child_id IS NULL"),
            postgresql_where=sa.text("child_id IS NULL"),
        )
        batch_op.create_index(
            "uq_section_answers_child_section",
            ["assessment_id", "section_key", "child_id"],
            unique=True,
            sqlite_where=sa.text("child_id IS NOT NULL"),
            postgresql_where=sa.text("child_id IS NOT NULL"),
        )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("given_as", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("given_via", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("interpreter_used", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("interpreter_language", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("privacy_notice_given", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("competence_judged", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("competence_notes", sa.Text(), nullable=True))
        batch_op.create_check_constraint("given_as", "given_as IS NULL OR given_as IN ('written', 'verbal')")
        batch_op.create_check_constraint("given_via", "given_via IS NULL OR given_via IN ('in_person', 'phone')")


def downgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_constraint("given_via", type_="check")
        batch_op.drop_constraint("given_as", type_="check")
        for column in (
            "competence_notes",
            "competence_judged",
            "privacy_notice_given",
            "interpreter_language",
            "interpreter_used",
            "given_via",
            "given_as",
        ):
            batch_op.drop_column(column)
    op.execute("DELETE FROM section_answers WHERE child_id IS NOT NULL")
    with op.batch_alter_table("section_answers", schema=None) as batch_op:
        batch_op.drop_index("uq_section_answers_child_section")
        batch_op.drop_index("uq_section_answers_family_section")
        batch_op.create_unique_constraint("uq_section_answers_assessment_section", ["assessment_id", "section_key"])
        batch_op.drop_constraint("fk_section_answers_child_id_children", type_="foreignkey")
        batch_op.drop_column("child_id")
