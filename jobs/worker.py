"""The RQ worker: jobs run inside an app context; the DB pool is not shared across fork."""

from __future__ import annotations

import ctypes
import gc
import importlib
import os
import pkgutil
from datetime import datetime

from flask_babel import format_datetime, get_translations
from rq import Worker
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy.orm import configure_mappers

PRELOADED_LANGUAGE = "de"
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


def preload_and_freeze(app) -> None:
    """Prepare in the worker what every work horse would otherwise prepare again: import every
    job module, configure the ORM's mappers, switch SQLite's memory statistics off
    (`portal.sqlite_runtime`), compile the email templates, load the German translations and
    Babel's German date formats (3.5 MB and ~10 ms in each horse that writes a mail; English,
    the rarer language, is left to the horse that needs it: every horse counts its preloaded
    pages, and the export's must stay under 100 MB); then hide all of it
    from the garbage collector. Each forked work horse starts with this in place (shared pages),
    and its full collections no longer walk the ~150,000 objects of Flask and SQLAlchemy — that
    walking was a third of a large export's time, the preparation half of a small job's."""
    import jobs

    for module in pkgutil.iter_modules(jobs.__path__, "jobs."):
        importlib.import_module(module.name)
    configure_mappers()
    with app.app_context():
        from portal.extensions import db
        from portal.sqlite_runtime import disable_memory_statistics
        from portal.web.words import force_locale

        disable_memory_statistics(db.engine)
        with force_locale(PRELOADED_LANGUAGE):
            get_translations()
            format_datetime(datetime(2026, 1, 1))  # Babel loads the language's CLDR data
    for name in app.jinja_env.list_templates(filter_func=lambda name: name.startswith("email/")):
        app.jinja_env.get_template(name)
    gc.collect()
    gc.freeze()
    _fixed_mmap_threshold()


# glibc's malloc serves a request of 128 KiB or more by mmap and returns it on free — but after
# the first such free it raises that threshold to the freed size, and from then on the export's
# 256 KiB chunks come from the heap, which grows around them and is not given back (2.5 MB of a
# large export's peak). A fixed threshold keeps them mapped and unmapped.
M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
MMAP_THRESHOLD_BYTES = 128 * 1024


def _fixed_mmap_threshold() -> None:
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to fix
        pass


def make_worker(queues, connection, app=None) -> Worker:
    global _app
    if app is not None:
        _app = app
    preload_and_freeze(_get_app())
    return Worker(
        queues,
        connection=connection,
        job_class=AppContextJob,
        serializer=JSONSerializer,
    )
