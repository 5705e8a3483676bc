"""Initial schema: agencies, users and sessions, families, assessments, meetings, plans, audit.

Revision ID: 0001_initial_schema
Revises:
Create Date: 2026-11-24

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001_initial_schema"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # Every table of the first release; named constraints follow eha.extensions.NAMING_CONVENTION.
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('school', 'health', 'social_care', 'police', 'housing', 'voluntary', 'early_help', 'youth_justice', 'other')",
            name=op.f("ck_agencies_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("name", name=op.f("uq_agencies_name")),
    )
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.create_table(
        "reference_counters",
        sa.Column("prefix", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_reference_counters")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(), nullable=True),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_enrolled_at", sa.DateTime(), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("role IN ('practitioner', 'manager', 'admin')", name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_users_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "families",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_families_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_families")),
    )
    op.create_table(
        "form_definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_form_definitions_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_definitions")),
        sa.UniqueConstraint("name", "version", name="uq_form_definitions_name_version"),
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("mfa_passed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("mfa_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token", name=op.f("uq_user_sessions_token")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("definition_name", sa.String(length=100), nullable=False),
        sa.Column("definition_version", sa.Integer(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("significant_harm_answer", sa.String(length=10), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("assessment_due_on", sa.Date(), nullable=True),
        sa.Column("first_taf_due_on", sa.Date(), nullable=True),
        sa.Column("next_review_due_on", sa.Date(), nullable=True),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("next_due_label", sa.String(length=100), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closure_reason", sa.String(length=40), nullable=True),
        sa.Column("closure_notes", sa.Text(), nullable=True),
        sa.Column("closure_approved_by_id", sa.Integer(), nullable=True),
        sa.Column("pending_closure_reason", sa.String(length=40), nullable=True),
        sa.Column("pending_closure_notes", sa.Text(), nullable=True),
        sa.Column("pending_closure_outcomes", sa.JSON(), nullable=True),
        sa.Column("pending_closure_by_id", sa.Integer(), nullable=True),
        sa.Column("pending_closure_at", sa.DateTime(), nullable=True),
        sa.Column("step_up_on", sa.Date(), nullable=True),
        sa.Column("step_up_team", sa.String(length=200), nullable=True),
        sa.Column("step_up_reason", sa.Text(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "closure_reason IS NULL OR closure_reason IN ('outcomes_met', 'stepped_down', 'stepped_up', 'agreement_withdrawn', 'agreement_not_given', 'moved_out', 'created_in_error')",
            name=op.f("ck_assessments_closure_reason"),
        ),
        sa.CheckConstraint(
            "pending_closure_reason IS NULL OR pending_closure_reason IN ('outcomes_met', 'stepped_down', 'stepped_up', 'agreement_withdrawn', 'agreement_not_given', 'moved_out', 'created_in_error')",
            name=op.f("ck_assessments_pending_closure_reason"),
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'assessed', 'taf_scheduled', 'plan_active', 'review_scheduled', 'closed')",
            name=op.f("ck_assessments_state"),
        ),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"], name=op.f("fk_assessments_closed_by_id_users")),
        sa.ForeignKeyConstraint(
            ["closure_approved_by_id"], ["users.id"], name=op.f("fk_assessments_closure_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], name=op.f("fk_assessments_family_id_families")),
        sa.ForeignKeyConstraint(["lead_id"], ["users.id"], name=op.f("fk_assessments_lead_id_users")),
        sa.ForeignKeyConstraint(
            ["pending_closure_by_id"], ["users.id"], name=op.f("fk_assessments_pending_closure_by_id_users")
        ),
        sa.ForeignKeyConstraint(["started_by_id"], ["users.id"], name=op.f("fk_assessments_started_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("ref", name=op.f("uq_assessments_ref")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_next_due_on"), ["next_due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_started_by_id"), ["started_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_state"), ["state"], unique=False)

    op.create_table(
        "carers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("relationship_to_child", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("preferred_language", sa.String(length=100), nullable=True),
        sa.Column("interpreter_needed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], name=op.f("fk_carers_family_id_families")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carers")),
    )
    with op.batch_alter_table("carers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carers_family_id"), ["family_id"], unique=False)

    op.create_table(
        "children",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("search_first_name", sa.String(length=100), nullable=False),
        sa.Column("search_last_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=20), nullable=False),
        sa.Column("school", sa.String(length=200), nullable=True),
        sa.Column("nhs_number", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("sex IN ('female', 'male', 'other', 'not_known')", name=op.f("ck_children_sex")),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], name=op.f("fk_children_family_id_families")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_children")),
    )
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_children_date_of_birth"), ["date_of_birth"], unique=False)
        batch_op.create_index(batch_op.f("ix_children_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_children_nhs_number"), ["nhs_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_children_search_first_name"), ["search_first_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_children_search_last_name"), ["search_last_name"], unique=False)

    op.create_table(
        "involved_agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("agency_name", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_details", sa.String(length=300), nullable=True),
        sa.Column("involvement", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_involved_agencies_agency_id_agencies")),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], name=op.f("fk_involved_agencies_family_id_families")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_involved_agencies")),
    )
    with op.batch_alter_table("involved_agencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_involved_agencies_family_id"), ["family_id"], unique=False)

    op.create_table(
        "network_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("relationship_to_family", sa.String(length=100), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.Column("support_offered", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], name=op.f("fk_network_members_family_id_families")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_members")),
    )
    with op.batch_alter_table("network_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_network_members_family_id"), ["family_id"], unique=False)

    op.create_table(
        "access_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_access_grants_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["granted_by_id"], ["users.id"], name=op.f("fk_access_grants_granted_by_id_users")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["users.id"], name=op.f("fk_access_grants_revoked_by_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_access_grants_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_grants")),
    )
    with op.batch_alter_table("access_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_grants_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_grants_user_id"), ["user_id"], unique=False)

    op.create_table(
        "assessment_children",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_assessment_children_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_assessment_children_child_id_children")),
        sa.PrimaryKeyConstraint("assessment_id", "child_id", name=op.f("pk_assessment_children")),
    )
    with op.batch_alter_table("assessment_children", schema=None) as batch_op:
        batch_op.create_index(
            "uq_assessment_children_open_child",
            ["child_id"],
            unique=True,
            sqlite_where=sa.text("is_open"),
            postgresql_where=sa.text("is_open"),
        )

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_email", sa.String(length=320), nullable=True),
        sa.Column("user_name", sa.String(length=200), nullable=True),
        sa.Column("user_role", sa.String(length=20), nullable=True),
        sa.Column("agency_name", sa.String(length=200), nullable=True),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("case_ref", sa.String(length=20), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("outcome IN ('success', 'refused', 'failed')", name=op.f("ck_audit_events_outcome")),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_audit_events_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_events_seq")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_occurred_at"), ["occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_user_id"), ["user_id"], unique=False)

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("given_by_kind", sa.String(length=20), nullable=False),
        sa.Column("carer_id", sa.Integer(), nullable=True),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.Column("given_by_name", sa.String(length=200), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("withheld", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawal_notes", sa.Text(), nullable=True),
        sa.Column("withdrawn_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("given_by_kind IN ('carer', 'young_person')", name=op.f("ck_consents_given_by_kind")),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_consents_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["carer_id"], ["carers.id"], name=op.f("fk_consents_carer_id_carers")),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_consents_child_id_children")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_consents_recorded_by_id_users")),
        sa.ForeignKeyConstraint(
            ["withdrawn_recorded_by_id"], ["users.id"], name=op.f("fk_consents_withdrawn_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consents_assessment_id"), ["assessment_id"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("video_link", sa.String(length=500), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("decisions", sa.Text(), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('taf', 'review')", name=op.f("ck_meetings_kind")),
        sa.CheckConstraint("status IN ('scheduled', 'held', 'cancelled')", name=op.f("ck_meetings_status")),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_meetings_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_meetings_created_by_id_users")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_meetings_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_assessment_id"), ["assessment_id"], unique=False)

    op.create_table(
        "need_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("need_code", sa.String(length=50), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("outcome IN ('met', 'partly_met', 'not_met')", name=op.f("ck_need_outcomes_outcome")),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_need_outcomes_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_need_outcomes_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_outcomes")),
        sa.UniqueConstraint("assessment_id", "need_code", name="uq_need_outcomes_assessment_need"),
    )
    with op.batch_alter_table("need_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_need_outcomes_assessment_id"), ["assessment_id"], unique=False)

    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("signed_content", sa.JSON(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'signed', 'superseded')", name=op.f("ck_plan_versions_status")),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_plan_versions_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_plan_versions_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
        sa.UniqueConstraint("assessment_id", "number", name="uq_plan_versions_assessment_number"),
    )
    with op.batch_alter_table("plan_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_versions_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_versions_digest"), ["digest"], unique=False)

    op.create_table(
        "section_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("section_key", sa.String(length=100), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'completed')", name=op.f("ck_section_answers_status")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_section_answers_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_section_answers_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section_answers")),
        sa.UniqueConstraint("assessment_id", "section_key", name="uq_section_answers_assessment_section"),
    )
    with op.batch_alter_table("section_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_section_answers_assessment_id"), ["assessment_id"], unique=False)

    op.create_table(
        "taf_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["added_by_id"], ["users.id"], name=op.f("fk_taf_members_added_by_id_users")),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_taf_members_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_taf_members_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taf_members")),
        sa.UniqueConstraint("assessment_id", "user_id", name="uq_taf_members_assessment_user"),
    )
    with op.batch_alter_table("taf_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taf_members_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_taf_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "consent_agencies",
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_consent_agencies_agency_id_agencies")),
        sa.ForeignKeyConstraint(["consent_id"], ["consents.id"], name=op.f("fk_consent_agencies_consent_id_consents")),
        sa.PrimaryKeyConstraint("consent_id", "agency_id", name=op.f("pk_consent_agencies")),
    )
    op.create_table(
        "meeting_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("carer_id", sa.Integer(), nullable=True),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("agency_name", sa.String(length=200), nullable=True),
        sa.Column("attended", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("apologies", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(["carer_id"], ["carers.id"], name=op.f("fk_meeting_participants_carer_id_carers")),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_meeting_participants_child_id_children")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_participants_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_meeting_participants_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_participants")),
    )
    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_participants_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "plan_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_version_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("need_code", sa.String(length=50), nullable=True),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("owner_carer_id", sa.Integer(), nullable=True),
        sa.Column("owner_child_id", sa.Integer(), nullable=True),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("success_measure", sa.Text(), nullable=False),
        sa.Column("progress", sa.String(length=20), nullable=True),
        sa.Column("progress_comment", sa.Text(), nullable=True),
        sa.Column("progress_at", sa.DateTime(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "progress IS NULL OR progress IN ('done', 'on_track', 'not_started', 'not_done', 'no_longer_needed')",
            name=op.f("ck_plan_actions_progress"),
        ),
        sa.ForeignKeyConstraint(["owner_carer_id"], ["carers.id"], name=op.f("fk_plan_actions_owner_carer_id_carers")),
        sa.ForeignKeyConstraint(
            ["owner_child_id"], ["children.id"], name=op.f("fk_plan_actions_owner_child_id_children")
        ),
        sa.ForeignKeyConstraint(["owner_user_id"], ["users.id"], name=op.f("fk_plan_actions_owner_user_id_users")),
        sa.ForeignKeyConstraint(
            ["plan_version_id"], ["plan_versions.id"], name=op.f("fk_plan_actions_plan_version_id_plan_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_actions")),
    )
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_actions_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_actions_owner_user_id"), ["owner_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_actions_plan_version_id"), ["plan_version_id"], unique=False)

    op.create_table(
        "plan_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_version_id", sa.Integer(), nullable=False),
        sa.Column("signer_kind", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("carer_id", sa.Integer(), nullable=True),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("method IN ('on_screen', 'on_paper')", name=op.f("ck_plan_signatures_method")),
        sa.CheckConstraint(
            "signer_kind IN ('lead', 'carer', 'young_person', 'taf_member')",
            name=op.f("ck_plan_signatures_signer_kind"),
        ),
        sa.ForeignKeyConstraint(["carer_id"], ["carers.id"], name=op.f("fk_plan_signatures_carer_id_carers")),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_plan_signatures_child_id_children")),
        sa.ForeignKeyConstraint(
            ["plan_version_id"], ["plan_versions.id"], name=op.f("fk_plan_signatures_plan_version_id_plan_versions")
        ),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_plan_signatures_recorded_by_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_plan_signatures_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_signatures")),
    )
    with op.batch_alter_table("plan_signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_signatures_plan_version_id"), ["plan_version_id"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("family_view", sa.Text(), nullable=False),
        sa.Column("family_score", sa.Integer(), nullable=False),
        sa.Column("practitioner_score", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("plan_changed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("decision IN ('continue', 'close', 'step_up')", name=op.f("ck_reviews_decision")),
        sa.CheckConstraint("family_score BETWEEN 0 AND 10", name=op.f("ck_reviews_family_score")),
        sa.CheckConstraint("practitioner_score BETWEEN 0 AND 10", name=op.f("ck_reviews_practitioner_score")),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_reviews_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_reviews_meeting_id_meetings")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_reviews_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_assessment_id"), ["assessment_id"], unique=False)

    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("action_key", sa.String(length=36), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("progress", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "progress IN ('done', 'on_track', 'not_started', 'not_done', 'no_longer_needed')",
            name=op.f("ck_action_updates_progress"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_action_updates_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_action_updates_by_id_users")),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_action_updates_review_id_reviews")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_updates_action_key"), ["action_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_updates_assessment_id"), ["assessment_id"], unique=False)


def downgrade():
    # Every table of the first release; named constraints follow eha.extensions.NAMING_CONVENTION.
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_updates_assessment_id"))
        batch_op.drop_index(batch_op.f("ix_action_updates_action_key"))

    op.drop_table("action_updates")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_assessment_id"))

    op.drop_table("reviews")
    with op.batch_alter_table("plan_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_signatures_plan_version_id"))

    op.drop_table("plan_signatures")
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_actions_plan_version_id"))
        batch_op.drop_index(batch_op.f("ix_plan_actions_owner_user_id"))
        batch_op.drop_index(batch_op.f("ix_plan_actions_key"))

    op.drop_table("plan_actions")
    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_participants_meeting_id"))

    op.drop_table("meeting_participants")
    op.drop_table("consent_agencies")
    with op.batch_alter_table("taf_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taf_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_taf_members_assessment_id"))

    op.drop_table("taf_members")
    with op.batch_alter_table("section_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_section_answers_assessment_id"))

    op.drop_table("section_answers")
    with op.batch_alter_table("plan_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_versions_digest"))
        batch_op.drop_index(batch_op.f("ix_plan_versions_assessment_id"))

    op.drop_table("plan_versions")
    with op.batch_alter_table("need_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_need_outcomes_assessment_id"))

    op.drop_table("need_outcomes")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_assessment_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_assessment_id"))

    op.drop_table("consents")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_assessment_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
    with op.batch_alter_table("assessment_children", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_assessment_children_open_child", sqlite_where=sa.text("is_open"), postgresql_where=sa.text("is_open")
        )

    op.drop_table("assessment_children")
    with op.batch_alter_table("access_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_grants_user_id"))
        batch_op.drop_index(batch_op.f("ix_access_grants_assessment_id"))

    op.drop_table("access_grants")
    with op.batch_alter_table("network_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_members_family_id"))

    op.drop_table("network_members")
    with op.batch_alter_table("involved_agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_involved_agencies_family_id"))

    op.drop_table("involved_agencies")
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_children_search_last_name"))
        batch_op.drop_index(batch_op.f("ix_children_search_first_name"))
        batch_op.drop_index(batch_op.f("ix_children_nhs_number"))
        batch_op.drop_index(batch_op.f("ix_children_family_id"))
        batch_op.drop_index(batch_op.f("ix_children_date_of_birth"))

    op.drop_table("children")
    with op.batch_alter_table("carers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carers_family_id"))

    op.drop_table("carers")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_state"))
        batch_op.drop_index(batch_op.f("ix_assessments_started_by_id"))
        batch_op.drop_index(batch_op.f("ix_assessments_next_due_on"))
        batch_op.drop_index(batch_op.f("ix_assessments_lead_id"))
        batch_op.drop_index(batch_op.f("ix_assessments_family_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))

    op.drop_table("user_sessions")
    op.drop_table("form_definitions")
    op.drop_table("families")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_agency_id"))

    op.drop_table("users")
    op.drop_table("reference_counters")
    op.drop_table("audit_chain_head")
    op.drop_table("agencies")
