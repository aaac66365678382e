"""customer search by trigrams on SQLite: a table of each customer's three-character pieces
with its sort name, kept by triggers

Revision ID: e9b4d2a7c1f5
Revises: e7a2c4d9f1b3
Create Date: 2026-12-07 07:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e9b4d2a7c1f5"
down_revision = "e7a2c4d9f1b3"
branch_labels = None
depends_on = None

# search_text is at most 600 characters: its pieces start at 1..598. SQLite allows no WITH in a
# trigger, so the positions are a table.
POSITIONS = 598
PIECES = "SELECT substr({row}.search_text, i, 3) FROM gram_position WHERE i <= length({row}.search_text) - 2"
ADD = (
    "INSERT OR IGNORE INTO customer_gram (account_id, gram, sort_name, customer_id) "
    "SELECT NEW.account_id, substr(NEW.search_text, i, 3), coalesce(NEW.sort_name, ''), NEW.id FROM gram_position "
    "WHERE i <= length(NEW.search_text) - 2;"
)
# Through the primary key, piece by piece: no second index on customer_id to keep up.
REMOVE = (
    "DELETE FROM customer_gram WHERE account_id = OLD.account_id AND sort_name = coalesce(OLD.sort_name, '') "
    f"AND customer_id = OLD.id AND gram IN ({PIECES.format(row='OLD')});"
)
TRIGGERS = {
    "customer_gram_insert": f"AFTER INSERT ON customer BEGIN {ADD} END",
    "customer_gram_update": f"AFTER UPDATE OF search_text, sort_name, account_id ON customer BEGIN {REMOVE} {ADD} END",
    "customer_gram_delete": f"AFTER DELETE ON customer BEGIN {REMOVE} END",
}


def upgrade():
    op.create_table(
        "customer_gram",
        sa.Column("account_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("gram", sa.String(length=3), nullable=False),
        sa.Column("sort_name", sa.String(length=210), nullable=False),
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "gram", "sort_name", "customer_id"),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL searches through pg_trgm (revision d3e8a1f4b2c6)
    op.execute("CREATE TABLE gram_position (i INTEGER PRIMARY KEY)")
    op.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
        f"{POSITIONS}) INSERT INTO gram_position (i) SELECT i FROM n"
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(
        "INSERT OR IGNORE INTO customer_gram (account_id, gram, sort_name, customer_id) "
        "SELECT c.account_id, substr(c.search_text, p.i, 3), coalesce(c.sort_name, ''), c.id FROM customer c "
        "JOIN gram_position p ON p.i <= length(c.search_text) - 2"
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS gram_position")
    op.drop_table("customer_gram")
