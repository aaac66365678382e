"""when campaigns and access packages were handed to the worker

The recovery of lost jobs (`portal/recovery.py`) enqueues again a job whose row has waited for
a worker too long. Campaigns already sending and access packages already requested get the
moment they were handed over from their audit event, so they are recovered too.

Revision ID: d3b8e6f1a2c4
Revises: a7d4c2e9f1b3
Create Date: 2026-12-02 02:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = 'd3b8e6f1a2c4'
down_revision = 'a7d4c2e9f1b3'
branch_labels = None
depends_on = None


def _handed_over(entity_type: str, action: str, table: str) -> str:
    return (f"(SELECT max(occurred_at) FROM audit_event WHERE audit_event.entity_type = '{entity_type}' "
            f"AND audit_event.action = '{action}' AND audit_event.entity_id = {table}.id)")


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('privacy_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('package_requested_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE campaign SET queued_at = "
               f"{_handed_over('campaign', 'campaign_started', 'campaign')} WHERE status = 'sending'")
    op.execute("UPDATE privacy_request SET package_requested_at = "
               f"{_handed_over('privacy_request', 'package_requested', 'privacy_request')} "
               "WHERE status = 'in_progress' AND kind = 'access'")


def downgrade():
    with op.batch_alter_table('privacy_request', schema=None) as batch_op:
        batch_op.drop_column('package_requested_at')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('queued_at')
