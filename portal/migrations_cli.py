"""`flask db …`: Flask-Migrate's commands, with Alembic loaded only when one of them runs.

Flask-Migrate imports Alembic (and Mako) as soon as it is imported; bound in `create_app` it
cost every web and worker process about 8 MB for commands they never run (`portal.lazy_imports`).
The group below answers `flask db` and binds Flask-Migrate on first use."""

from __future__ import annotations

import click
from flask import Flask

from portal.config import ROOT
from portal.extensions import db

MIGRATIONS = ROOT / "portal" / "migrations"


def init_migrations(app: Flask) -> None:
    """Flask-Migrate bound to `app`, once: the `flask db` commands and the tests' upgrade()."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        # Batch mode: SQLite alters a table by copying it.
        Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True)


class MigrationCommands(click.Group):
    """Stands for Flask-Migrate's `db` group in `flask --help`; asked to run, it hands over to
    that group (its options, its subcommands) once Flask-Migrate is bound."""

    def __init__(self, app: Flask):
        super().__init__("db", help="Database migrations (Flask-Migrate: upgrade, downgrade, migrate, …).")
        self.app = app

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        init_migrations(self.app)
        from flask_migrate.cli import db as commands

        return commands.make_context(info_name, args, parent=parent, **extra)
