"""exports: optional repeated downloads within the link's 24 hours, and a download count

Revision ID: 8c3e1f27d9a5
Revises: 5d2f0c9a7b41
Create Date: 2026-11-22 03:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '8c3e1f27d9a5'
down_revision = '5d2f0c9a7b41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customer_export', schema=None) as batch_op:
        batch_op.add_column(sa.Column('repeat_downloads', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('download_count', sa.Integer(), server_default='0', nullable=False))
    # Exports downloaded before this revision were downloaded once.
    op.execute("UPDATE customer_export SET download_count = 1 WHERE status = 'downloaded'")


def downgrade():
    with op.batch_alter_table('customer_export', schema=None) as batch_op:
        batch_op.drop_column('download_count')
        batch_op.drop_column('repeat_downloads')
