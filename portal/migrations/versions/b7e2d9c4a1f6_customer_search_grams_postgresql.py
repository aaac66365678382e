"""customer search by trigrams on PostgreSQL too: customer_gram kept by triggers, read in name
order, as on SQLite

pg_trgm's index finds a fragment's customers in no order: a page of a common fragment meant
fetching and sorting every match (4,000 rows for "schm" at 100,000 customers, 10 ms). The
pieces table gives them in name order, and a page ends the read (1–2 ms). The pg_trgm index
stays: the request inbox's search uses it.

Revision ID: b7e2d9c4a1f6
Revises: e9b4d2a7c1f5
Create Date: 2026-12-07 18:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e2d9c4a1f6"
down_revision = "e9b4d2a7c1f5"
branch_labels = None
depends_on = None

# The pieces of the customers in a transition table `rows` (insert, delete: set-based, one
# statement for an import's or an erasure's thousands of customers).
PIECES = (
    "SELECT DISTINCT r.account_id, substr(r.search_text, i, 3) AS gram, coalesce(r.sort_name, '') AS sort_name, "
    "r.id AS customer_id FROM {rows} r CROSS JOIN LATERAL generate_series(1, length(r.search_text) - 2) AS i"
)
ADD = f"INSERT INTO customer_gram (account_id, gram, sort_name, customer_id) {PIECES} ON CONFLICT DO NOTHING"
# Through the primary key, piece by piece: no second index on customer_id to keep up.
REMOVE = (
    f"DELETE FROM customer_gram g USING ({PIECES}) p WHERE g.account_id = p.account_id "
    "AND g.gram = p.gram AND g.sort_name = p.sort_name AND g.customer_id = p.customer_id"
)
FUNCTIONS = {
    "customer_gram_added": ADD.format(rows="added_rows"),
    "customer_gram_removed": REMOVE.format(rows="removed_rows"),
    "customer_gram_changed": (
        "DELETE FROM customer_gram WHERE account_id = OLD.account_id AND sort_name = coalesce(OLD.sort_name, '') "
        "AND customer_id = OLD.id AND gram IN (SELECT substr(OLD.search_text, i, 3) "
        "FROM generate_series(1, length(OLD.search_text) - 2) AS i); "
        "INSERT INTO customer_gram (account_id, gram, sort_name, customer_id) "
        "SELECT DISTINCT NEW.account_id, substr(NEW.search_text, i, 3), coalesce(NEW.sort_name, ''), NEW.id "
        "FROM generate_series(1, length(NEW.search_text) - 2) AS i ON CONFLICT DO NOTHING"
    ),
}
# A change row by row, and only of what the pieces are made of: a visit's activity time, written
# at every checkout, never calls the function (PostgreSQL allows no transition table with a
# column list, so the update trigger cannot be set-based and selective at once).
TRIGGERS = {
    "customer_gram_insert": (
        "AFTER INSERT ON customer REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION customer_gram_added()"
    ),
    "customer_gram_delete": (
        "AFTER DELETE ON customer REFERENCING OLD TABLE AS removed_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION customer_gram_removed()"
    ),
    "customer_gram_update": (
        "AFTER UPDATE OF search_text, sort_name, account_id ON customer FOR EACH ROW "
        "WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text OR OLD.sort_name IS DISTINCT FROM NEW.sort_name "
        "OR OLD.account_id IS DISTINCT FROM NEW.account_id) EXECUTE FUNCTION customer_gram_changed()"
    ),
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has its triggers since e9b4d2a7c1f5
    for name, body in FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(ADD.format(rows="customer"))


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON customer")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute("DELETE FROM customer_gram")
