"""Privacy jobs: access packages and the daily round (reminders, purges)."""

from portal.requests.access import deliver_package
from portal.requests.daily import run_daily


def build_access_package(request_id: int) -> str:
    return deliver_package(request_id)


def daily() -> dict:
    return run_daily()
