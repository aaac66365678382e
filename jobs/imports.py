"""Customer import jobs: the check of the file, the import, and their maintenance."""

from portal.imports.check import check_import as _check
from portal.imports.maintenance import maintain
from portal.imports.run import run_import as _run


def check_import(import_id: int) -> str:
    return _check(import_id)


def run_import(import_id: int) -> str:
    return _run(import_id)


def maintenance() -> dict:
    return maintain()
