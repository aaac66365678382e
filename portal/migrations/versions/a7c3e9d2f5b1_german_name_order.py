"""Customer names sort as in a German phone book (DIN 5007-1): the sort key of existing
customers is computed anew (Böhm beside Bohm, not after Braun). The rule is copied here so
that this step stays what it was when the portal's rule changes.

Revision ID: a7c3e9d2f5b1
Revises: c5d1e8f2a4b6
Create Date: 2026-12-04 09:00:00
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = 'a7c3e9d2f5b1'
down_revision = 'c5d1e8f2a4b6'
branch_labels = None
depends_on = None

BATCH = 2000


def _key(last_name, first_name):
    text = f"{last_name or ''} {first_name or ''}".strip().translate(str.maketrans({"ß": "ss", "ẞ": "ss"}))
    base = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return base.casefold()[:210]


def upgrade():
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, last_name, first_name FROM customer WHERE id > :after ORDER BY id LIMIT :n"),
            {"after": last_id, "n": BATCH},
        ).all()
        if not rows:
            break
        bind.execute(
            sa.text("UPDATE customer SET sort_name = :key WHERE id = :id"),
            [{"id": row.id, "key": _key(row.last_name, row.first_name)} for row in rows],
        )
        last_id = rows[-1].id


def downgrade():
    pass  # the older key (lower case only) is no more correct; keeping this one loses nothing
