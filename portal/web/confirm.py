"""Confirmation of irreversible and mass actions, enforced on the server: the form carries a
`confirm` value the person gave in the dialog (the count they were shown, or a typed name);
without it, or with another one, nothing happens. The dialog itself is `static/js/app.js`
(`data-confirm` on the form), so a forged POST without the field is refused all the same."""

from __future__ import annotations

from wtforms import BooleanField, StringField

from portal.web.forms import PortalForm


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


class ConfirmForm(PortalForm):
    confirm = StringField()

    def confirms(self, expected: str | int) -> bool:
        wanted = _norm(str(expected))
        return bool(wanted) and self.validate_on_submit() and _norm(self.confirm.data) == wanted


class ConfirmErasureForm(ConfirmForm):
    # Listed likely duplicates are other people (or were merged): the erasure covers the person.
    other_people = BooleanField()
