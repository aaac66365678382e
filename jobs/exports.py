"""Export jobs."""

from portal.exports.build import maintain, run_export


def build_export(export_id: int) -> str:
    return run_export(export_id)


def maintenance() -> dict:
    return maintain()
