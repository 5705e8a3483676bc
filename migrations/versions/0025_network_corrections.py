"""Corrections of a family network member's facts; the lead professional told of a subject access request (issue 19).

A network member (a grandparent, a neighbour, a family friend) is corrected the way a parent or carer is, so a
correction's ``record_kind`` may now be ``network``. Going back removes those corrections first: the narrower
constraint could not hold them.

A subject access request that covers a case tells its lead professional by email: a notification's kind may now
be ``subject_access``. Going back removes those messages from the outbox.

Revision ID: 0025_network_corrections
Revises: 0023_governance
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

revision = "0025_network_corrections"
down_revision = "0023_governance"
branch_labels = None
depends_on = None

OLD_KINDS = "record_kind IN ('child', 'carer', 'family')"
NEW_KINDS = "record_kind IN ('child', 'carer', 'family', 'network')"
OLD_NOTIFICATIONS = (
    "kind IN ('invitation', 'invitation_update', 'invitation_cancel', 'action_owned', 'access_ended', "
    "'daily_digest', 'weekly_digest', 'webhook')"
)
NEW_NOTIFICATIONS = (
    "kind IN ('invitation', 'invitation_update', 'invitation_cancel', 'action_owned', 'access_ended', "
    "'subject_access', 'daily_digest', 'weekly_digest', 'webhook')"
)


def upgrade():
    with op.batch_alter_table("fact_corrections", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_fact_corrections_record_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_fact_corrections_record_kind"), NEW_KINDS)
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notifications_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notifications_kind"), sa.text(NEW_NOTIFICATIONS))


def downgrade():
    op.execute(sa.text("DELETE FROM notifications WHERE kind = 'subject_access'"))
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notifications_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_notifications_kind"), sa.text(OLD_NOTIFICATIONS))
    op.execute(sa.text("DELETE FROM fact_corrections WHERE record_kind = 'network'"))
    with op.batch_alter_table("fact_corrections", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_fact_corrections_record_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_fact_corrections_record_kind"), OLD_KINDS)
