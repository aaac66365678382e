"""export chunks compressed by PostgreSQL (lz4), not by the worker

Compressing a large export in the worker (zlib) cost as much time as reading the customers. A
chunk is now handed over as it is and PostgreSQL compresses it with lz4 on its own core, a
fraction of zlib's time (storing it uncompressed instead doubled the writing at a million
customers). A server built without lz4 stores the chunks uncompressed (storage EXTERNAL);
SQLite, for development, stores them as they are. Chunks still waiting for their download are
decompressed here, so no file is lost.

Revision ID: 5d2f0c9a7b41
Revises: e54117876fad
Create Date: 2026-11-22 03:10:00.000000

"""
import zlib

import sqlalchemy as sa
from alembic import op

revision = '5d2f0c9a7b41'
down_revision = 'e54117876fad'
branch_labels = None
depends_on = None

chunk = sa.table('export_chunk', sa.column('id', sa.Integer), sa.column('data', sa.LargeBinary))


def _recode(convert) -> None:
    """Chunk by chunk (each about 1 MiB), so memory stays small whatever is waiting."""
    connection = op.get_bind()
    for chunk_id in connection.scalars(sa.select(chunk.c.id).order_by(chunk.c.id)).all():
        data = connection.scalar(sa.select(chunk.c.data).where(chunk.c.id == chunk_id))
        connection.execute(chunk.update().where(chunk.c.id == chunk_id).values(data=convert(data)))


def _has_lz4(connection) -> bool:
    return bool(connection.scalar(sa.text(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")))


def upgrade():
    _recode(zlib.decompress)
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        if _has_lz4(connection):
            op.execute('ALTER TABLE export_chunk ALTER COLUMN data SET COMPRESSION lz4')
        else:
            op.execute('ALTER TABLE export_chunk ALTER COLUMN data SET STORAGE EXTERNAL')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE export_chunk ALTER COLUMN data SET STORAGE EXTENDED')
        op.execute('ALTER TABLE export_chunk ALTER COLUMN data SET COMPRESSION DEFAULT')
    _recode(lambda data: zlib.compress(data, 1))
