"""People on a case without an eha account, and meetings as real TAF meetings.

``case_people`` holds the family's wider network and professionals without an account (a GP, an advocate, an
interpreter). They can be invited to a meeting (``meeting_participants.person_id``), own an action
(``plan_actions.owner_person_id``) and sign a plan version (``plan_signatures.person_id``, signed verbally by
phone as well as on screen or on paper). Meetings gain an agenda, the lead professional agreed at the meeting and a
family network meeting kind; each invitee records how they were invited, their communication needs, the
interpreter booked and the written update sent with apologies.

Revision ID: 0007_people_without_accounts
Revises: 0006_audit_keyed_chain
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0007_people_without_accounts"
down_revision = "0006_audit_keyed_chain"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('taf', 'review')"
NEW_KINDS = "kind IN ('taf', 'review', 'family_network')"
OLD_SIGNERS = "signer_kind IN ('lead', 'carer', 'young_person', 'taf_member')"
NEW_SIGNERS = "signer_kind IN ('lead', 'carer', 'young_person', 'taf_member', 'network', 'professional')"
OLD_METHODS = "method IN ('on_screen', 'on_paper')"
NEW_METHODS = "method IN ('on_screen', 'on_paper', 'by_phone')"
INVITED_HOW = "invited_how IS NULL OR invited_how IN ('email', 'phone', 'text', 'letter', 'in_person')"


def upgrade():
    op.create_table(
        "case_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("communication_needs", sa.Text(), nullable=True),
        sa.Column("interpreter_language", sa.String(length=100), nullable=True),
        sa.Column("network_member_id", sa.Integer(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('network', 'professional')", name=op.f("ck_case_people_kind")),
        sa.ForeignKeyConstraint(["added_by_id"], ["users.id"], name=op.f("fk_case_people_added_by_id_users")),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_case_people_assessment_id_assessments")
        ),
        sa.ForeignKeyConstraint(
            ["network_member_id"],
            ["network_members.id"],
            name=op.f("fk_case_people_network_member_id_network_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_people")),
    )
    with op.batch_alter_table("case_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_people_assessment_id"), ["assessment_id"], unique=False)

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agenda", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("lead_agreed_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_meetings_lead_agreed_id_users"), "users", ["lead_agreed_id"], ["id"])
        batch_op.drop_constraint(batch_op.f("ck_meetings_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_meetings_kind"), NEW_KINDS)

    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("invited_how", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("communication_needs", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("interpreter_language", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("apologies_update", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_participants_person_id_case_people"), "case_people", ["person_id"], ["id"]
        )
        batch_op.create_check_constraint(batch_op.f("ck_meeting_participants_invited_how"), INVITED_HOW)

    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_person_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_plan_actions_owner_person_id_case_people"), "case_people", ["owner_person_id"], ["id"]
        )

    with op.batch_alter_table("plan_signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_plan_signatures_person_id_case_people"), "case_people", ["person_id"], ["id"]
        )
        batch_op.drop_constraint(batch_op.f("ck_plan_signatures_signer_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_plan_signatures_signer_kind"), NEW_SIGNERS)
        batch_op.drop_constraint(batch_op.f("ck_plan_signatures_method"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_plan_signatures_method"), NEW_METHODS)


def downgrade():
    with op.batch_alter_table("plan_signatures", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_plan_signatures_method"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_plan_signatures_method"), OLD_METHODS)
        batch_op.drop_constraint(batch_op.f("ck_plan_signatures_signer_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_plan_signatures_signer_kind"), OLD_SIGNERS)
        batch_op.drop_constraint(batch_op.f("fk_plan_signatures_person_id_case_people"), type_="foreignkey")
        batch_op.drop_column("person_id")

    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_plan_actions_owner_person_id_case_people"), type_="foreignkey")
        batch_op.drop_column("owner_person_id")

    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_meeting_participants_invited_how"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_meeting_participants_person_id_case_people"), type_="foreignkey")
        for column in ("apologies_update", "interpreter_language", "communication_needs", "invited_how", "person_id"):
            batch_op.drop_column(column)

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_meetings_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_meetings_kind"), OLD_KINDS)
        batch_op.drop_constraint(batch_op.f("fk_meetings_lead_agreed_id_users"), type_="foreignkey")
        batch_op.drop_column("lead_agreed_id")
        batch_op.drop_column("agenda")

    with op.batch_alter_table("case_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_people_assessment_id"))
    op.drop_table("case_people")
