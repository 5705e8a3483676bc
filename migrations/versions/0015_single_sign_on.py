"""Single sign-on (issue 17): users' identities at OpenID providers, the administrators' rules for creating
accounts from a sign-in, password sign-in per agency, the provider and ID token of a session, and the request id
on each audit event.

Columns are added with plain ``add_column`` (not a batch copy): SQLite's batch mode would rebuild
``audit_events`` and drop its append-only triggers.

Revision ID: 0015_single_sign_on
Revises: 0010_notification_settings
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0015_single_sign_on"
down_revision = "0014_information_governance"
branch_labels = None
depends_on = None

ROLE_CHECK = "role IN ('practitioner', 'manager', 'admin')"


def upgrade():
    op.create_table(
        "user_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=60), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_identities_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_identities")),
        sa.UniqueConstraint("issuer", "subject", name="uq_user_identities_issuer"),
        sa.UniqueConstraint("user_id", "issuer", name="uq_user_identities_user_id"),
    )
    op.create_table(
        "sso_account_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=60), nullable=False),
        sa.Column("email_domain", sa.String(length=253), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_sso_account_rules_role")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_sso_account_rules_agency_id_agencies")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_sso_account_rules_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_account_rules")),
        sa.UniqueConstraint("provider", "email_domain", name="uq_sso_account_rules_provider"),
    )
    op.add_column("agencies", sa.Column("password_sign_in", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("user_sessions", sa.Column("sso_provider", sa.String(length=60), nullable=True))
    op.add_column("user_sessions", sa.Column("id_token", sa.Text(), nullable=True))
    op.add_column("audit_events", sa.Column("request_id", sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column("audit_events", "request_id")
    op.drop_column("user_sessions", "id_token")
    op.drop_column("user_sessions", "sso_provider")
    op.drop_column("agencies", "password_sign_in")
    op.drop_table("sso_account_rules")
    op.drop_table("user_identities")
