"""The import wizard's forms. The mapping and the duplicates' choices have one field per column
or duplicate, so their classes are made per import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.validators import Length

from portal.imports.labels import DELIMITER_LABELS, DUPLICATE_ACTIONS
from portal.imports.mapping import Target
from portal.imports.reading import ENCODINGS
from portal.web.forms import PortalForm


class UploadForm(PortalForm):
    file = FileField(_l("File (CSV or XLSX, at most 50 MB)"))
    source_name = StringField(_l("Previous software"), validators=[Length(max=60)])


class ReadingForm(PortalForm):
    encoding = SelectField(_l("Encoding"), choices=list(ENCODINGS.items()))
    delimiter = SelectField(_l("Delimiter"), choices=[(k, v) for k, v in DELIMITER_LABELS.items()])


class MappingForm(PortalForm):
    source_name = StringField(_l("Previous software"), validators=[Length(max=60)])

    def mapping(self) -> list[str]:
        return [self[f"col_{i}"].data for i in range(self.width)]


def mapping_form_class(headers: list[str], choices: list[Target]) -> type[MappingForm]:
    options = [(t.key, t.label) for t in choices]
    attrs = {f"col_{i}": SelectField(header or f"#{i + 1}", choices=options) for i, header in enumerate(headers)}
    attrs["width"] = len(headers)
    return type("ImportMappingForm", (MappingForm,), attrs)


class DuplicatesForm(PortalForm):
    default_action = SelectField(_l("For every duplicate"), choices=list(DUPLICATE_ACTIONS.items()))

    def choices(self) -> dict[int, str]:
        """The choices sent (a duplicate not in the form keeps its choice); checked by the service."""
        return {
            int(name[4:]): field.data for name, field in self._fields.items() if name.startswith("dup_") and field.data
        }


def duplicates_form_class(duplicate_ids_existing: list[tuple[int, bool]]) -> type[DuplicatesForm]:
    """One choice per listed duplicate; a row like an earlier row cannot update (no customer yet)."""
    attrs = {}
    for duplicate_id, existing in duplicate_ids_existing:
        actions = DUPLICATE_ACTIONS if existing else {k: v for k, v in DUPLICATE_ACTIONS.items() if k != "update"}
        attrs[f"dup_{duplicate_id}"] = SelectField("", choices=list(actions.items()), validate_choice=False)
    return type("ImportDuplicatesForm", (DuplicatesForm,), attrs)
