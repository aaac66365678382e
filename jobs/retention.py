"""Automatic forgetting."""

from portal.retention.service import run_all_due


def nightly() -> dict:
    return run_all_due()
