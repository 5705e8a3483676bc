"""Remember each user's interface language (issue 18: English or Welsh, chosen in the footer).

Revision ID: 0018_user_language
Revises: 0017_kept_reasons
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0018_user_language"
down_revision = "0017_kept_reasons"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade():
    op.drop_column("users", "language")
