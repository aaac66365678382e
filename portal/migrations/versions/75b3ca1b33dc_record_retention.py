"""The portal's own retention plan: the salon's periods for its login history, data-access log
and message log (absent: the plan's defaults).

Revision ID: 75b3ca1b33dc
Revises: 4de794a248a0
Create Date: 2026-12-06 20:45:43.050090

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '75b3ca1b33dc'
down_revision = '4de794a248a0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('record_retention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_record_retention_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_retention')),
    sa.UniqueConstraint('account_id', 'kind', name=op.f('uq_record_retention_account_id_kind')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('record_retention', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_retention_account_id'), ['account_id'], unique=False)



def downgrade():
    with op.batch_alter_table('record_retention', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_retention_account_id'))

    op.drop_table('record_retention')
