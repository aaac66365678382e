"""customer search by trigrams on PostgreSQL (pg_trgm)

Revision ID: d3e8a1f4b2c6
Revises: c9b7f70d10d3
Create Date: 2026-12-07 05:00:00

"""
import logging

from alembic import op


# revision identifiers, used by Alembic.
revision = 'd3e8a1f4b2c6'
down_revision = 'c9b7f70d10d3'
branch_labels = None
depends_on = None


def upgrade():
    # PostgreSQL only: SQLite has no trigram index (FTS5's would keep deleted names in its
    # segments until a merge, which an erasure cannot allow); its search stays a scan of the
    # covering name index. pg_trgm is a trusted extension: the database owner may create it.
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    installed = bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first()
    creatable = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm' "
        "AND has_database_privilege(current_database(), 'CREATE')"
    ).first()
    if not (installed or creatable):
        # The search works without it (a scan instead of the index); the deployment goes on.
        logging.getLogger("alembic").warning(
            "pg_trgm is not available to this database user: the customer search runs without its index"
        )
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_customer_search_trgm ON customer USING gin (search_text gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_customer_search_trgm")
