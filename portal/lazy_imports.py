"""Libraries imported where they are used, not when the portal starts.

Every gunicorn worker, the RQ worker and each work horse it forks start with what
`create_app` and the worker's preloading import (`jobs.worker.preload_and_freeze`). These
libraries are used by few requests and jobs but together made a third of that start
(a preloaded worker: 121 MB with them, 86 MB without; the customer export's work horse at a
million customers must stay under 100 MB):

- Alembic via Flask-Migrate: only `flask db …` (`portal.migrations_cli`);
- reportlab and python-docx: the PDF and Word files of signed forms, the record of
  processing and a breach report;
- openpyxl: XLSX exports and Excel imports;
- holidays: the legal deadlines, imported once per process on the first one;
- charset_normalizer: an import file that is not UTF-8;
- segno: the QR code shown while two-factor login is set up.

A module that needs one imports it inside the function that uses it, with a comment naming
this module; `tests/core/test_lazy_imports.py` keeps them out of a started worker."""

LAZY_LIBRARIES = (
    "alembic",
    "flask_migrate",
    "reportlab",
    "docx",
    "openpyxl",
    "holidays",
    "charset_normalizer",
    "segno",
)
