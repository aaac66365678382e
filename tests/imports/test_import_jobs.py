"""The check and the import through a real RQ worker on the real Redis, with the progress the
page polls; and the operators' command."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from portal.extensions import db
from portal.imports import progress
from portal.models import Customer, CustomerImport, ImportStatus
from tests.conftest import run_flask, run_worker_burst
from tests.imports.helpers import german_csv, import_id_of, mapping_form, upload


def test_check_and_import_run_in_a_worker_and_the_page_follows_them(salon, login_as, worker_env):
    client = login_as(salon.owner)
    rows = [f"Kundin{n:04d};Eva;eva{n}@example.com;0170 {1000000 + n};" for n in range(1500)]
    import_id = import_id_of(upload(client, german_csv(rows, "Nachname;Vorname;E-Mail;Mobil;Geburtstag")))
    imp = db.session.get(CustomerImport, import_id)
    client.post(f"/customers/import/{import_id}/mapping", data=mapping_form(imp))
    # While the job waits, the page says so and polls.
    page = client.get(f"/customers/import/{import_id}").get_data(as_text=True)
    assert "Every row is being checked" in page and 'hx-trigger="every 1s"' in page
    assert run_worker_burst(worker_env, "default").returncode == 0
    done = client.get(f"/customers/import/{import_id}/progress")
    assert done.status_code == 286 and done.headers["HX-Refresh"] == "true"  # the poll stops, the page reloads
    page = client.get(f"/customers/import/{import_id}").get_data(as_text=True)
    assert 'data-confirm-value="1500-0"' in page

    client.post(f"/customers/import/{import_id}/confirm", data={"confirm": "1500-0"})
    progress.report(import_id, 600, 1500)  # as the job reports after a batch
    running = client.get(f"/customers/import/{import_id}/progress").get_data(as_text=True)
    assert 'value="40"' in running and "600 of about 1,500 rows" in running
    assert run_worker_burst(worker_env, "default").returncode == 0
    db.session.expire_all()
    imp = db.session.get(CustomerImport, import_id)
    assert imp.status == ImportStatus.FINISHED and imp.counts["new"] == 1500
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 1500
    assert progress.read(import_id) is None
    page = client.get(f"/customers/import/{import_id}").get_data(as_text=True)
    assert "1,500 new, 0 updated, 0 skipped, 0 with errors." in page


def _command(worker_env, *args):
    return run_flask(worker_env, "customers", "import", *args)


def test_the_operators_command_imports_with_the_same_rules(salon, worker_env, tmp_path):
    from tests import factories

    factories.make_customer(salon.account, "Sommer", "Greta", email="greta@example.com")
    file = tmp_path / "kunden.csv"
    file.write_bytes(
        german_csv(
            ["Sommer;Greta;greta@example.com;Blond", "Winter;Kai;kai@example.com;", "Herbst;;kaputt;"],
            "Name;Vorname;Mail;Haarfarbe",
        )
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"Name": "last_name", "Vorname": "first_name", "Mail": "email", "Haarfarbe": "notes"})
    )
    result = _command(
        worker_env,
        str(file),
        "--salon",
        salon.account.slug,
        "--source",
        "Altkasse",
        "--mapping",
        str(mapping),
        "--on-duplicate",
        "update",
    )
    assert result.returncode == 0, result.stderr
    # Said in German, as the portal speaks outside a request.
    assert "1 neu, 1 aktualisiert, 0 übersprungen, 1 fehlerhaft." in result.stdout
    assert "4\tMail\tDas ist keine gültige E-Mail-Adresse." in result.stderr
    db.session.expire_all()
    customers = {c.last_name: c for c in db.session.scalars(select(Customer))}
    assert customers["Sommer"].notes == "Blond" and customers["Winter"].import_source == "Altkasse"

    # Nothing to import: exit 1 and nothing written.
    again = _command(
        worker_env, str(file), "--salon", salon.account.slug, "--source", "Altkasse", "--mapping", str(mapping)
    )
    assert again.returncode == 1 and "0 neu, 0 aktualisiert, 2 übersprungen" in again.stdout
    empty = tmp_path / "leer.csv"
    empty.write_bytes(b"")
    refused = _command(worker_env, str(empty), "--salon", salon.account.slug, "--source", "X")
    assert refused.returncode == 1 and "Die Datei ist leer." in refused.stderr
    unknown = _command(worker_env, str(file), "--salon", "no-such-salon", "--source", "X")
    assert unknown.returncode != 0 and "no salon" in unknown.stderr
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 2
