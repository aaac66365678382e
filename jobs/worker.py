"""The RQ worker: jobs run inside an app context; the DB pool is not shared across fork."""

from __future__ import annotations

import gc
import importlib
import os
import pkgutil

from rq import Worker
from rq.job import Job
from rq.serializers import JSONSerializer

_app = None
_pool_pid = None


def _get_app():
    global _app
    if _app is None:
        from portal import create_app

        _app = create_app()
    return _app


class AppContextJob(Job):
    def perform(self):
        global _pool_pid
        app = _get_app()
        with app.app_context():
            from portal.extensions import db

            if _pool_pid != os.getpid():
                # A forked work horse must not reuse the parent's sockets to the database.
                db.engine.dispose(close=False)
                _pool_pid = os.getpid()
            try:
                return super().perform()
            finally:
                db.session.remove()


def preload_and_freeze() -> None:
    """Import every job module, then hide what is loaded from the garbage collector. Each
    forked work horse starts with the code in place, shares those pages with the parent, and
    its full collections no longer walk the ~150,000 objects of Flask and SQLAlchemy — that
    walking was a third of a large export's time."""
    import jobs

    for module in pkgutil.iter_modules(jobs.__path__, "jobs."):
        importlib.import_module(module.name)
    gc.collect()
    gc.freeze()


def make_worker(queues, connection, app=None) -> Worker:
    global _app
    if app is not None:
        _app = app
    preload_and_freeze()
    return Worker(
        queues,
        connection=connection,
        job_class=AppContextJob,
        serializer=JSONSerializer,
    )
