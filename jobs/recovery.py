"""Recovery of lost jobs."""

from portal.recovery import recover_lost_jobs


def lost_jobs() -> dict:
    return recover_lost_jobs()
