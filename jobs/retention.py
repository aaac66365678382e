"""Automatic forgetting."""

from portal.privacy.retention import run_all_due


def nightly() -> dict:
    return run_all_due()
