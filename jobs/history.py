"""History jobs."""

from portal.history.exports import build_login_history as _build


def build_login_history(export_id: int) -> str:
    return _build(export_id)
