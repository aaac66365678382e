"""The import's words: statuses, the messages of files, steps and rows, the choices."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.imports.reading import ENCODINGS

IMPORT_STATUSES = {
    "uploaded": _l("mapping the columns"),
    "checking": _l("checking the rows"),
    "checked": _l("checked, waiting for your confirmation"),
    "queued": _l("waiting for the import"),
    "running": _l("importing"),
    "finished": _l("imported"),
    "failed": _l("failed — nothing was imported"),
    "undone": _l("undone"),
    "discarded": _l("discarded"),
}

# Why a file cannot be read (reading.ImportFileError).
FILE_ERRORS = {
    "empty": _l("The file is empty."),
    "only-headers": _l("The file has only a header row and no customers."),
    "too-large": _l("The file is larger than 50 MB. Please split it into several files."),
    "binary": _l("This is no CSV or Excel file. Please export your customers as CSV or XLSX."),
    "old-excel": _l("Old Excel files (.xls) cannot be read. Please save the file as .xlsx or CSV in Excel."),
    "unreadable": _l("The file cannot be read. Please save it again as CSV or XLSX."),
    "wrong-encoding": _l("The file does not fit the chosen encoding. Please choose another one."),
    "no-file": _l("Please choose a file."),
}

# Why a step is refused (service.ImportStepError) or why a check or import stopped.
STEP_ERRORS = {
    "unknown-target": _l("Please choose for every column what it becomes."),
    "mapped-twice": _l("A field is chosen for two columns. Each field can take one column only."),
    "no-last-name": _l("Please choose the column with the last name (or the full name)."),
    "name-twice": _l("Choose either the full name or the last and first name, not both."),
    "consent-date-alone": _l("A consent date needs the column with the consent itself."),
    "no-source": _l("Please name the previous software (for example Shore or Excel)."),
    "unknown-reading": _l("Please choose one of the offered encodings and delimiters."),
    "unknown-action": _l("Please choose skip, update or create for the duplicates."),
    "count-changed": _l("The numbers have changed since you looked. Please check the summary again."),
    "nothing-to-import": _l("There is nothing to import: every row is skipped or has errors."),
    "not-now": _l("This step is not possible in the import's present state."),
    "too-late": _l("An import can be undone within seven days only."),
    "not-finished": _l("Only a finished import can be undone."),
    "check-stopped": _l("The check stopped (the worker was interrupted). Please start it again."),
    "worker-stopped": _l("The import was interrupted three times. Nothing was imported; please upload the file again."),
    "erased-meanwhile": _l(
        "A customer was erased while this import was waiting. So that no erased person comes back with the file, "
        "it was deleted. Please upload it again (without that person)."
    ),
}

ROW_ERRORS = {
    "required-last-name": _l("The last name is missing."),
    "too-long": _l("At most %(max)d characters."),
    "invalid-email": _l("This is not a valid email address."),
    "invalid-phone": _l("This is not a valid phone number."),
    "date-format": _l("Please write a date as DD.MM.YYYY, YYYY-MM-DD or as an Excel date."),
    "invalid-date": _l("This date does not exist."),
    "future-date": _l("The date lies in the future."),
    "birthday-year": _l("Please check the year of birth."),
    "invalid-postal-code": _l("This is not a valid postal code."),
    "german-postal-code": _l("A German postal code has five digits."),
    "unknown-country": _l("Unknown country: please DE, AT, CH, NL, PL, FR or IT (or the country's name)."),
    "yes-no": _l("Please yes or no."),
    "not-a-number": _l("This is not a number."),
    "unknown-choice": _l("This field has no such choice. The choices are: %(choices)s"),
    "extra-cells": _l("The row has more cells than the header row. Is the delimiter right?"),
    "erased-before": _l(
        "This person's data was erased earlier (at their request or by the automatic forgetting): the row is not imported."
    ),
}

DUPLICATE_ACTIONS = {
    "skip": _l("skip"),
    "update": _l("update the existing customer"),
    "create": _l("create anyway"),
}
MATCHED_BY = {
    "email": _l("same email"),
    "phone": _l("same phone number"),
    "name_birthday": _l("same name and birthday"),
}
DELIMITER_LABELS = {";": _l("semicolon (;)"), ",": _l("comma (,)"), "\t": _l("tab")}


def row_message(code: str, params: dict | None = None) -> str:
    text = ROW_ERRORS.get(code)
    return str(text) % (params or {}) if text is not None else code


def failure_message(code: str) -> str:
    """Why an import failed or was discarded, for the page."""
    if code.startswith("unexpected:"):
        return _(
            "An unexpected error (%(kind)s) stopped the import. Nothing was imported; please upload the file again.",
            kind=code.split(":", 1)[1],
        )
    text = STEP_ERRORS.get(code) or FILE_ERRORS.get(code)
    return str(text) if text is not None else code


TEMPLATE_LABELS = {
    "import_statuses": IMPORT_STATUSES,
    "duplicate_actions": DUPLICATE_ACTIONS,
    "matched_by": MATCHED_BY,
    "encodings": ENCODINGS,
    "delimiters": DELIMITER_LABELS,
    "row_message": row_message,
    "failure_message": failure_message,
}
