"""export chunks: one piece per position of an export

A worker that stalled past the maintenance's patience and the run that replaced it could both
store pieces of the same file; the constraint lets only one of them succeed. A file that got
two pieces for one position before is damaged: its pieces are deleted and its export marked
failed (the owner starts a new one), so the constraint can be created.

Revision ID: a7d4c2e9f1b3
Revises: 8c3e1f27d9a5
Create Date: 2026-12-01 23:59:00.000000

"""
from alembic import op

revision = 'a7d4c2e9f1b3'
down_revision = '8c3e1f27d9a5'
branch_labels = None
depends_on = None


def upgrade():
    damaged = ("SELECT export_id FROM export_chunk GROUP BY export_id "
               "HAVING count(*) > count(DISTINCT seq)")
    op.execute(f"UPDATE customer_export SET status = 'failed', error = 'file damaged: two runs at once' "
               f"WHERE id IN ({damaged})")
    op.execute(f"DELETE FROM export_chunk WHERE export_id IN ({damaged})")
    with op.batch_alter_table('export_chunk', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_export_chunk_export_id_seq'), ['export_id', 'seq'])


def downgrade():
    with op.batch_alter_table('export_chunk', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_export_chunk_export_id_seq'), type_='unique')
