"""flask commands: demo seed, create-owner, worker, cron, mail retry, privacy daily and
run-retention, retention preview, customers import."""

from __future__ import annotations

import click
from flask import Flask, current_app
from sqlalchemy import func, select
from werkzeug.utils import import_string

from portal.extensions import db
from portal.migrations_cli import MigrationCommands


def register_cli(app: Flask) -> None:
    app.cli.add_command(MigrationCommands(app))
    app.cli.add_command(demo)
    app.cli.add_command(create_owner)
    app.cli.add_command(worker)
    app.cli.add_command(mail_cli)
    app.cli.add_command(cron)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(customers_cli)


@click.group()
def demo():
    """Demo data."""


@demo.command("seed")
@click.option("--customers", default=300, show_default=True, help="customers in the demo salon")
@click.option("--events", default=0, show_default=True, help="extra audit events (for benchmarks)")
@click.option("--if-empty", is_flag=True, help="do nothing when the database already has salons")
def demo_seed(customers: int, events: int, if_empty: bool):
    """Build the demo salon (and a second small one, to show tenant separation)."""
    from portal.demo import seed, seed_history
    from portal.models import Account

    if if_empty and db.session.scalar(select(func.count()).select_from(Account)):
        click.echo("Database has data; demo seed skipped.")
        return
    summary = seed(customers)
    click.echo(summary)
    if events:
        account_id = db.session.scalar(select(Account.id).where(Account.slug == "salon-sonnenschein"))
        click.echo(f"{seed_history(account_id, events)} audit events added.")


@click.command("create-owner")
@click.option("--salon", required=True, help="salon name")
@click.option("--slug", required=True, help="calendar address")
@click.option("--email", required=True)
@click.option(
    "--state", required=True, help="Bundesland of the first location (BE, BY, NW, ...): holidays and authority"
)
@click.password_option()
def create_owner(salon: str, slug: str, email: str, state: str, password: str):
    """Create a salon with its owner login (production bootstrap)."""
    from portal.accountability import processors
    from portal.auth.service import MIN_PASSWORD_LENGTH, hash_secret
    from portal.models import Account, Location, Login
    from portal.privacy.authorities import BY_CODE
    from portal.signed_forms.designer import add_intake_form
    from portal.validation import normalize_email

    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"at least {MIN_PASSWORD_LENGTH} characters", param_hint="password")
    if state.upper() not in BY_CODE:
        raise click.BadParameter(f"one of {', '.join(sorted(BY_CODE))}", param_hint="--state")
    account = Account(name=salon, slug=slug)
    db.session.add(account)
    db.session.flush()
    db.session.add(Location(account_id=account.id, name=salon, state=state.upper()))
    processors.add_standard(account.id)
    add_intake_form(account.id, salon)
    db.session.add(
        Login(
            account_id=account.id,
            email=normalize_email(email),
            role="owner",
            password_hash=hash_secret(password),
            extra_permissions=[],
        )
    )
    db.session.commit()
    click.echo(f"Salon {slug} with owner {email} created.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="stop when the queues are empty")
@click.option("--with-scheduler", is_flag=True, help="also run RQ's scheduler")
@click.argument("queues", nargs=-1)
def worker(burst: bool, with_scheduler: bool, queues: tuple[str, ...]):
    """Run an RQ worker whose jobs run inside this app's context."""
    from portal.tasks import QUEUES, WORKER, redis_connection

    # By name: jobs/ imports the portal, the portal never imports jobs/ (no import cycle).
    make_worker = import_string(WORKER)

    names = list(queues) or ["emails", "exports", "default"]
    unknown = set(names) - set(QUEUES)
    if unknown:
        raise click.BadParameter(", ".join(sorted(unknown)), param_hint="queues")
    app = current_app._get_current_object()
    db.engine.dispose()  # nothing of the parent's pool travels into work horses
    make_worker(names, redis_connection(), app=app).work(burst=burst, with_scheduler=with_scheduler)


@click.group("mail")
def mail_cli():
    """Outbound email."""


@mail_cli.command("retry")
def mail_retry():
    """Enqueue again every email that is still queued or failed (e.g. after Redis was down)."""
    from portal.models import OutboundEmail
    from portal.tasks import DELIVER_EMAIL

    rows = db.session.execute(select(OutboundEmail.id).where(OutboundEmail.status.in_(("queued", "failed")))).all()
    for row in rows:
        DELIVER_EMAIL.now(row)
    click.echo(f"{len(rows)} emails enqueued.")


@click.command("cron")
def cron():
    """Enqueue the recurring jobs when they are due (see portal/scheduling.py)."""
    from portal.scheduling import run_forever

    run_forever()


@click.group("privacy")
def privacy_cli():
    """Privacy duties."""


@privacy_cli.command("daily")
def privacy_daily():
    """Run the daily privacy round now (reminders, purges); for an operator's cron."""
    from portal.requests.daily import run_daily

    click.echo(run_daily())


@privacy_cli.command("run-retention")
def privacy_run_retention():
    """Run the due automatic-forgetting runs now (what the nightly job does)."""
    from portal.retention.service import run_all_due

    click.echo(run_all_due())


@click.group("retention")
def retention_cli():
    """Automatic forgetting."""


@retention_cli.command("preview")
@click.option("--salon", "slug", required=True, help="the salon's calendar address (slug)")
@click.option(
    "--months",
    type=click.IntRange(1, 600),
    default=None,
    help="what if the period were N months (default: the salon's setting)",
)
def retention_preview(slug: str, months: int | None):
    """The customer numbers the next run would forget, one per line, then a count line (the
    preview page's own function; customers on hold are not listed)."""
    from portal.models import Account
    from portal.retention import service as retention

    account = db.session.scalar(select(Account).where(Account.slug == slug))
    if account is None:
        raise click.BadParameter(f"no salon with the address {slug!r}", param_hint="--salon")
    if months is None and not account.retention_months:
        raise click.UsageError("automatic forgetting is off for this salon; pass --months N for a what-if")
    due, held = retention.preview(account, limit=None, months=months)
    for row in due:
        click.echo(f"K-{row.customer.id}")
    click.echo(f"{len(due)} customers due after {months or account.retention_months} months ({len(held)} more on hold)")


@click.group("customers")
def customers_cli():
    """The customer file."""


@customers_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--salon", "slug", required=True, help="the salon's calendar address")
@click.option("--source", required=True, help="the previous software's name (stored with every customer)")
@click.option("--mapping", default="auto", show_default=True, help="auto, or a JSON file {header: target}")
@click.option("--on-duplicate", type=click.Choice(["skip", "update", "create"]), default="skip", show_default=True)
def customers_import(file: str, slug: str, source: str, mapping: str, on_duplicate: str):
    """Import customers from a CSV or XLSX file with the wizard's rules; exits 1 when nothing
    was imported."""
    from flask_babel import gettext as _

    from portal.imports.labels import FILE_ERRORS, STEP_ERRORS
    from portal.imports.operator import import_file
    from portal.imports.reading import ImportFileError
    from portal.imports.service import ImportStepError
    from portal.models import Account

    account = db.session.scalar(select(Account).where(Account.slug == slug))
    if account is None:
        raise click.ClickException(f"no salon with the calendar address {slug!r}")
    with open(file, "rb") as handle:
        data = handle.read()
    try:
        result = import_file(account.id, data, source, None if mapping == "auto" else mapping, on_duplicate)
    except ImportFileError as error:
        raise click.ClickException(str(FILE_ERRORS[error.code])) from error
    except ImportStepError as error:
        raise click.ClickException(" ".join(str(STEP_ERRORS.get(c, c)) for c in error.codes)) from error
    counts = {name: result.counts.get(name, 0) for name in ("new", "updated", "skipped", "invalid")}
    click.echo(_("%(new)s new, %(updated)s updated, %(skipped)s skipped, %(invalid)s with errors.", **counts))
    for line in result.problems:
        click.echo(line, err=True)
    if not result.imported:
        raise SystemExit(1)
