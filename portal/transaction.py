"""One service operation, one transaction: `@transaction` on the service functions that views,
jobs and commands call. It commits when the operation returns and rolls back when it raises,
except for errors marked `keep_changes` (a wrong password or code is counted, then refused).
Operations inside another one (or inside `with one_transaction():`, e.g. a seeding loop) share
the outermost transaction: only it commits."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from portal.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


class KeepChanges:
    """Mix into an error whose operation's changes must stay (the failed try is the record)."""

    keep_changes = True


class one_transaction:  # noqa: N801 - used like a function: `with one_transaction():`
    def __enter__(self):
        self.outermost = not db.session.info.get("in_transaction")
        db.session.info["in_transaction"] = True
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if not self.outermost:
            return
        db.session.info.pop("in_transaction", None)
        if error is not None and not getattr(error, "keep_changes", False):
            db.session.rollback()
            return
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()  # e.g. a unique constraint the last flush met: nothing half-saved
            raise


def transaction(operation: Callable[P, R]) -> Callable[P, R]:
    @wraps(operation)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with one_transaction():
            return operation(*args, **kwargs)

    return run
