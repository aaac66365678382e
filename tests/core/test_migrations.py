"""Migrations: one head, and the migrated schema (upgraded from empty in conftest, on SQLite
or on PostgreSQL in CI) equals what the models declare."""

from __future__ import annotations

import zlib

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import select, text

from portal.extensions import db
from portal.models.base import schema_of


def test_single_head(app):
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1


def test_migrated_schema_matches_models(app):
    with db.engine.connect() as conn:
        opts = {"compare_type": False, "include_object": schema_of(conn.dialect.name)}
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_export_files_waiting_for_download_survive_the_switch_to_uncompressed_chunks(salon):
    """Revision 5d2f0c9a7b41 hands export chunks to the database as they are: chunks the worker
    compressed before it are decompressed, nothing of the file is lost, and the way back
    compresses again."""
    from flask_migrate import downgrade, upgrade

    from portal.models import CustomerExport, ExportChunk

    export = CustomerExport(
        account_id=salon.account.id,
        requested_by_id=salon.owner.id,
        recipient_login_id=salon.owner.id,
        fields=["id"],
        status="finished",
    )
    db.session.add(export)
    db.session.commit()
    export_id = export.id
    pieces = ["\ufeffKundennummer,Notizen\r\n".encode(), '1,Jürgen mag "Kaffee"\r\n'.encode() * 5000]
    db.session.remove()
    downgrade(revision="e54117876fad")
    try:
        with db.engine.begin() as conn:
            for seq, piece in enumerate(pieces):
                conn.execute(
                    ExportChunk.__table__.insert().values(export_id=export_id, seq=seq, data=zlib.compress(piece, 1))
                )
    finally:
        upgrade()
    stored = db.session.scalars(
        select(ExportChunk.data).where(ExportChunk.export_id == export_id).order_by(ExportChunk.seq)
    ).all()
    assert [bytes(data) for data in stored] == pieces
    if db.engine.dialect.name == "postgresql":
        storage, compression = db.session.execute(
            text(
                "SELECT attstorage, attcompression FROM pg_attribute "
                "WHERE attrelid = 'export_chunk'::regclass AND attname = 'data'"
            )
        ).one()
        has_lz4 = db.session.scalar(
            text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        )
        # PostgreSQL compresses the chunks with lz4 itself, or, built without it, stores them as they are.
        assert (storage, compression) == (("x", "l") if has_lz4 else ("e", ""))


def test_existing_customers_get_the_german_name_order(salon):
    """Revision a7c3e9d2f5b1 computes the sort key of customers stored before it anew."""
    from flask_migrate import downgrade, upgrade

    from portal.customers.service import search_customers
    from tests import factories

    account_id = salon.account.id
    for last in ("Braun", "Böhm", "Bohm"):
        factories.make_customer(salon.account, last)
    db.session.remove()
    downgrade(revision="c5d1e8f2a4b6")
    try:
        with db.engine.begin() as conn:  # the key as the portal wrote it before: lower case only
            conn.execute(text("UPDATE customer SET sort_name = lower(last_name || ' ' || first_name)"))
    finally:
        upgrade()
    names = [c.last_name for c in search_customers(account_id, "", None, 10).customers]
    assert names == ["Böhm", "Bohm", "Braun"]  # the same key; the older one first


def test_the_other_systems_become_entries_of_the_processor_register(salon, other_salon):
    """Revision 7ddf0d161712: every salon gets the three prefilled entries, and each system it had
    listed for erasures becomes an entry to remove the person from by hand."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from portal.models import Processor

    account_id, other_id = salon.account.id, other_salon.account.id
    db.session.remove()
    downgrade(revision="75b3ca1b33dc")
    try:
        account = sa.table("account", sa.column("id", sa.Integer), sa.column("other_systems", sa.JSON))
        with db.engine.begin() as conn:
            conn.execute(
                account.update()
                .where(account.c.id == account_id)
                .values(other_systems=[{"name": "Newsletter-Tool", "purpose": "E-Mail-Adressen"}])
            )
    finally:
        upgrade()
    rows = db.session.execute(
        select(
            Processor.account_id, Processor.standard, Processor.name, Processor.service, Processor.erase_by_hand
        ).order_by(Processor.account_id, Processor.id)
    ).all()
    assert [tuple(r) for r in rows] == [
        (account_id, "operator", "", "", False),
        (account_id, "mail", "", "", False),
        (account_id, "sms", "", "", False),
        (account_id, None, "Newsletter-Tool", "E-Mail-Adressen", True),
        (other_id, "operator", "", "", False),
        (other_id, "mail", "", "", False),
        (other_id, "sms", "", "", False),
    ]
