"""A form definition version's text in another language (issue 18).

A released version's content (and its digest) never changes, so its Welsh is held beside it: one row per upload,
the latest for a language being the one practitioners read. Shipped versions' translations are files in the
package (``eha/definitions/shipped/*.cy.yaml``), not rows.

Revision ID: 0028_definition_translations
Revises: 0026_report_facts
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0028_definition_translations"
down_revision = "0026_report_facts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "form_definition_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["form_definitions.id"],
            name=op.f("fk_form_definition_translations_definition_id_form_definitions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_form_definition_translations_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_definition_translations")),
    )
    op.create_index(
        op.f("ix_form_definition_translations_definition_id"),
        "form_definition_translations",
        ["definition_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_form_definition_translations_definition_id"), table_name="form_definition_translations")
    op.drop_table("form_definition_translations")
