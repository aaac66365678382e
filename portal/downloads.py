"""Single-use download links for stored files (a login history, an evidence pack): the link is a
token naming the file (and, where only one login may use it, that login). Opening the link
consumes nothing — mail scanners prefetch links —; the download (a POST) uses it up and is
recorded."""

from __future__ import annotations

from portal import tokens
from portal.audit import Actor, record
from portal.extensions import db
from portal.models import Login, StoredFile
from portal.transaction import transaction


def file_for_link(token_value: str, purpose: str, login: Login) -> StoredFile | None:
    """The file a link of the login's salon points at (checked only); None when it is not valid,
    not this salon's, or made for another login."""
    checked = tokens.check(token_value, purpose)
    if checked is None or checked.account_id != login.account_id:
        return None
    if checked.subject.get("login_id", login.id) != login.id:
        return None
    stored = db.session.get(StoredFile, checked.subject.get("file_id"))
    return stored if stored is not None and stored.account_id == login.account_id else None


@transaction
def take_download(actor: Actor, token_value: str, purpose: str, stored: StoredFile, category: str) -> bool:
    """Use the link up (once) and record the download; False when it was used already."""
    if tokens.consume(token_value, purpose) is None:
        return False
    record(actor, category, "downloaded", "stored_file", stored.id, summary=stored.filename)
    return True
