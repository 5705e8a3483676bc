"""Information governance (issue 19): legal holds, disposal batches, subject access requests, corrections.

``assessments`` gains ``disposed_at`` and ``disposal_rule``: a disposed case keeps its row (the audit trail's events
point to it) with its content removed.

Revision ID: 0014_information_governance
Revises: 0010_notification_settings
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0014_information_governance"
down_revision = "0013_report_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "disposal_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'disposed', 'cancelled')", name=op.f("ck_disposal_batches_status")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_disposal_batches_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_disposal_batches_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_batches")),
    )
    op.create_table(
        "subject_access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_kind", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("exported_at", sa.DateTime(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "person_kind IN ('child', 'carer', 'network', 'case_person')",
            name=op.f("ck_subject_access_requests_person_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('redaction', 'review', 'ready', 'completed')", name=op.f("ck_subject_access_requests_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_subject_access_requests_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_subject_access_requests_reviewed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_access_requests")),
    )
    with op.batch_alter_table("subject_access_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subject_access_requests_due_on"), ["due_on"], unique=False)

    op.create_table(
        "sar_redactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("person_kind", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "person_kind IN ('child', 'carer', 'network', 'case_person')", name=op.f("ck_sar_redactions_person_kind")
        ),
        sa.ForeignKeyConstraint(["marked_by_id"], ["users.id"], name=op.f("fk_sar_redactions_marked_by_id_users")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_access_requests.id"],
            name=op.f("fk_sar_redactions_request_id_subject_access_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sar_redactions")),
        sa.UniqueConstraint("request_id", "person_kind", "person_id", name="uq_sar_redactions_person"),
    )
    with op.batch_alter_table("sar_redactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sar_redactions_request_id"), ["request_id"], unique=False)

    op.create_table(
        "disposal_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("case_ref", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("disposed_at", sa.DateTime(), nullable=True),
        sa.Column("skipped", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_disposal_items_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["disposal_batches.id"], name=op.f("fk_disposal_items_batch_id_disposal_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_items")),
        sa.UniqueConstraint("batch_id", "assessment_id", name="uq_disposal_items_batch_assessment"),
    )
    with op.batch_alter_table("disposal_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disposal_items_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disposal_items_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "fact_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("record_kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrected_by_id", sa.Integer(), nullable=False),
        sa.Column("corrected_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("record_kind IN ('child', 'carer', 'family')", name=op.f("ck_fact_corrections_record_kind")),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_fact_corrections_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(
            ["corrected_by_id"], ["users.id"], name=op.f("fk_fact_corrections_corrected_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_corrections")),
    )
    with op.batch_alter_table("fact_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fact_corrections_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index("ix_fact_corrections_record", ["record_kind", "record_id", "id"], unique=False)

    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("family_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("(assessment_id IS NULL) <> (family_id IS NULL)", name=op.f("ck_legal_holds_one_target")),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_legal_holds_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], name=op.f("fk_legal_holds_family_id_families")),
        sa.ForeignKeyConstraint(["lifted_by_id"], ["users.id"], name=op.f("fk_legal_holds_lifted_by_id_users")),
        sa.ForeignKeyConstraint(["placed_by_id"], ["users.id"], name=op.f("fk_legal_holds_placed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index("ix_legal_holds_assessment_id", ["assessment_id"], unique=False)
        batch_op.create_index("ix_legal_holds_family_id", ["family_id"], unique=False)

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disposed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("disposal_rule", sa.String(length=200), nullable=True))


def downgrade():
    # Plain DROP COLUMN, not batch mode: on SQLite a batch copy of the table would lose the case list's expression
    # index (ix_assessments_due_order), which SQLAlchemy cannot reflect, and 0009's downgrade then fails to drop it.
    op.drop_column("assessments", "disposal_rule")
    op.drop_column("assessments", "disposed_at")

    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_holds_family_id")
        batch_op.drop_index("ix_legal_holds_assessment_id")

    op.drop_table("legal_holds")
    with op.batch_alter_table("fact_corrections", schema=None) as batch_op:
        batch_op.drop_index("ix_fact_corrections_record")
        batch_op.drop_index(batch_op.f("ix_fact_corrections_assessment_id"))

    op.drop_table("fact_corrections")
    with op.batch_alter_table("disposal_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disposal_items_batch_id"))
        batch_op.drop_index(batch_op.f("ix_disposal_items_assessment_id"))

    op.drop_table("disposal_items")
    with op.batch_alter_table("sar_redactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sar_redactions_request_id"))

    op.drop_table("sar_redactions")
    with op.batch_alter_table("subject_access_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_access_requests_due_on"))

    op.drop_table("subject_access_requests")
    op.drop_table("disposal_batches")
