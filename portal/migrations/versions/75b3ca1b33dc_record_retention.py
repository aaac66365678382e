"""The salon's accountability records: its periods in the portal's own retention plan (login
history, data-access log, message log; absent: the plan's defaults), its own technical and
organisational measures, and the days employees signed the confidentiality commitment.

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
    op.create_table('salon_measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_salon_measure_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_salon_measure')),
    sa.UniqueConstraint('account_id', 'key', name=op.f('uq_salon_measure_account_id_key')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('salon_measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_salon_measure_account_id'), ['account_id'], unique=False)

    op.create_table('confidentiality_commitment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_confidentiality_commitment_account_id_account')),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_confidentiality_commitment_employee_id_employee'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_confidentiality_commitment')),
    sa.UniqueConstraint('employee_id', name=op.f('uq_confidentiality_commitment_employee_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('confidentiality_commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confidentiality_commitment_account_id'), ['account_id'], unique=False)


def downgrade():
    with op.batch_alter_table('confidentiality_commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_confidentiality_commitment_account_id'))

    op.drop_table('confidentiality_commitment')
    with op.batch_alter_table('salon_measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_salon_measure_account_id'))

    op.drop_table('salon_measure')
    with op.batch_alter_table('record_retention', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_retention_account_id'))

    op.drop_table('record_retention')
